"""What the real daemon's ha-log tells a drill (pure: lines in).

The real Heartbeat daemon has no event stream: ``DaemonLog`` reads its ha-log lines into
the items ``hbtui.drill.driver`` reads from an hbtui node (``ScriptStarted``,
``ScriptOutput``, ``ScriptExited``, ``StopFailed``, ``PeerDead``) and keeps whether a
standby handshake is under way. ``phases`` and ``trouble`` put the post-mortem
(``hbtui.postmortem``) to work on a drill's lines: per-phase times of each move, and the
recent failovers, restart loops, stop failures and key mismatches that refuse a drill.
``script_runs`` reads the resource-script calls of a node's lines (the peer's, after a
drill) through the same ``DaemonLog``: the real daemon's wording and hbtui's alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from hbtui.drill.report import ScriptLog, ScriptRun
from hbtui.engine import events as ev
from hbtui.postmortem.facts import F, Fact, fact_of
from hbtui.postmortem.files import NodeLog
from hbtui.postmortem.lines import LogLine, parse_line
from hbtui.postmortem.model import Kind
from hbtui.postmortem.timeline import analyse
from hbtui.stream import codec
from hbtui.stream.items import SourceItem

RECENT = timedelta(minutes=10)  # how far back "recent" trouble reaches
FAILOVERS_TOO_MANY = 2  # failovers within RECENT that make the cluster unfit for a drill
TROUBLE = ("stop_failure", "keys_differ", "both_holding", "split_brain", "restart_loop")
MOVES = (Kind.STANDBY, Kind.TAKEOVER, Kind.FAILBACK)
_HANDSHAKE_END = (F.STANDBY_TAKEN, F.STANDBY_RELEASED)
_CANCELLED = ("No reply to standby request", "ignored.  local resources in flux")


def parse(text: str, year: int | None = None) -> LogLine | None:
    """One ha-log line, syslog stamps given ``year`` (this year by default)."""
    return parse_line(text, 0, year or datetime.now().year)


def _tag(source: str) -> str:
    """``/usr/lib/ocf/resource.d//heartbeat/IPaddr(IPaddr_1.2.3.4)`` -> ``IPaddr``."""
    return source.split("(", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class DaemonLog:
    """Reads one node's ha-log lines as they come (see the module docstring)."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.handshake: str | None = None  # the node going standby, while it is under way
        self.ended = 0  # handshakes ended (done, cancelled or ignored) so far
        self._next_id = 1
        self._open: dict[int, str] = {}  # request id -> script name, exit not yet known

    def read(self, text: str, at_ms: int) -> list[SourceItem]:
        """The drill items one line states (none for most lines)."""
        line = parse(text)
        if line is None:
            return []
        fact = fact_of(line, self.node, "")
        items = self._output(line, at_ms) if fact is None else self._fact(fact, line, at_ms)
        if any(word in line.text for word in _CANCELLED):
            self.handshake, self.ended = None, self.ended + 1
        return items

    def _output(self, line: LogLine, at_ms: int) -> list[SourceItem]:
        """A resource script's own line: output of the last run of that script."""
        name = _tag(line.source)
        for rid in sorted(self._open, reverse=True):
            if self._open[rid] == name:
                return [ev.ScriptOutput(at_ms, rid, "stdout", line.text.strip())]
        return []

    def _finish(self, at_ms: int) -> list[SourceItem]:
        """A group's transition ended: the daemon logs failures, so the rest exited 0."""
        done: list[SourceItem] = [ev.ScriptExited(at_ms, rid, 0, False) for rid in self._open]
        self._open.clear()
        return done

    def _fact(self, fact: Fact, line: LogLine, at_ms: int) -> list[SourceItem]:
        kind = fact.kind
        if kind is F.RUNNING:
            rid, self._next_id = self._next_id, self._next_id + 1
            name = _tag(fact.subject)
            self._open[rid] = name
            argv = (fact.subject, *fact.detail.split(), fact.op)
            return [ev.ScriptStarted(at_ms, rid, f"{name} {fact.detail}".strip(), argv)]
        if kind is F.SCRIPT_FAILED:
            name = _tag(fact.subject.split("::")[0])
            known = max((r for r, n in self._open.items() if n == name), default=None)
            timed_out = "timed out" in fact.detail
            if known is None:  # a failure of a run whose start we did not see
                rid, self._next_id = self._next_id, self._next_id + 1
                started = ev.ScriptStarted(at_ms, rid, name, (fact.subject, fact.op or "?"))
                return [started, ev.ScriptExited(at_ms, rid, fact.number or 1, timed_out)]
            del self._open[known]
            return [ev.ScriptExited(at_ms, known, fact.number or 1, timed_out)]
        if kind is F.STOP_FAILURE:
            return [ev.StopFailed(at_ms, fact.detail or "a resource", line.text.strip())]
        if kind is F.DEAD:
            return [ev.PeerDead(at_ms, fact.subject, None, 0, False)]
        if kind is F.STANDBY_ASK:
            self.handshake = fact.subject
        elif kind in _HANDSHAKE_END or kind is F.TAKEOVER_DONE:
            self.handshake, self.ended = None, self.ended + 1
            return self._finish(at_ms)
        return []


def _node_log(node: str, texts: list[str]) -> NodeLog | None:
    """``texts`` as one node's log (syslog stamps get this year)."""
    year = datetime.now().year
    parsed = (parse_line(t, n, year) for n, t in enumerate(texts, 1))
    lines = tuple(replace(p, year_known=True) for p in parsed if p is not None)
    return NodeLog(Path("ha-log"), node, lines, "ha-log") if lines else None


Phases = tuple[str, dict[str, float]]


def phases(node: str, texts: list[str], moves: list[str]) -> list[Phases | None]:
    """Each move's times (in order, by the node it went to) from ``node``'s lines: the
    clock time of its first logged line (``HH:MM:SS``) and the seconds from there to each
    phase the log dates; None where the log shows no such move."""
    log = _node_log(node, texts)
    entries = [e for e in analyse([log]).entries if e.kind in MOVES] if log else []
    found: list[Phases | None] = []
    for to_node in moves:
        entry = next((e for e in entries if e.to_node in (to_node, "?")), None)
        if entry is None:
            found.append(None)
            continue
        entries = entries[entries.index(entry) + 1 :]
        times = sorted(entry.phases.items(), key=lambda p: p[1])
        seconds = {name: round((at - entry.at).total_seconds(), 3) for name, at in times}
        found.append((entry.at.strftime("%H:%M:%S"), seconds))
    return found


def trouble(node: str, texts: list[str], now: datetime | None = None) -> list[str]:
    """Why the recent log (the last ``RECENT``) says the cluster is unfit for a drill."""
    log = _node_log(node, texts)
    if log is None:
        return []
    since = (now or datetime.now()) - RECENT
    recent = NodeLog(log.path, node, tuple(x for x in log.lines if x.at >= since), log.family)
    if not recent.lines:
        return []
    report = analyse([recent])
    found = [f"the ha-log says: {p.text}" for p in report.problems if p.kind in TROUBLE]
    failovers = [e for e in report.entries if e.kind in (Kind.FAILOVER, Kind.SPLIT_BRAIN)]
    if len(failovers) >= FAILOVERS_TOO_MANY:
        found.append(
            f"the group failed over {len(failovers)} times in the last "
            f"{RECENT.seconds // 60} minutes (flapping): find out why first"
        )
    return found


def script_runs(node: str, texts: Iterable[str], since: datetime) -> list[ScriptRun]:
    """The resource-script calls (op, exit, output lines where logged) of ``node``'s ha-log
    lines dated ``since`` or later (its clock, naive local time), in order."""
    log, runs = DaemonLog(node), ScriptLog([])
    for text in texts:
        line = parse(text)
        if line is None or line.at < since:
            continue
        for item in log.read(text, 0):
            runs.note(codec.to_json(item))
    return runs.runs
