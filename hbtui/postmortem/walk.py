"""One node's facts -> its view of the timeline (entries it saw), script calls, late
heartbeats, problems. ``timeline`` merges the views of both nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hbtui.postmortem.facts import Fact
from hbtui.postmortem.model import Entry, Kind, LateHeartbeat, Problem, ScriptCall

JOIN_WINDOW = timedelta(seconds=120)  # a standby this soon after the taker joined: failback
STOP_MEMORY = timedelta(seconds=60)  # "is dead" after a shutdown notice: the same stop


def _tokens(detail: str) -> list[str]:
    return [t for t in detail.split() if t]


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


class NodeWalk:
    """Reads one node's facts in order, keeping the entry under way (``current``)."""

    def __init__(self, node: str, peers: list[str]) -> None:
        self.node = node
        self.peer = peers[0] if len(peers) == 1 else "?"
        self.entries: list[Entry] = []
        self.current: Entry | None = None
        self.scripts: list[ScriptCall] = []
        self.late: list[LateHeartbeat] = []
        self.problems: list[Problem] = []
        self.auth: dict[str, list[Fact]] = {}
        self.keys: dict[str, Fact] = {}
        self.starts: list[datetime] = []  # this node's own starts
        self.joins: dict[str, list[datetime]] = {}  # every node's starts, as this log tells
        self.heard: dict[str, datetime] = {}
        self.never_heard: set[int] = set()  # id() of entries whose peer was never heard
        self.facts: list[Fact] = []

    # -- helpers -------------------------------------------------------------------

    def _open(self, kind: Kind, src: str, dst: str, fact: Fact) -> Entry:
        self._close()
        entry = Entry(kind, src, dst, at=fact.at, where=[fact.where], seen_by={self.node})
        self.current = entry
        return entry

    def _close(self) -> None:
        if self.current is not None:
            self.entries.append(self.current)
            self.current = None

    def _phase(self, name: str, fact: Fact, taker: bool = True) -> None:
        entry = self.current
        if entry is None or (taker and entry.to_node != self.node):
            return
        entry.phases.setdefault(name, fact.at)
        entry.where.append(fact.where)

    def _resources(self, fact: Fact, taker: bool) -> None:
        entry = self.current
        if entry is None:
            return
        if (taker and entry.to_node != self.node) or (not taker and entry.from_node != self.node):
            return
        for token in _tokens(fact.detail):
            if token not in entry.resources:
                entry.resources.append(token)

    def _join(self, node: str, at: datetime) -> None:
        seen = self.joins.setdefault(node, [])
        if not seen or at - seen[-1] > timedelta(seconds=10):
            seen.append(at)

    def _last_call(self, match: Callable[[ScriptCall], bool]) -> ScriptCall | None:
        return next((c for c in reversed(self.scripts) if match(c)), None)

    # -- the walk ------------------------------------------------------------------

    def walk(self, facts: list[Fact]) -> NodeWalk:
        self.facts = facts
        for fact in facts:
            handler = getattr(self, f"on_{fact.kind.value}", None)
            if handler is not None:
                handler(fact)
        self._close()
        for entry in self.entries:
            if entry.kind is Kind.STANDBY and self._joined_before(entry.to_node, entry.at):
                entry.kind = Kind.FAILBACK
        return self

    def _joined_before(self, node: str, at: datetime) -> bool:
        return any(timedelta(0) <= at - j <= JOIN_WINDOW for j in self.joins.get(node, []))

    def on_dead(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STOP and cur.from_node == self.node:
            return  # our own shutdown
        stops = [e for e in [*self.entries, cur] if e is not None and e.kind is Kind.STOP]
        if any(e.from_node == f.subject and f.at - e.at <= STOP_MEMORY for e in stops):
            return  # the end of a graceful stop, not a failure
        entry = self._open(Kind.FAILOVER, f.subject, self.node, f)
        entry.phases["declared_dead"] = f.at
        heard = self.heard.get(f.subject)
        if self.starts and (heard is None or heard < self.starts[-1]):
            self.never_heard.add(id(entry))

    def on_gave_up(self, f: Fact) -> None:
        cur = self.current
        if cur is None or cur.kind is not Kind.FAILOVER or cur.from_node != f.subject:
            return
        if not cur.resources:
            self.current = None

    def on_acquire_from(self, f: Fact) -> None:
        if self.current is not None and self.current.from_node == f.subject:
            self._phase("decided", f)

    def on_shutdown_notice(self, f: Fact) -> None:
        self._open(Kind.STOP, f.subject, self.node, f).phases["decided"] = f.at

    def on_shutdown_start(self, f: Fact) -> None:
        self._open(Kind.STOP, self.node, self.peer, f).phases["decided"] = f.at

    def on_takeover_cancelled(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STOP and cur.to_node == self.node:
            cur.taken = False
            cur.where.append(f.where)
            self._close()  # what this node acquires after its next start is not this stop's

    def on_relinquished(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STOP and cur.from_node == self.node:
            cur.phases.setdefault("scripts_done", f.at)
            self._close()

    def on_group_acquire(self, f: Fact) -> None:
        self._resources(f, taker=True)

    def on_taking_over(self, f: Fact) -> None:
        self._resources(f, taker=True)
        self._phase("decided", f)

    def on_group_release(self, f: Fact) -> None:
        self._resources(f, taker=False)

    def on_running(self, f: Fact) -> None:
        self.scripts.append(ScriptCall(f.at, self.node, f.subject, f.detail, f.op, f.where))

    def on_script_ok(self, f: Fact) -> None:
        call = self._last_call(lambda c: "IPaddr" in c.script and c.op in ("start", "stop"))
        if call is not None and call.exit_status is None:
            call.exit_status = 0

    def on_script_failed(self, f: Fact) -> None:
        name = _basename(f.subject.split("::")[0])
        call = self._last_call(lambda c: _basename(c.script) == name and (not f.op or c.op == f.op))
        if call is None:
            call = ScriptCall(f.at, self.node, f.subject, "", f.op, f.where)
            self.scripts.append(call)
        call.failed, call.exit_status = True, f.number
        call.detail = f.detail or "failed"
        what = f"{f.subject} {f.op}".strip()
        text = f"{self.node}: {what} failed ({call.detail})"
        self.problems.append(Problem(f.at, "script_failure", text, f.where))

    def on_vip_added(self, f: Fact) -> None:
        self._phase("vip_added", f)

    def on_arp_sent(self, f: Fact) -> None:
        self._phase("arp_sent", f)

    def on_takeover_done(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.to_node == self.node:
            self._phase("scripts_done", f)
            self._close()

    def on_standby_ask(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STANDBY and cur.from_node == f.subject:
            return
        to = self.peer if f.subject == self.node else self.node
        self._open(Kind.STANDBY, f.subject, to, f)

    def on_standby_acquire(self, f: Fact) -> None:
        cur = self.current
        if cur is None or cur.kind is not Kind.STANDBY or cur.from_node != f.subject:
            cur = self._open(Kind.STANDBY, f.subject, self.node, f)
        cur.phases.setdefault("decided", f.at)

    def on_standby_give(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STANDBY and cur.from_node == self.node:
            cur.to_node = f.subject
            cur.phases.setdefault("decided", f.at)

    def on_standby_taken(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STANDBY and cur.to_node == self.node:
            self._phase("scripts_done", f)
            self._close()

    def on_standby_released(self, f: Fact) -> None:
        cur = self.current
        if cur is not None and cur.kind is Kind.STANDBY and cur.from_node == self.node:
            cur.phases.setdefault("scripts_done", f.at)
            self._close()

    def on_auto_failback(self, f: Fact) -> None:
        last = self.current or (self.entries[-1] if self.entries else None)
        if last is not None and last.kind is Kind.STANDBY and last.to_node == self.node:
            last.kind = Kind.FAILBACK

    def on_local_up(self, f: Fact) -> None:
        self.starts.append(f.at)
        self._join(self.node, f.at)

    def on_peer_status(self, f: Fact) -> None:
        self.heard[f.subject] = f.at
        if f.detail in ("init", "up"):
            self._join(f.subject, f.at)

    def on_peer_restart(self, f: Fact) -> None:
        self._join(f.subject, f.at)

    def on_late(self, f: Fact) -> None:
        self.late.append(LateHeartbeat(f.at, self.node, f.subject, f.number or 0, f.where))

    def on_auth_failed(self, f: Fact) -> None:
        self.auth.setdefault(f.subject or "?", []).append(f)

    def on_keys_differ(self, f: Fact) -> None:
        self.keys.setdefault(f.subject, f)
        self.auth.setdefault(f.subject, []).append(f)

    def on_stop_failure(self, f: Fact) -> None:
        what = f" of {f.detail}" if f.detail else ""
        text = f"{self.node}: resource stop failure{what}: the node kept holding it"
        self.problems.append(Problem(f.at, "stop_failure", text, f.where))

    def on_partition(self, f: Fact) -> None:
        entry = self._open(Kind.HEAL, f.subject, self.node, f)
        entry.phases["decided"] = f.at
        self._close()

    def on_give_back(self, f: Fact) -> None:
        heal = self.entries[-1] if self.entries else None
        if heal is not None and heal.kind is Kind.HEAL:
            heal.notes.append(f"{f.subject} still held its groups: {self.node} gave back its")

    def on_both_own(self, f: Fact) -> None:
        entry = self._open(Kind.SPLIT_BRAIN, self.peer, self.node, f)
        entry.phases["decided"] = f.at
        entry.notes.append(f"{self.node} logged that both machines own the same resources")
        self._close()
        text = f"{self.node}: both nodes held the same resources (split brain)"
        self.problems.append(Problem(f.at, "both_holding", text, f.where))

    def on_not_started(self, f: Fact) -> None:
        text = f"{self.node}: heartbeat did not start: {f.detail}"
        self.problems.append(Problem(f.at, "not_started", text, f.where))
