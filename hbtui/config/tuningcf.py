"""ha.cf's tuning directives: ``compression``, ``compression_threshold``, ``max_rexmit_delay``,
``hopfudge`` and ``uuidfrom``, checked as Heartbeat 3.0.6 checks them (docs/protocol.md §2.4).

The handlers take the ha.cf builder through a small protocol so this module does not import
``ha_cf`` (which registers them); values land in ``b.values`` for ``parse_ha_cf``.
"""

from __future__ import annotations

import re
from typing import Protocol

from hbtui.config.lines import ConfigLine, shown
from hbtui.config.model import CompressionName

_ATOI = re.compile(r"\s*([+-]?[0-9]+)")
HOPFUDGE_MAX = 255


class Sink(Protocol):
    """What the handlers need from ha.cf's builder."""

    values: dict[str, str]

    def error(self, line: ConfigLine, message: str) -> None: ...

    def warn(self, line: ConfigLine, message: str) -> None: ...

    def note_set(self, name: str, line: ConfigLine) -> None: ...

    def one_arg(self, line: ConfigLine) -> str | None: ...


def _atoi(b: Sink, line: ConfigLine, value: str) -> int:
    """``value`` as C's atoi reads it; a warning when that is not the whole value."""
    digits = _ATOI.match(value)
    number = int(digits.group(1)) if digits else 0
    if digits is not None and digits.end() != len(value):
        b.warn(
            line,
            f"{line.tokens[0]} [{shown(value)}] is not a whole number: Heartbeat reads it as "
            f"{number} (so does hbtui)",
        )
    return number


def _keep(b: Sink, line: ConfigLine, value: str) -> None:
    name = line.tokens[0].lower()
    b.note_set(name, line)
    b.values[name] = value


def _word(b: Sink, line: ConfigLine, allowed: tuple[str, ...], refusal: str) -> None:
    """One of ``allowed``, spelled exactly (the daemon compares with strcmp), else an error
    (``refusal`` formatted with the value)."""
    value = b.one_arg(line)
    if value is None:
        return
    if value not in allowed:
        b.error(line, refusal.format(shown(value)))
        return
    _keep(b, line, value)


def _number(b: Sink, line: ConfigLine, low: int, high: int, refusal: str) -> int | None:
    """A number in ``low..high`` read as atoi reads it, else an error (``refusal`` formatted
    with the value) and None."""
    value = b.one_arg(line)
    if value is None:
        return None
    number = _atoi(b, line, value)
    if not low <= number <= high:
        b.error(line, refusal.format(shown(value)))
        return None
    _keep(b, line, str(number))
    return number


def compression(b: Sink, line: ConfigLine) -> None:
    """``compression zlib|bz2``: the plugin messages are compressed with (default zlib)."""
    refusal = "Compression module({}) not found: Heartbeat refuses the file; cluster-glue ships "
    _word(b, line, tuple(CompressionName), refusal + "zlib and bz2")


def compression_threshold(b: Sink, line: ConfigLine) -> None:
    """``compression_threshold N``: kilobytes; above it traditional compression applies."""
    _number(b, line, 1, 1024 * 1024, "compress_threshhold({}) invalid: a positive number of KB")


def max_rexmit_delay(b: Sink, line: ConfigLine) -> None:
    """``max_rexmit_delay MS``: the longest wait before asking for a lost message; what the
    daemon does with it that hbtui does not is a warning."""
    ms = _number(b, line, 1, 3_600_000, "Invalid max_rexmit_delay time({}): milliseconds, over 0")
    if ms is None:
        return
    b.warn(
        line,
        f"max_rexmit_delay {ms}: hbtui asks for a lost message {ms // 2} ms after it notices "
        f"the gap and resends one at most once a second; the daemon asks after a random "
        f"{0 if ms < 100 else 50} to {ms} ms, asks the same node again only {ms} ms later, and "
        f"resends a message at most once every {max(ms - 10, 0)} ms",
    )


def hopfudge(b: Sink, line: ConfigLine) -> None:
    """``hopfudge N`` (0 to 255): every message's ``ttl`` is the node count plus N (the daemon
    reads ttl only to forward over serial links, which hbtui does not have)."""
    _number(b, line, 0, HOPFUDGE_MAX, f"invalid hopfudge [{{}}]: 0 to {HOPFUDGE_MAX}")


def uuidfrom(b: Sink, line: ConfigLine) -> None:
    """``uuidfrom file|nodename`` (exact words, as the daemon compares them)."""
    _word(b, line, ("file", "nodename"), "Invalid uuidfrom directive [{}]: use file or nodename")
