"""Where two nodes' views of the cluster differ: both holding a VIP is split brain, one
hearing the other while declared dead by it is one-way loss. Each side is that node's own
``ConsoleModel`` (ours, and the peer's as its stream or log tells it).
"""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.console.model import ConsoleModel


def members(model: ConsoleModel) -> dict[str, str]:
    """Each member's status as this node sees it."""
    return {name: node.status for name, node in model.nodes.items()}


def vip_owners(model: ConsoleModel) -> dict[str, str | None]:
    """Who holds each VIP, as this node sees it (no one for an address a killed node left
    behind: that view is stale, not a claim)."""
    return {ip: None if vip.stale else vip.owner for ip, vip in model.vips.items()}


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Where the two views differ, with what each side says."""

    kind: str  # "split-brain", "membership", "one-way"
    text: str


def disagreements(local: ConsoleModel, peer: ConsoleModel) -> list[Disagreement]:
    """Compare two nodes' views; split brain first."""
    local_node, peer_node = local.us, peer.us
    local_members, peer_members = members(local), members(peer)
    local_vips, peer_vips = vip_owners(local), vip_owners(peer)
    found: list[Disagreement] = []
    for ip in sorted(set(local_vips) | set(peer_vips)):
        ours, theirs = local_vips.get(ip), peer_vips.get(ip)
        if ours == local_node and theirs == peer_node:
            found.append(
                Disagreement(
                    "split-brain",
                    f"SPLIT BRAIN: {ip} is held by {local_node} and by {peer_node}: "
                    f"{local_node} sees {peer_node} {local_members.get(peer_node, '?')}, "
                    f"{peer_node} sees {local_node} {peer_members.get(local_node, '?')}",
                )
            )
        elif ours != theirs and theirs is not None and ours is not None:
            found.append(
                Disagreement(
                    "membership", f"{ip}: {local_node} says {ours}, {peer_node} says {theirs}"
                )
            )
    we_see = local_members.get(peer_node)
    they_see = peer_members.get(local_node)
    if we_see == "active" and they_see == "dead":
        found.append(
            Disagreement(
                "one-way",
                f"one-way loss: {local_node} hears {peer_node}, but {peer_node} declared "
                f"{local_node} dead (our keepalives do not reach it: firewall or route)",
            )
        )
    elif we_see == "dead" and they_see == "active":
        found.append(
            Disagreement(
                "one-way",
                f"one-way loss: {peer_node} hears {local_node}, but {local_node} declared "
                f"{peer_node} dead (its keepalives do not reach us)",
            )
        )
    return sorted(found, key=lambda d: d.kind != "split-brain")
