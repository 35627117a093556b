"""Heartbeat time values: a plain number is seconds; ``ms``/``msec``, ``us``/``usec`` suffixes."""

from __future__ import annotations

import re

# digits with at most one decimal point, optional blanks, then an optional unit
_TIME = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*")

# unit (lower case) -> how many microseconds one of it is
_MAX_DIGITS = 30  # far beyond any sane timer; keeps int() away from huge strings

_UNIT_US = {"": 1_000_000, "ms": 1000, "msec": 1000, "us": 1, "usec": 1}


def parse_time_ms(text: str) -> int | None:
    """Milliseconds for a Heartbeat time value, rounded to the nearest ms; None if malformed.

    ``"5"`` -> 5000, ``"1.5"`` -> 1500, ``"250ms"`` -> 250, ``"1500us"`` -> 2. Like Heartbeat,
    a bare number means seconds and there is no ``s`` suffix.
    """
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    number, unit = match.group(1), match.group(2).lower()
    if len(number) > _MAX_DIGITS:
        return None
    per_unit_us: int | None = _UNIT_US.get(unit)
    if per_unit_us is None:
        return None
    whole, _, fraction = number.partition(".")
    # exact decimal arithmetic: microseconds as an integer, then round half up to ms
    fraction = fraction[:9]
    micros_den = int("1" + "0" * len(fraction))
    scaled = int(whole or "0") * micros_den + int(fraction or "0")
    micros_num = scaled * per_unit_us
    return (micros_num * 2 + micros_den * 1000) // (micros_den * 2000)


def format_ms(ms: int) -> str:
    """A millisecond count the way a person reads it: ``5 s``, ``1.5 s``, ``250 ms``."""
    if ms % 1000 == 0:
        return f"{ms // 1000} s"
    if ms >= 1000:
        return f"{ms / 1000:g} s"
    return f"{ms} ms"
