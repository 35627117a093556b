"""The peer's own view, as read over the link: a pure reducer and the disagreement checks.

Fed with what the peer says: ``hbtui status --follow`` JSON lines (an hbtui peer), or
``cl_status`` answers and ``tail -F`` ha-log lines (the real daemon). The console shows
it beside the local view; :func:`disagreements` compares the two (both owning a VIP is
split brain; the peer not hearing us while we hear it is one-way loss).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

LOG_KEEP = 200
LEVELS = ("CRIT", "ERROR", "WARN", "info", "debug")


@dataclass
class PeerView:
    """What one peer believes, newest facts only."""

    node: str
    source: str = ""  # "hbtui" or "heartbeat"
    status: str | None = None
    members: dict[str, str] = field(default_factory=dict)  # node -> status, as the peer sees
    vip_owners: dict[str, str | None] = field(default_factory=dict)  # ip -> owner
    rsc_hold: str | None = None
    heard_us_ms: int | None = None  # when the peer last logged a keepalive from us
    gap_from_us_ms: int | None = None  # the gap between our last two keepalives, at the peer
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> count
    log: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_KEEP))
    dropped_events: int = 0

    def apply_snapshot(self, snap: dict[str, Any]) -> None:
        """A full hbtui snapshot (``hbtui status --json`` or the first ``--follow`` line)."""
        self.source = "hbtui"
        self.status = snap.get("status")
        self.rsc_hold = snap.get("rsc_hold")
        nodes = snap.get("nodes") or {}
        self.members = {str(n): str(info.get("status")) for n, info in nodes.items()}
        self.vip_owners = {str(v.get("ip")): v.get("owner") for v in snap.get("vips") or []}
        self.rejected = {}
        for item in snap.get("rejected") or []:
            reason = str(item.get("reason"))
            self.rejected[reason] = self.rejected.get(reason, 0) + int(item.get("count", 0))

    def apply_event(self, event: dict[str, Any], us: str | None = None) -> None:
        """One ``--follow`` line: ``{"type": ..., ...}``."""
        kind = event.get("type")
        if kind == "snapshot":
            self.apply_snapshot(event.get("snapshot") or {})
        elif kind == "KeepaliveReceived":
            node = str(event.get("node"))
            self.members[node] = str(event.get("status"))
            if us is not None and node == us:
                self.heard_us_ms = event.get("at_ms")
                self.gap_from_us_ms = event.get("gap_ms")
        elif kind == "NodeStateChanged":
            self.members[str(event.get("node"))] = str(event.get("new"))
        elif kind == "PeerDead":
            self.members[str(event.get("node"))] = "dead"
        elif kind == "VipAdded":
            self.vip_owners[str(event.get("ip"))] = self.node
        elif kind == "VipRemoved" and self.vip_owners.get(str(event.get("ip"))) == self.node:
            self.vip_owners[str(event.get("ip"))] = None
        elif kind == "PacketRejected":
            reason = str(event.get("reason"))
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
        elif kind == "ResourcesChanged":
            self.rsc_hold = event.get("rsc_hold")
        elif kind == "Dropped":
            self.dropped_events += int(event.get("count", 0))

    def apply_cl_status(self, listnodes: str, statuses: dict[str, str]) -> None:
        """The real daemon: ``cl_status listnodes`` and ``nodestatus`` of each node."""
        self.source = "heartbeat"
        for name in listnodes.split():
            self.members[name] = statuses.get(name, "?")

    def apply_log_line(self, line: str, live: bool = True) -> None:
        """One ha-log line (kept; a few live real-daemon lines also update the view)."""
        self.log.append(line)
        if not live:
            return
        if "Status update for node " in line and ": status " in line:
            head, _, status = line.rpartition(": status ")
            node = head.rsplit("Status update for node ", 1)[-1]
            self.members[node.strip()] = status.strip()
        elif "WARN: node " in line and ": is dead" in line:
            node = line.split("WARN: node ", 1)[1].split(":", 1)[0]
            self.members[node.strip()] = "dead"


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Where the two views differ, with what each side says."""

    kind: str  # "split-brain", "membership", "one-way"
    text: str


def disagreements(
    local_node: str,
    local_members: dict[str, str],
    local_vips: dict[str, str | None],
    peer: PeerView,
) -> list[Disagreement]:
    """Compare our view with the peer's; split brain first."""
    found: list[Disagreement] = []
    for ip in sorted(set(local_vips) | set(peer.vip_owners)):
        ours, theirs = local_vips.get(ip), peer.vip_owners.get(ip)
        if ours == local_node and theirs == peer.node:
            found.append(
                Disagreement(
                    "split-brain",
                    f"SPLIT BRAIN: {ip} is held by {local_node} and by {peer.node}: "
                    f"{local_node} sees {peer.node} {local_members.get(peer.node, '?')}, "
                    f"{peer.node} sees {local_node} {peer.members.get(local_node, '?')}",
                )
            )
        elif ours != theirs and theirs is not None and ours is not None:
            found.append(
                Disagreement(
                    "membership", f"{ip}: {local_node} says {ours}, {peer.node} says {theirs}"
                )
            )
    we_see = local_members.get(peer.node)
    they_see = peer.members.get(local_node)
    if we_see == "active" and they_see == "dead":
        found.append(
            Disagreement(
                "one-way",
                f"one-way loss: {local_node} hears {peer.node}, but {peer.node} declared "
                f"{local_node} dead (our keepalives do not reach it: firewall or route)",
            )
        )
    elif we_see == "dead" and they_see == "active":
        found.append(
            Disagreement(
                "one-way",
                f"one-way loss: {peer.node} hears {local_node}, but {local_node} declared "
                f"{peer.node} dead (its keepalives do not reach us)",
            )
        )
    return sorted(found, key=lambda d: d.kind != "split-brain")
