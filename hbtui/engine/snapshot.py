"""``Node.snapshot()``: a JSON-able picture for ``hbtui status`` and the console.

Countdowns: ``nodes[*].deadline_ms`` is when the node is declared dead if it stays
silent; ``remaining_ms`` is that minus ``now_ms`` (when given). All times are the
engine's monotonic milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hbtui.engine.resources import VIP_RESOURCES, parse_vip

if TYPE_CHECKING:
    from hbtui.engine.node import Node


def build(node: Node, now_ms: int | None) -> dict[str, Any]:
    """See the module docstring."""
    members = node.members
    owner = node.owner
    nodes: dict[str, Any] = {
        node.us: {
            "self": True,
            "status": node.status,
            "uuid": node.identity.uuid.hex(),
            "generation": node.identity.generation,
            "rsc_hold": owner.rsc_hold,
        }
    }
    for name, p in members.peers.items():
        deadline = None if p.dead else members.deadline(p)
        nodes[name] = {
            "self": False,
            "status": p.status,
            "uuid": p.uuid.hex() if p.uuid else None,
            "generation": p.generation,
            "hbtui": p.hbtui,
            "link": p.link,
            "link_up": p.link_up,
            "last_heard_ms": p.last_status_ms,
            "deadtime_ms": p.dt_ms,
            "deadline_ms": deadline,
            "remaining_ms": None if deadline is None or now_ms is None else deadline - now_ms,
            "rsc_hold": owner.peers[name].hold,
            "auth_failures_in_window": len(p.auth_failures),
        }
    groups = []
    vips = []
    for group in node.config.haresources.groups:
        here = group.key in node.runner.running
        groups.append({"key": group.key, "home": group.node, "running_here": here})
        for res in group.resources:
            if res.name in VIP_RESOURCES:
                owner_name = node.us if here else _vip_owner(node, group.node)
                vips.append(
                    {"resource": res.token, "ip": parse_vip(res.args).ip, "owner": owner_name}
                )
    return {
        "node": node.us,
        "now_ms": now_ms,
        "started_ms": node.start_ms,
        "status": node.status,
        "phase": owner.phase.value,
        "rsc_hold": owner.rsc_hold,
        "standby": None if owner.standby is None else owner.standby.stage,
        "busy": node.runner.busy,
        "nodes": nodes,
        "groups": groups,
        "vips": vips,
        "seq": node.stamper.seq,
        "rejected": [
            {"reason": reason.value, "ip": ip, "count": count}
            for (reason, ip), count in sorted(node.acceptor.counters.items())
        ],
        "next_deadline_ms": node.next_deadline(),
    }


def _vip_owner(node: Node, home: str) -> str | None:
    """Our best knowledge of who runs a group we do not run (from peers' rsc_hold)."""
    for name, info in node.owner.peers.items():
        if not info.alive:
            continue
        if info.hold == "all" or (info.hold == "local" and name == home):
            return name
        if info.hold == "foreign" and name != home:
            return name
    return None
