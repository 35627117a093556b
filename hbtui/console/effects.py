"""What a node action will do to the cluster, in one or two sentences, for its confirmation.

Built from the node's model (who holds each VIP, which node is alive, the resources of
haresources), e.g. "server1 gives 192.168.10.10 to server2: failback.sh stops here and
starts there." Every action that stops a node or moves resources is confirmed with it.
"""

from __future__ import annotations

from hbtui.console.model import ConsoleModel

ALIVE = ("active", "up")


def _peers_alive(model: ConsoleModel, node: str) -> list[str]:
    return [n for n, v in model.nodes.items() if n != node and v.status in ALIVE]


def _held_by(model: ConsoleModel, node: str) -> list[str]:
    return [ip for ip, vip in model.vips.items() if vip.owner == node]


def _scripts(model: ConsoleModel) -> str:
    names = [t for t in model.resources if not t.startswith(("IPaddr", "IPaddr2"))]
    return ", ".join(names) or "the resource scripts"


def _list(items: list[str]) -> str:
    return ", ".join(items) if items else "nothing"


def effect(action: str, model: ConsoleModel, node: str) -> str:
    """The confirmation text of ``action`` on ``node``."""
    peers = _peers_alive(model, node)
    peer = peers[0] if peers else None
    ours = _held_by(model, node)
    theirs = [ip for ip, vip in model.vips.items() if vip.owner and vip.owner != node]
    scripts = _scripts(model)
    if action == "standby":
        if peer is None:
            return f"{node} would go standby, but no other node is up: nothing moves."
        return (
            f"{node} gives {_list(ours)} to {peer}: {scripts} stop on {node} and start on "
            f"{peer} (hb_standby)."
        )
    if action == "takeover":
        if peer is None:
            return f"{node} asks for the other node's resources, but no other node is up."
        return (
            f"{node} takes {_list(theirs)} from {peer}: {scripts} stop on {peer} and start on "
            f"{node} (hb_takeover)."
        )
    if action == "stop":
        where = f"{peer} takes them over" if peer else "no other node is up: they go down"
        return (
            f"{node} stops gracefully: it releases {_list(ours)} ({scripts} stop first), "
            f"then {where}."
        )
    if action == "restart":
        back = "; auto_failback may bring them back when it returns" if peer else ""
        where = f"{peer} holds them meanwhile" if peer else "nobody holds them meanwhile"
        return f"{node} stops (releasing {_list(ours)}), then starts again: {where}{back}."
    if action == "start_here":
        vips = _list(list(model.vips))
        others = f"; quitting the console stops it and {peer or 'the peer'} takes them"
        return (
            f"A node named {node} starts inside this console: it joins the cluster, and if "
            f"no other node holds them after initdead it takes {vips} and runs {scripts}"
            f"{others}."
        )
    if action == "quit":
        if not ours:
            return f"Quitting stops the node {node} that runs inside this console."
        where = f"{_list(ours)} moves to {peer}" if peer else f"{_list(ours)} goes down"
        return (
            f"Quitting stops the node {node} that runs inside this console: {where} "
            f"({scripts} stop here{' and start there' if peer else ''})."
        )
    return f"{action} on {node}."
