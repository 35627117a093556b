"""Heartbeat time values: seconds by default, ms and us suffixes, decimals."""

from __future__ import annotations

import pytest

from hbtui.config.timeparse import format_ms, parse_time_ms


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("1", 1000),
        ("5", 5000),
        ("30", 30000),
        ("1.5", 1500),
        (".5", 500),
        ("2.", 2000),
        ("0.2", 200),
        ("250ms", 250),
        ("250 ms", 250),
        ("250MS", 250),
        ("250msec", 250),
        ("1500us", 2),
        ("1499us", 1),
        ("2000usec", 2),
        ("0", 0),
        (" 3 ", 3000),
        ("0.0005", 1),
    ],
)
def test_valid_time_values(text: str, ms: int) -> None:
    assert parse_time_ms(text) == ms


@pytest.mark.parametrize(
    "text", ["", "s", "5s", "5sec", "-1", "1.2.3", "abc", "5 m", "1e3", "5ms5", "9" * 40]
)
def test_invalid_time_values(text: str) -> None:
    assert parse_time_ms(text) is None


@pytest.mark.parametrize(
    ("ms", "text"), [(5000, "5 s"), (1500, "1.5 s"), (250, "250 ms"), (0, "0 s")]
)
def test_format_ms(ms: int, text: str) -> None:
    assert format_ms(ms) == text
