"""The typed picture of a node: ``Node.describe(now_ms)`` -> ``NodeSnapshot``.

Each engine component describes its own part through a read-only method (membership
the peers' liveness, ownership the holds, groups and VIPs, the stamper the uuids and
our seq, the acceptor the generations and rejections); ``assemble`` only puts the parts
together. ``NodeSnapshot.to_dict()`` is the JSON-able dict of ``Node.snapshot()`` (for
``hbtui status`` and the console) and ``NodeSnapshot.from_dict`` reads it back.

Countdowns: a peer's ``deadline_ms`` is when it is declared dead if it stays silent;
``remaining_ms`` is that minus ``now_ms`` (when given). All times are the engine's
monotonic milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hbtui.engine.handshake import Stage
from hbtui.engine.holdstate import Phase
from hbtui.engine.pingwatch import PingSnapshot, ping_from_dict, ping_to_dict
from hbtui.engine.status import NodeStatus
from hbtui.wire.reasons import Reason

if TYPE_CHECKING:
    from hbtui.engine.node import Node


@dataclass(frozen=True, slots=True)
class LinkState:
    """One link to a peer: the device its packets come in on, up or dead."""

    name: str
    up: bool
    last_heard_ms: int | None

    def to_dict(self) -> dict[str, Any]:
        """The link's entry of a peer's ``links`` (status as cl_status hblinkstatus says)."""
        return {"status": "up" if self.up else "dead", "last_heard_ms": self.last_heard_ms}


@dataclass(frozen=True, slots=True)
class PeerLiveness:
    """A peer as membership knows it (``Membership.describe``)."""

    name: str
    status: str  # what its last status said; "unknown" before, "dead" once declared
    hbtui: bool
    link: str
    link_up: bool
    last_heard_ms: int | None
    deadtime_ms: int  # its advertised dt
    deadline_ms: int | None  # None once declared dead
    remaining_ms: int | None
    auth_failures_in_window: int
    links: tuple[LinkState, ...] = ()  # every medium's device, in ha.cf order


@dataclass(frozen=True, slots=True)
class PeerSnapshot:
    """One peer: its liveness, identity and what it holds."""

    live: PeerLiveness
    uuid: str | None  # hex, None before it spoke
    generation: int | None
    rsc_hold: str | None  # None before it announced
    joined: bool = False  # a member by autojoin, not by the node list

    @property
    def name(self) -> str:
        """The peer's node name."""
        return self.live.name

    def to_dict(self) -> dict[str, Any]:
        """The peer's entry of ``nodes``."""
        live = self.live
        joined = {"joined": True} if self.joined else {}  # only then: old snapshots unchanged
        return {
            "self": False,
            "status": live.status,
            "uuid": self.uuid,
            "generation": self.generation,
            "hbtui": live.hbtui,
            "link": live.link,
            "link_up": live.link_up,
            "last_heard_ms": live.last_heard_ms,
            "deadtime_ms": live.deadtime_ms,
            "deadline_ms": live.deadline_ms,
            "remaining_ms": live.remaining_ms,
            "rsc_hold": self.rsc_hold,
            "auth_failures_in_window": live.auth_failures_in_window,
            "links": {link.name: link.to_dict() for link in live.links},
            **joined,
        }

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> PeerSnapshot:
        """Read back ``to_dict``."""
        links = tuple(
            LinkState(n, ln.get("status") == "up", ln.get("last_heard_ms"))
            for n, ln in d.get("links", {}).items()
        )  # optional: snapshots from before issue 16 have none
        live = PeerLiveness(
            name, d["status"], d["hbtui"], d["link"], d["link_up"], d["last_heard_ms"],
            d["deadtime_ms"], d["deadline_ms"], d["remaining_ms"], d["auth_failures_in_window"],
            links,
        )  # fmt: skip
        joined = bool(d.get("joined", False))  # optional: snapshots from before autojoin
        return cls(live, d["uuid"], d["generation"], d["rsc_hold"], joined)


@dataclass(frozen=True, slots=True)
class SelfSnapshot:
    """Who we are on the wire (our status and rsc_hold are the node's)."""

    uuid: str  # hex
    generation: int


@dataclass(frozen=True, slots=True)
class GroupSnapshot:
    """A haresources group: its key, home node and whether it runs here."""

    key: str
    home: str
    running_here: bool


@dataclass(frozen=True, slots=True)
class VipSnapshot:
    """An IPaddr resource and who we believe holds it (None: nobody we know)."""

    resource: str
    ip: str
    owner: str | None


@dataclass(frozen=True, slots=True)
class RejectedCount:
    """Datagrams from ``ip`` dropped for ``reason`` so far."""

    reason: Reason
    ip: str
    count: int


@dataclass(frozen=True, slots=True)
class OwnershipSnapshot:
    """What ownership knows (``Ownership.describe``)."""

    phase: Phase
    rsc_hold: str
    standby: Stage | None  # the handshake's stage, None when none runs
    holds: tuple[tuple[str, str | None], ...]  # (peer, its rsc_hold)
    groups: tuple[GroupSnapshot, ...]
    vips: tuple[VipSnapshot, ...]


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """The whole node at ``now_ms`` (see the module docstring)."""

    node: str
    now_ms: int | None
    started_ms: int
    status: NodeStatus
    phase: Phase
    rsc_hold: str
    standby: Stage | None
    busy: bool  # a resource job is running or queued
    this: SelfSnapshot
    peers: tuple[PeerSnapshot, ...]
    groups: tuple[GroupSnapshot, ...]
    vips: tuple[VipSnapshot, ...]
    seq: int  # of the last message we sent
    rejected: tuple[RejectedCount, ...]
    next_deadline_ms: int | None
    stop_failed: tuple[str, ...] = ()  # resources whose stop failed: held here (hbtui)
    ping: PingSnapshot | None = None  # ping nodes and ipfail, when ha.cf has ping lines

    @property
    def condition(self) -> str | None:
        """What the operator must know beyond ``status`` (None when all is well)."""
        return "stop failed, holding" if self.stop_failed else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able dict of ``Node.snapshot()`` (plain str, int, bool, None)."""
        nodes: dict[str, Any] = {
            self.node: {
                "self": True,
                "status": self.status.value,
                "uuid": self.this.uuid,
                "generation": self.this.generation,
                "rsc_hold": self.rsc_hold,
            }
        }
        nodes.update((p.name, p.to_dict()) for p in self.peers)
        return {
            "node": self.node,
            "now_ms": self.now_ms,
            "started_ms": self.started_ms,
            "status": self.status.value,
            "phase": self.phase.value,
            "rsc_hold": self.rsc_hold,
            "standby": None if self.standby is None else self.standby.value,
            "busy": self.busy,
            "nodes": nodes,
            "groups": [_plain(g) for g in self.groups],
            "vips": [_plain(v) for v in self.vips],
            "seq": self.seq,
            "rejected": [_plain(r) for r in self.rejected],
            "next_deadline_ms": self.next_deadline_ms,
            # hbtui: only while a failed stop holds something (the dict is otherwise unchanged)
            **(
                {"stop_failed": list(self.stop_failed), "condition": self.condition}
                if self.stop_failed
                else {}
            ),
            **({} if self.ping is None else ping_to_dict(self.ping)),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> NodeSnapshot:
        """Read back ``to_dict`` (keys added by others, e.g. ``runtime``, are ignored)."""
        name = d["node"]
        us = d["nodes"][name]
        standby = d["standby"]
        return cls(
            node=name,
            now_ms=d["now_ms"],
            started_ms=d["started_ms"],
            status=NodeStatus(d["status"]),
            phase=Phase(d["phase"]),
            rsc_hold=d["rsc_hold"],
            standby=None if standby is None else Stage(standby),
            busy=d["busy"],
            this=SelfSnapshot(us["uuid"], us["generation"]),
            peers=tuple(
                PeerSnapshot.from_dict(n, p) for n, p in d["nodes"].items() if not p["self"]
            ),
            groups=tuple(
                GroupSnapshot(g["key"], g["home"], g["running_here"]) for g in d["groups"]
            ),
            vips=tuple(VipSnapshot(v["resource"], v["ip"], v["owner"]) for v in d["vips"]),
            seq=d["seq"],
            rejected=tuple(
                RejectedCount(Reason(r["reason"]), r["ip"], r["count"]) for r in d["rejected"]
            ),
            next_deadline_ms=d["next_deadline_ms"],
            stop_failed=tuple(d.get("stop_failed", ())),
            ping=ping_from_dict(d),
        )


def _plain(item: GroupSnapshot | VipSnapshot | RejectedCount) -> dict[str, Any]:
    """A flat snapshot part as a dict of its fields (enums as their plain strings)."""
    out = {}
    for f in fields(item):
        value = getattr(item, f.name)
        out[f.name] = value.value if isinstance(value, StrEnum) else value
    return out


def assemble(node: Node, now_ms: int | None) -> NodeSnapshot:
    """Put together what each component of ``node`` says of itself."""
    own = node.owner.describe()
    holds = dict(own.holds)
    peers = []
    for live in node.members.describe(now_ms):
        uuid = node.stamper.uuid_of(live.name)
        generation = node.acceptor.generation(live.name)
        hold = holds.get(live.name)
        joined = live.name in node.joiner.joined
        peers.append(PeerSnapshot(live, uuid.hex() if uuid else None, generation, hold, joined))
    counters = sorted(node.acceptor.counters.items())
    return NodeSnapshot(
        node=node.us,
        now_ms=now_ms,
        started_ms=node.start_ms,
        status=node.status,
        phase=own.phase,
        rsc_hold=own.rsc_hold,
        standby=own.standby,
        busy=node.runner.busy,
        this=SelfSnapshot(node.identity.uuid.hex(), node.identity.generation),
        peers=tuple(peers),
        groups=own.groups,
        vips=own.vips,
        seq=node.stamper.seq,
        rejected=tuple(RejectedCount(reason, ip, n) for (reason, ip), n in counters),
        next_deadline_ms=node.next_deadline(),
        stop_failed=node.runner.stop_failed(),
        ping=node.pings.describe() if node.cf.ping_nodes else None,
    )
