"""Keep the log lines of a time window.

ha-log lines start with a time: Heartbeat's file format ``2026/12/05_09:36:48`` or the
syslog style ``Dec 05 09:36:48`` (no year: the window's year is assumed). A line without a
time (a continuation) goes with the line before it.
"""

from __future__ import annotations

import re
from datetime import datetime

_FILE_STYLE = re.compile(r"(\d{4})/(\d\d)/(\d\d)_(\d\d):(\d\d):(\d\d)")
_SYSLOG_STYLE = re.compile(r"^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)")
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip


def line_time(line: str, year: int) -> datetime | None:
    """The time a log line starts with (naive local time), None when it has none."""
    found = _FILE_STYLE.search(line[:80])
    if found:
        return _safe(*(int(x) for x in found.groups()))
    found = _SYSLOG_STYLE.match(line)
    if found and found.group(1) in _MONTHS:
        day, hour, minute, second = (int(x) for x in found.groups()[1:])
        return _safe(year, _MONTHS[found.group(1)], day, hour, minute, second)
    return None


def in_window(text: str, since: datetime | None, until: datetime | None) -> str:
    """The lines of ``text`` from ``since`` to ``until`` (either may be open)."""
    if since is None and until is None:
        return text
    year = (since or until or datetime.now()).year
    kept, keeping = [], False
    for line in text.splitlines(keepends=True):
        when = line_time(line, year)
        if when is not None:
            keeping = (since is None or when >= since) and (until is None or when <= until)
        if keeping:
            kept.append(line)
    return "".join(kept)


def _safe(y: int, mo: int, d: int, h: int, mi: int, s: int) -> datetime | None:
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
