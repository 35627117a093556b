"""The node's ping-node half: liveness (``pingnodes``) plus, with ipfail, the decision
(``ipfail``), behind the few calls ``Node`` makes (docs/protocol.md §12)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hbtui.config.model import AutoFailback, ClusterConfig
from hbtui.engine import messages as m
from hbtui.engine.actions import Ping, WriteLog
from hbtui.engine.ipfail import Giveup, Ipfail, IpfailView
from hbtui.engine.pingnodes import PingNodes, PingState, PingView
from hbtui.wire.message import Message

IPFAIL_TYPES = frozenset({"num_ping_nodes", "you_are_dead", "abort_giveup", "hbapi-clstat"})


@dataclass(frozen=True, slots=True)
class PingSnapshot:
    """Ping nodes and ipfail's pending decision for ``describe``."""

    nodes: tuple[PingView, ...]
    ipfail: IpfailView | None


class PingWatch:
    """Ping nodes of ha.cf; ipfail when a ``respawn .../ipfail`` line asks for it."""

    def __init__(
        self,
        config: ClusterConfig,
        now_ms: int,
        send: Callable[[m.Draft, int], None],
        emit: Callable[[WriteLog | Ping], None],
        stable: Callable[[], bool],
        standby: Callable[[str, int], bool],
    ) -> None:
        cf = config.ha_cf
        self.nodes = PingNodes(cf.ping_nodes, cf.deadping_ms, cf.initdead_ms, now_ms)
        self._emit, self._send = emit, send
        self.ipfail: Ipfail | None = None
        peers = config.peers
        usable = cf.auto_failback is not AutoFailback.LEGACY and len(peers) == 1
        if cf.ipfail and cf.ping_nodes and usable:
            failback = cf.auto_failback is AutoFailback.ON
            delay = 2 * cf.keepalive_ms  # ipfail: twice the keepalive
            self.ipfail = Ipfail(peers[0], delay, failback, send, emit, stable, standby)

    def start(self, now_ms: int) -> None:
        """The node starts: count from now, and say our ipfail joined (the peer's asks)."""
        self.nodes.restart(now_ms)
        if self.ipfail is not None:
            self._send(m.ipfail_join(), now_ms)

    def keepalive(self) -> None:
        """Each keepalive: one echo per ping host (as the daemon does on each status)."""
        if self.nodes.hosts:
            self._emit(Ping(self.nodes.hosts))

    def reply(self, host: str, now_ms: int) -> None:
        """An echo reply from ``host``."""
        change = self.nodes.on_reply(host, now_ms)
        if change is None:
            return
        for line in change.lines:
            self._emit(line)
        if self.ipfail is not None:
            self.ipfail.ping_up(change.name, self.nodes.up_count(), now_ms)

    def tick(self, now_ms: int) -> None:
        """Ping nodes whose deadping ran out, then ipfail's timers."""
        for change in self.nodes.due(now_ms):
            for line in change.lines:
                self._emit(line)
            if self.ipfail is not None and change.state is PingState.DEAD:
                self.ipfail.ping_dead(change.name, self.nodes.up_count(), now_ms)
        if self.ipfail is not None:
            self.ipfail.due(now_ms, self.nodes.up_count())

    def on_message(self, node: str, msg: Message, now_ms: int) -> None:
        """A message from ``node``: ipfail's own types, and the peer's stable resources."""
        ipf = self.ipfail
        if ipf is None or node != ipf.peer:
            return
        mtype = msg.type or ""
        if mtype == "num_ping_nodes":
            ipf.on_num_ping(msg.get("num_ping") or "0", self.nodes.up_count(), now_ms)
        elif mtype == "you_are_dead":
            ipf.on_you_are_dead(now_ms)
        elif mtype == "abort_giveup":
            ipf.abort()
        elif mtype == "hbapi-clstat" and msg.get("st") == "join":
            if msg.get("from_id") == "ipfail":
                ipf.ask(self.nodes.up_count(), now_ms)
        elif mtype == "resource" and msg.get("isstable") == "1" and msg.get("info") is None:
            ipf.on_peer_stable(now_ms)

    def next_deadline(self) -> int | None:
        """When ``tick`` has work next."""
        times = [self.nodes.next_deadline()]
        if self.ipfail is not None:
            times.append(self.ipfail.next_deadline())
        return min((t for t in times if t is not None), default=None)

    def describe(self) -> PingSnapshot:
        """Ping nodes and ipfail, for the snapshot."""
        view = None if self.ipfail is None else self.ipfail.describe()
        return PingSnapshot(self.nodes.describe(), view)


def ping_to_dict(snap: PingSnapshot) -> dict[str, Any]:
    """The snapshot's ``ping_nodes`` and ``ipfail`` keys (present only when configured)."""
    nodes = {
        v.name: {
            "status": v.state.value,
            "hosts": list(v.hosts),
            "last_reply_ms": v.last_reply_ms,
            "since_ms": v.since_ms,
        }
        for v in snap.nodes
    }
    ipf = snap.ipfail
    return {
        "ping_nodes": nodes,
        "ipfail": None
        if ipf is None
        else {
            "peer": ipf.peer,
            "giveup": None if ipf.giveup is None else ipf.giveup.value,
            "giveup_at_ms": ipf.giveup_at_ms,
            "need_standby": ipf.need_standby,
            "peer_count": ipf.peer_count,
        },
    }


def ping_from_dict(d: Mapping[str, Any]) -> PingSnapshot | None:
    """Read back ``ping_to_dict`` (None when the dict has no ping nodes)."""
    if "ping_nodes" not in d:
        return None
    nodes = tuple(
        PingView(name, tuple(p["hosts"]), PingState(p["status"]), p["last_reply_ms"], p["since_ms"])
        for name, p in d["ping_nodes"].items()
    )
    ipf = d.get("ipfail")
    view = None
    if ipf is not None:
        giveup = None if ipf["giveup"] is None else Giveup(ipf["giveup"])
        view = IpfailView(
            ipf["peer"], giveup, ipf["giveup_at_ms"], ipf["need_standby"], ipf["peer_count"]
        )
    return PingSnapshot(nodes, view)
