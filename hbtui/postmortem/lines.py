"""One ha-log line -> ``LogLine`` (time, host, source, level, text), or None.

Formats read (docs/protocol.md §6):

- syslog: ``Nov 26 03:30:24 server2 heartbeat: [120]: WARN: node server1: is dead`` (1 s,
  no year; ``heartbeat[120]:`` as a tag too), or with an RFC 3339 stamp (rsyslog's
  high-precision format: milliseconds, offset);
- resource-script style: ``2026/11/26_03:30:24  ResourceManager(default)[225]:    info: ...``;
- heartbeat's own file format: ``heartbeat[120]: 2026/11/26_03:30:24 WARN: ...``.

Times are the log's wall clock, kept naive (local time of the node that wrote them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from hbtui.stream.halog import level_of

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_LEVEL = r"(?:(?P<level>debug|info|notice|warn|warning|err|error|crit):\s+)?"
_SYSLOG = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d)(?:\.(?P<frac>\d+))? "
    r"(?P<host>\S+) (?P<tag>[^\s\[:]+)(?:\[(?P<pid1>\d+)\])?:\s+(?:\[(?P<pid2>\d+)\]:\s+)?"
    + _LEVEL
    + r"(?P<text>.*)$",
    re.IGNORECASE,
)
_RFC3339 = re.compile(
    r"^(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) "
    r"(?P<host>\S+) (?P<tag>[^\s\[:]+)(?:\[(?P<pid1>\d+)\])?:\s+(?:\[(?P<pid2>\d+)\]:\s+)?"
    + _LEVEL
    + r"(?P<text>.*)$",
    re.IGNORECASE,
)
_STAMP = r"(?P<stamp>\d{4}/\d\d/\d\d_\d\d:\d\d:\d\d)"
_SCRIPT = re.compile(
    rf"^{_STAMP}\s+(?P<tag>\S+?)\[(?P<pid1>\d+)\]:\s+" + _LEVEL + r"(?P<text>.*)$",
    re.IGNORECASE,
)
_HBFILE = re.compile(
    rf"^(?P<tag>\S+?)\[(?P<pid1>\d+)\]:\s+{_STAMP}\s+" + _LEVEL + r"(?P<text>.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LogLine:
    """A parsed line; ``year_known`` is False for syslog stamps (the reader sets the year)."""

    at: datetime
    host: str | None  # syslog lines name the host; the other formats do not
    source: str  # heartbeat, ResourceManager(default), IPaddr(IPaddr_192.168.10.10), ...
    level: str  # debug, info, WARN, ERROR, CRIT (hbtui.stream.halog.level_of)
    text: str
    year_known: bool
    precise: bool  # the stamp has sub-second digits
    lineno: int = 0


def _level(word: str | None) -> str:
    return level_of(f"]: {word}:") if word else "info"


def _stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y/%m/%d_%H:%M:%S")


def parse_line(line: str, lineno: int = 0, year: int = 1900) -> LogLine | None:
    """The line's fields, or None when it is no ha-log line (a continuation, a dump)."""
    line = line.rstrip("\r\n")
    if m := _SYSLOG.match(line):
        month = MONTHS.get(m["mon"].title())
        if month is None:
            return None
        frac = m["frac"] or ""
        micro = int((frac + "000000")[:6]) if frac else 0
        try:
            at = datetime.strptime(f"{year} {month} {m['day']} {m['hms']}", "%Y %m %d %H:%M:%S")
        except ValueError:  # Feb 29 in a year without it: the reader fixes the year later
            at = datetime.strptime(f"2000 {month} {m['day']} {m['hms']}", "%Y %m %d %H:%M:%S")
        at = at.replace(microsecond=micro)
        return LogLine(
            at, m["host"], m["tag"], _level(m["level"]), m["text"], False, bool(frac), lineno
        )
    if m := _RFC3339.match(line):
        try:
            aware = datetime.fromisoformat(m["iso"].replace("Z", "+00:00"))
        except ValueError:
            return None
        at = aware.astimezone().replace(tzinfo=None) if aware.tzinfo else aware
        precise = "." in m["iso"]
        return LogLine(
            at, m["host"], m["tag"], _level(m["level"]), m["text"], True, precise, lineno
        )
    for pattern in (_SCRIPT, _HBFILE):
        if m := pattern.match(line):
            try:
                at = _stamp(m["stamp"])
            except ValueError:
                return None
            return LogLine(at, None, m["tag"], _level(m["level"]), m["text"], True, False, lineno)
    return None
