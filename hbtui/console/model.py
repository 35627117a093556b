"""The console's picture of the cluster: a plain reducer over source items.

``ConsoleModel.apply(item)`` updates the picture and returns which panes changed;
widgets render from the model when told. No Textual here, so it is tested directly.
"""

from __future__ import annotations

import typing
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from hbtui.engine import events as ev
from hbtui.stream.gaps import gap_bucket
from hbtui.stream.items import (
    ActionDone,
    LogLine,
    PacketCounts,
    ReplayGate,
    SnapshotTaken,
    SourceItem,
)
from hbtui.stream.observed import (
    ObservedNode,
    ObservedResource,
    ObservedVip,
    ProbedSplit,
    SnapshotError,
    read_snapshot,
)

GAP_HISTORY = 40
LOG_KEEP = 5000
RATE_WINDOW_MS = 5000


@dataclass
class NodeView:
    """One node: status, identity, keepalive timing."""

    name: str
    is_self: bool = False
    status: str = "init"
    uuid: str | None = None
    generation: int | None = None
    link: str | None = None
    links: tuple[tuple[str, bool], ...] = ()  # (device, up) of every medium
    last_heard_ms: int | None = None
    deadline_ms: int | None = None
    deadtime_ms: int = 30000
    standby: bool = False
    gaps: deque[int] = field(default_factory=lambda: deque(maxlen=GAP_HISTORY))
    gap_counts: Counter[int] = field(default_factory=Counter)  # histogram bucket -> gaps
    gaps_shown: dict[int, int] = field(default_factory=dict)  # what the Wire pane shows
    gaps_shown_ms: int | None = None


HISTOGRAM_REFRESH_MS = 10_000


@dataclass
class VipView:
    """One virtual IP: who has it as this node sees it, and its last move."""

    resource: str
    ip: str
    owner: str | None = None
    device: str | None = None
    label: str | None = None
    moved_at_ms: int | None = None
    why: str = ""
    stale: bool = False  # still on our interface, but our node no longer runs


@dataclass
class ScriptCall:
    """One resource script run and everything it printed."""

    request_id: int
    resource: str
    argv: tuple[str, ...]
    started_ms: int
    lines: list[tuple[str, str]] = field(default_factory=list)
    rc: int | None = None
    ended_ms: int | None = None
    timed_out: bool = False
    timeout_ms: int | None = None


@dataclass
class TimelineRow:
    """One failover / failback with its milestones (monotonic ms, None = n/a)."""

    at_ms: int
    kind: str
    from_node: str
    to_node: str
    groups: tuple[str, ...]
    phases: dict[str, int | None]
    why: str


PHASES = ("last heard", "declared dead", "decided", "VIP added", "ARP sent", "scripts done")
NOT_RUNNING = ("stopped", "killed")
FAILURE_WORDS = ("rc=", "FAILED", "timed out")  # a resource status that reports a failure


class ConsoleModel:
    """See the module docstring. ``clock`` formats a monotonic ms as wall time."""

    def __init__(self, us: str, clock: Callable[[int], str]) -> None:
        self.us = us
        self.clock = clock
        self.nodes: dict[str, NodeView] = {us: NodeView(us, is_self=True)}
        self.vips: dict[str, VipView] = {}
        self.resources: dict[str, str] = {}  # resource token -> last status
        self.groups: dict[str, str] = {}  # group key -> home node
        self.scripts: dict[int, ScriptCall] = {}
        self.timeline: list[TimelineRow] = []
        self.log: deque[LogLine] = deque(maxlen=LOG_KEEP)
        self.heard: deque[int] = deque()  # at_ms of datagrams that reached us
        self.counts: deque[PacketCounts] = deque(maxlen=64)  # the node's own, oldest first
        self.rejected: Counter[tuple[str, str]] = Counter()
        self.warntime_ms = 15000
        self.keepalive_ms = 1000
        self.keepalives_visible = True  # False when watching the real daemon
        self.started_ms: int | None = None  # this node's start, for its uptime
        self.split_brain: tuple[ProbedSplit, ...] = ()  # what its ARP probe found
        self.probe_held: frozenset[str] = frozenset()  # the VIPs its probe found on it
        self._dead_at: dict[str, ev.PeerDead] = {}
        self._pending_why = ""
        self._offered_at: dict[tuple[str, ...], int] = {}  # our auto_failback offers
        self._last_vip_added_ms: int | None = None
        self._last_row_ms = -1  # the time of the last timeline row: earlier scripts were its

    # -- helpers -----------------------------------------------------------------------

    def node(self, name: str) -> NodeView:
        """The view of ``name`` (created on first mention)."""
        if name not in self.nodes:
            self.nodes[name] = NodeView(name)
        return self.nodes[name]

    def rate_in(self, now_ms: int) -> float:
        """Datagrams per second heard over the last few seconds."""
        while self.heard and self.heard[0] < now_ms - RATE_WINDOW_MS:
            self.heard.popleft()
        return len(self.heard) * 1000 / RATE_WINDOW_MS

    def rate_out(self, now_ms: int) -> tuple[float, float] | None:
        """Datagrams and bytes per second this node sent over the last few seconds, from
        its own counters; None until two counts are known (a replay, the real daemon)."""
        counts = self.counts
        while len(counts) > 2 and counts[1].at_ms <= now_ms - RATE_WINDOW_MS:
            counts.popleft()  # keep one count from before the window as its start
        if len(counts) < 2:
            return None
        first, last = counts[0], counts[-1]
        if now_ms - last.at_ms > 2 * RATE_WINDOW_MS:
            return 0.0, 0.0  # no count for a while: the node sends nothing
        span = max(1, last.at_ms - first.at_ms)
        datagrams = (last.sent - first.sent) * 1000 / span
        return datagrams, (last.sent_bytes - first.sent_bytes) * 1000 / span

    # -- reducer -----------------------------------------------------------------------

    def apply(self, item: SourceItem) -> set[str]:
        """Fold one item in; returns the panes that changed."""
        handler = HANDLERS.get(type(item))
        if handler is None:  # an IGNORED type
            return set()
        return handler(self, item)

    def _on_SnapshotTaken(self, item: SnapshotTaken) -> set[str]:
        try:
            seen = read_snapshot(item.data)
        except SnapshotError as exc:  # say so in the log pane; keep what we knew
            text = f"snapshot ignored: {exc}"
            self.log.append(LogLine(item.at_ms, "warn", text))
            return {"log"}
        extras = seen.extras
        self.warntime_ms = extras.warntime_ms or self.warntime_ms
        self.keepalive_ms = extras.keepalive_ms or self.keepalive_ms
        self.keepalives_visible = extras.keepalives_visible
        self.started_ms = seen.started_ms if seen.started_ms is not None else self.started_ms
        if seen.split_brain is not None:
            self.split_brain = seen.split_brain
        if seen.probe_held is not None:
            self.probe_held = seen.probe_held
        for seen_node in seen.nodes:
            self._saw_node(seen_node)
        if self.us in self.nodes:  # our standby handshake, while it lasts
            self.nodes[self.us].standby = seen.standby
        self.groups.update(seen.groups)
        for res in extras.resources:
            self.resources.setdefault(res.token, res.status)
        if seen.running_here is not None:
            self._reconcile_resources(seen.running_here, extras.resources)
        for vip in seen.vips:
            self._saw_vip(vip, item.at_ms)
        for configured in extras.configured_vips:
            if configured.ip not in self.vips:
                shown = VipView(configured.resource, configured.ip)
                shown.why = "owner not reported yet"
                self.vips[configured.ip] = shown
        for rej in seen.rejected:
            self.rejected[(rej.reason, rej.ip)] = rej.count
        if seen.runtime is not None and "sent_bytes" in seen.runtime:  # the node's counters
            counts = PacketCounts.read(item.at_ms, seen.runtime)
            # a snapshot asked for before the last streamed count may carry older figures
            if not self.counts or counts.sent >= self.counts[-1].sent:
                self.counts.append(counts)
        return {"nodes", "vip", "resources", "wire"}

    def _reconcile_resources(
        self, running_here: frozenset[str], resources: tuple[ObservedResource, ...]
    ) -> None:
        """What the engine says runs here wins over a status from events this console
        missed (it opened, or reopened after a rename, while scripts ran): a resource of a
        group running here reads "running here", one of a group not here no longer does.
        A script still running, or a failure, is left as it is."""
        busy = {call.resource for call in self.scripts.values() if call.ended_ms is None}
        for res in resources:
            if res.group is None or res.token in busy:
                continue
            status = self.resources.get(res.token, "")
            if any(word in status for word in FAILURE_WORDS):
                continue
            running = status.startswith("running")
            if res.group in running_here and not running:
                self.resources[res.token] = "running here"
            elif res.group not in running_here and running:
                self.resources[res.token] = "stopped"

    def forget_node(self, name: str) -> None:
        """Drop ``name``'s card (a node renamed away: its old name is no member any more)."""
        if name != self.us:
            self.nodes.pop(name, None)
            self._dead_at.pop(name, None)

    def _saw_node(self, seen: ObservedNode) -> None:
        """One ``nodes`` entry of a snapshot; what it does not carry stays as it was."""
        view = self.node(seen.name)
        view.is_self = seen.is_self
        view.status = seen.status or view.status
        view.uuid = seen.uuid
        view.generation = seen.generation
        if seen.timing is not None:
            view.link = seen.timing.link
            view.links = seen.timing.links
            view.last_heard_ms = seen.timing.last_heard_ms
            view.deadline_ms = seen.timing.deadline_ms
            view.deadtime_ms = seen.timing.deadtime_ms or view.deadtime_ms

    def _saw_vip(self, vip: ObservedVip, at_ms: int) -> None:
        """A VIP's owner as the snapshot reports it; a change is a move."""
        known = vip.ip in self.vips
        shown = self.vips.setdefault(vip.ip, VipView(vip.resource, vip.ip))
        if known and vip.owner != shown.owner:
            shown.moved_at_ms = at_ms
            shown.why = f"now on {vip.owner}" if vip.owner else "no longer seen anywhere"
        shown.owner = vip.owner
        shown.stale = False  # a running node's own report
        shown.device = vip.device or shown.device
        shown.label = vip.label or shown.label

    def _on_KeepaliveReceived(self, item: ev.KeepaliveReceived) -> set[str]:
        view = self.node(item.node)
        view.last_heard_ms = item.at_ms
        view.deadline_ms = item.deadline_ms
        view.deadtime_ms = item.deadline_ms - item.at_ms
        view.link = item.link
        if item.gap_ms is not None:
            view.gaps.append(item.gap_ms)
            bucket = gap_bucket(item.gap_ms, self.keepalive_ms)
            view.gap_counts[bucket] += 1
            # on-time gaps move the shown histogram every HISTOGRAM_REFRESH_MS only (a
            # redraw each keepalive doubled the idle console's CPU); a late one at once
            due = (
                view.gaps_shown_ms is None
                or item.at_ms - view.gaps_shown_ms >= HISTOGRAM_REFRESH_MS
            )
            if bucket > 0 or due:
                view.gaps_shown, view.gaps_shown_ms = dict(view.gap_counts), item.at_ms
        self.heard.append(item.at_ms)
        return {"nodes", "wire"}

    def _on_NodeStateChanged(self, item: ev.NodeStateChanged) -> set[str]:
        view = self.node(item.node)
        view.status = item.new
        if item.node == self.us and item.new in NOT_RUNNING:
            # our node no longer listens: what we knew of the peers is history now
            for other in self.nodes.values():
                if not other.is_self:
                    other.status, other.deadline_ms = "unknown", None
            for vip in self.vips.values():  # a killed node leaves its VIPs behind
                vip.stale = vip.owner == self.us
            return {"nodes", "vip"}
        if item.new == "dead":
            view.deadline_ms = None
        if item.new in ("active", "up"):
            view.standby = False
        return {"nodes"}

    def _on_NodeJoined(self, item: ev.NodeJoined) -> set[str]:
        self.node(item.node)  # autojoin: a member from now on; its status follows
        return {"nodes"}

    def _on_PeerRestarted(self, item: ev.PeerRestarted) -> set[str]:
        self.node(item.node).generation = item.new_generation
        return {"nodes"}

    def _on_PeerDead(self, item: ev.PeerDead) -> set[str]:
        view = self.node(item.node)
        view.status = "dead"
        view.deadline_ms = None
        self._dead_at[item.node] = item
        for vip in self.vips.values():
            if vip.owner == item.node:
                vip.owner = None
                vip.moved_at_ms = item.at_ms
                vip.why = f"{item.node} declared dead; nobody holds it yet"
        return {"nodes", "vip"}

    def _on_PacketCounts(self, item: PacketCounts) -> set[str]:
        if self.counts and item.sent < self.counts[-1].sent:
            self.counts.clear()  # the node restarted: its counters did too
        self.counts.append(item)
        return {"wire"}

    def _on_PacketRejected(self, item: ev.PacketRejected) -> set[str]:
        self.rejected[(item.reason, item.sender[0])] += 1
        self.heard.append(item.at_ms)
        return {"wire"}

    def _on_VipAdded(self, item: ev.VipAdded) -> set[str]:
        view = self.vips.setdefault(item.ip, VipView(item.resource, item.ip))
        view.owner, view.device, view.label = self.us, item.device, item.label
        view.moved_at_ms = self._last_vip_added_ms = item.at_ms
        view.stale = False
        view.why = self._pending_why or "acquired by this node"
        self.resources[item.resource] = "running here"
        return {"vip", "resources"}

    def _on_VipRemoved(self, item: ev.VipRemoved) -> set[str]:
        view = self.vips.setdefault(item.ip, VipView(item.resource, item.ip))
        view.owner = None
        view.stale = False
        view.moved_at_ms = item.at_ms
        view.why = "released by this node"
        self.resources[item.resource] = "stopped"
        return {"vip", "resources"}

    def _on_ScriptStarted(self, item: ev.ScriptStarted) -> set[str]:
        self.scripts[item.request_id] = ScriptCall(
            item.request_id, item.resource, item.argv, item.at_ms, timeout_ms=item.timeout_ms
        )
        op = item.argv[-1] if item.argv else "?"
        limit = "" if item.timeout_ms is None else f" (killed after {item.timeout_ms / 1000:g} s)"
        self.resources[item.resource] = f"{op}…{limit}"
        return {"resources"}

    def _on_ScriptOutput(self, item: ev.ScriptOutput) -> set[str]:
        call = self.scripts.get(item.request_id)
        if call is not None:
            call.lines.append((item.stream, item.line))
        return {"resources"}

    def _on_ScriptExited(self, item: ev.ScriptExited) -> set[str]:
        call = self.scripts.get(item.request_id)
        if call is None:
            return set()
        call.rc, call.ended_ms, call.timed_out = item.rc, item.at_ms, item.timed_out
        op = call.argv[-1] if call.argv else "?"
        if item.timed_out:
            self.resources[call.resource] = f"{op} timed out"
        elif op == "start":
            ok = "running here"
            self.resources[call.resource] = ok if item.rc == 0 else f"start rc={item.rc}"
        elif op == "stop":
            self.resources[call.resource] = "stopped" if item.rc == 0 else f"stop rc={item.rc}"
        else:
            self.resources[call.resource] = f"status rc={item.rc}"
        return {"resources"}

    def _on_TakeoverStarted(self, item: ev.TakeoverStarted) -> set[str]:
        self._pending_why = _takeover_why(item.from_node, item.reason)
        if item.reason == "standby":
            self.node(item.from_node).standby = True
        return set()

    def _on_TakeoverDone(self, item: ev.TakeoverDone) -> set[str]:
        p = item.phases
        dead = self._dead_at.get(item.from_node)
        why = self._pending_why or _takeover_why(item.from_node, item.reason)
        if item.reason == "dead" and p.last_heard_ms is not None:
            deadtime = dead.deadtime_ms if dead else None
            why = f"{item.from_node} stopped sending keepalives at {self.clock(p.last_heard_ms)}"
            if deadtime:
                why += f"; declared dead after deadtime {deadtime / 1000:g} s"
        phases: dict[str, int | None] = {
            "last heard": p.last_heard_ms,
            "declared dead": p.declared_dead_ms,
            "decided": p.decided_ms,
            "VIP added": p.vip_added_ms,
            "ARP sent": p.vip_added_ms,  # the runtime announces as part of adding
            "scripts done": p.scripts_done_ms,
        }
        kind = "failover" if item.reason in ("dead", "initdead") else "takeover"
        self.timeline.append(
            TimelineRow(item.at_ms, kind, item.from_node, self.us, item.groups, phases, why)
        )
        self._last_row_ms = item.at_ms
        self._pending_why = ""
        return {"timeline", "vip"}

    def _on_Failback(self, item: ev.Failback) -> set[str]:
        """A handshake move (``ask_resources``): a failback when the groups go to their
        home node, a standby when they leave it; the columns it went through filled."""
        if item.phase == "offered":
            self._offered_at[item.groups] = item.at_ms  # our auto_failback offer
            return set()
        group = item.groups[0] if item.groups else "?"
        homeward = bool(item.groups) and self.groups.get(group) == item.to_node
        offered = self._offered_at.pop(item.groups, None)
        if homeward:
            kind = "failback"
            cause = "auto_failback" if offered is not None else "standby/takeover"
            why = f"{cause}: {group} goes home from {item.from_node} to {item.to_node}"
        else:
            kind = "standby"
            why = f"{item.from_node} went standby: {group} moves to {item.to_node}"
        phases: dict[str, int | None] = dict.fromkeys(PHASES)
        phases["decided"] = offered if offered is not None else self._move_began(item)
        if item.phase == "acquired":  # we took the groups: our VIP and start scripts
            added = self._last_vip_added_ms
            if added is not None and added >= (phases["decided"] or 0):
                phases["VIP added"] = phases["ARP sent"] = added
        phases["scripts done"] = item.at_ms
        self.timeline.append(
            TimelineRow(item.at_ms, kind, item.from_node, item.to_node, item.groups, phases, why)
        )
        self._last_row_ms = item.at_ms
        if item.phase == "released" and item.from_node == self.us:
            for vip in self.vips.values():
                if vip.owner is None:
                    vip.owner, vip.moved_at_ms, vip.why = item.to_node, item.at_ms, why
        return {"timeline", "vip"}

    def _move_began(self, item: ev.Failback) -> int:
        """When this move's first step ran (a script or the VIP added after the previous
        row: a taker adds the VIP before its first script), else its own time."""
        began = [c.started_ms for c in self.scripts.values() if c.started_ms > self._last_row_ms]
        added = self._last_vip_added_ms
        if added is not None and added > self._last_row_ms:
            began.append(added)
        return min(began, default=item.at_ms)

    def _on_StopFailed(self, item: ev.StopFailed) -> set[str]:
        self.resources[item.resource] = f"STOP FAILED: {item.detail}"
        return {"resources"}

    def _on_LogLine(self, item: LogLine) -> set[str]:
        self.log.append(item)
        return {"log"}

    def _on_ActionDone(self, item: ActionDone) -> set[str]:
        self.log.append(self.action_line(item))
        return {"log"}

    def action_line(self, item: ActionDone) -> LogLine:
        """The log pane's line for an operator action."""
        level = "info" if item.ok else "ERROR"
        text = f"{self.clock(item.at_ms)} console: [{item.node}] {item.action}: {item.result}"
        return LogLine(item.at_ms, level, text)


# Item types the model has no use for, and why: late keepalives and a peer alive behind
# failing authentication reach the operator as their log lines; the hold a node announces
# is in its next snapshot; a replay gate only paces a replay.
IGNORED: frozenset[type] = frozenset(
    {ev.PeerLate, ev.AuthMismatchAlive, ev.ResourcesChanged, ReplayGate}
)
ITEM_TYPES: tuple[type, ...] = typing.get_args(SourceItem)
Handler = Callable[[ConsoleModel, typing.Any], set[str]]
# One entry per item type: ``ConsoleModel._on_<TypeName>``. A type with neither a handler
# nor a place in IGNORED fails here, at import (and in tests/console/test_console_model.py).
HANDLERS: dict[type, Handler] = {
    cls: getattr(ConsoleModel, f"_on_{cls.__name__}") for cls in ITEM_TYPES if cls not in IGNORED
}


def _takeover_why(from_node: str, reason: str) -> str:
    return {
        "dead": f"{from_node} declared dead",
        "shutdown": f"{from_node} announced a graceful shutdown and gave its groups up",
        "standby": f"{from_node} went standby and handed its groups over",
        "initdead": f"{from_node} never appeared within initdead",
    }.get(reason, f"taken over from {from_node} ({reason})")
