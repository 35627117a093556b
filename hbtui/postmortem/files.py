"""Read the logs given on the command line: files or directories, rotated and gzipped.

Each file becomes a ``NodeLog`` (its node, its parsed lines in order). A node's name comes from
the host of its syslog lines, else from what the lines say of the node itself, else from the
file name. Syslog stamps have no year: it is taken from a stamp of the same file that has one
(resource-script lines), else from the file's modification time, and a stamp earlier than the
one before it by months means the year turned. ha-log and ha-debug of one node hold the same
lines: ``merge_node`` keeps each line once.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from hbtui.postmortem.lines import LogLine, parse_line

LOG_NAME = re.compile(r"^(ha-log|ha-debug|ha\.log|messages|syslog|daemon\.log)|\.log\b")
_ROTATION = re.compile(r"(\.gz|\.\d+|-\d{8})+$")
_SELF = (
    re.compile(r"listkeys (\S+)\] to acquire"),
    re.compile(r"^(\S+) Heartbeat shutdown complete"),
)
_PEER = (
    re.compile(r"Status update for node (\S+):"),
    re.compile(r"node (\S+): is dead"),
    re.compile(r"Heartbeat restart on node (\S+)"),
    re.compile(r"Received shutdown notice from '(\S+)'"),
)
MAX_BYTES = 512 * 1024 * 1024


class PostmortemError(Exception):
    """Input that cannot be used; the message names the file."""


@dataclass(frozen=True)
class NodeLog:
    """One file's lines, attributed to one node."""

    path: Path
    node: str
    lines: tuple[LogLine, ...]
    family: str  # the file name without rotation suffixes: ha-log, ha-debug, messages

    def where(self, line: LogLine) -> str:
        return f"{self.path}:{line.lineno}"


def expand(inputs: list[Path]) -> list[Path]:
    """Files named, plus the log files found under directories named (sorted)."""
    found: list[Path] = []
    for path in inputs:
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            raise PostmortemError(f"{path}: {exc.strerror or exc}") from exc
        if not exists:
            raise PostmortemError(f"{path}: no such file or directory")
        if not is_dir:
            found.append(path)
            continue
        logs = sorted(p for p in path.rglob("*") if p.is_file() and LOG_NAME.search(p.name))
        if not logs:
            raise PostmortemError(f"{path}: no ha-log, ha-debug or syslog file in this directory")
        found += logs
    return found


def read_text(path: Path) -> str:
    """The file's text (gunzipped when it is gzip), undecodable bytes replaced."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
            handle.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = unzipped.read(MAX_BYTES + 1)
            else:
                data = handle.read(MAX_BYTES + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise PostmortemError(f"{path}: damaged gzip file ({exc})") from exc
    except OSError as exc:
        raise PostmortemError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise PostmortemError(f"{path}: larger than {MAX_BYTES // 2**20} MiB; cut the window")
    return data.decode("utf-8", errors="replace")


def _year_hint(text: str, path: Path) -> int:
    if m := re.search(r"^(\d{4})/\d\d/\d\d_|\]: (\d{4})/\d\d/\d\d_", text, re.MULTILINE):
        return int(m[1] or m[2])
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).year
    except (OSError, ValueError, OverflowError):
        return datetime.now().year


def _with_years(lines: list[LogLine], year: int) -> list[LogLine]:
    """Give syslog lines a year; a jump back of over 300 days means the year turned."""
    out: list[LogLine] = []
    last: datetime | None = None
    for line in lines:
        if line.year_known:
            last = line.at
            year = line.at.year
            out.append(line)
            continue
        try:
            at = line.at.replace(year=year)
        except ValueError:  # Feb 29
            at = line.at.replace(year=year, day=28)
        if last is not None and at < last - timedelta(days=300):
            year += 1
            at = at.replace(year=year)
        last = at
        out.append(replace(line, at=at, year_known=True))
    return out


def _node_of(lines: list[LogLine], path: Path, nodes: tuple[str, ...]) -> str:
    hosts = Counter(line.host for line in lines if line.host and line.source == "heartbeat")
    hosts = hosts or Counter(line.host for line in lines if line.host)
    if hosts:
        return hosts.most_common(1)[0][0]
    for line in lines:
        for pattern in _SELF:
            if m := pattern.search(line.text):
                return m[1]
    peers = {m[1] for line in lines for p in _PEER if (m := p.search(line.text))}
    others = [n for n in nodes if n not in peers]
    if len(nodes) >= 2 and peers and len(others) == 1:
        return others[0]
    named = [n for n in nodes if n in path.name]
    return named[0] if len(named) == 1 else path.name


def family_of(path: Path) -> str:
    return _ROTATION.sub("", path.name)


def read_log(path: Path, nodes: tuple[str, ...] = ()) -> NodeLog:
    """Parse one file; a file with no ha-log line at all is an error naming it."""
    text = read_text(path)
    year = _year_hint(text, path)
    parsed = [p for n, raw in enumerate(text.splitlines(), 1) if (p := parse_line(raw, n, year))]
    if not parsed:
        raise PostmortemError(f"{path}: no ha-log line found (not a Heartbeat or hbtui log?)")
    lines = _with_years(parsed, year)
    return NodeLog(path, _node_of(lines, path, nodes), tuple(lines), family_of(path))


def by_host(log: NodeLog) -> list[NodeLog]:
    """A file whose heartbeat lines name two hosts in turn (a node renamed: server2, then
    server3, then server2 again) as one part per stretch of a host, each that host's; lines
    without a host go with the stretch they are in. Otherwise the file as it is."""
    hosts = {x.host for x in log.lines if x.host and x.source == "heartbeat"}
    if len(hosts) < 2:
        return [log]
    parts: list[tuple[str, list[LogLine]]] = []
    for line in log.lines:
        host = line.host if line.host and line.source == "heartbeat" else None
        if not parts or (host is not None and host != parts[-1][0]):
            parts.append((host or log.node, []))
        parts[-1][1].append(line)
    return [NodeLog(log.path, host, tuple(lines), log.family) for host, lines in parts]


def merge_node(logs: list[NodeLog]) -> list[tuple[NodeLog, LogLine]]:
    """A node's lines from all its files in time order, each line once (ha-log + ha-debug)."""
    by_family: dict[str, list[NodeLog]] = {}
    for log in logs:
        by_family.setdefault(log.family, []).append(log)
    kept: list[tuple[NodeLog, LogLine]] = []
    seen: Counter[tuple[datetime, str, str]] = Counter()
    families = sorted(by_family.values(), key=lambda ls: -sum(len(x.lines) for x in ls))
    for family in families:
        mine: Counter[tuple[datetime, str, str]] = Counter()
        for log in family:
            for line in log.lines:
                key = (line.at, line.source, line.text)
                mine[key] += 1
                if mine[key] > seen[key]:
                    kept.append((log, line))
        seen |= mine
    kept.sort(key=lambda pair: pair[1].at)  # stable: file order within a second
    return kept
