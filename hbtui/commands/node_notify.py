"""What ``hbtui node`` tells systemd while it runs: READY once joined, STATUS on each change.

``READY=1`` goes out when this node becomes active: it heard a peer, or initdead passed and
it holds what it must (``systemctl start`` returns then, and units ordered after hbtui start
on a node that is really in the cluster). ``STATUS=`` is one line that ``systemctl status``
shows: this node's state, who holds each VIP and how each peer is, rewritten whenever one of
them changes.
"""

from __future__ import annotations

from typing import Any

from hbtui.adapters.runtime import NodeRuntime
from hbtui.adapters.sdnotify import Notifier
from hbtui.engine import events as ev

# events that never change the status line (the line is recomputed after any other)
QUIET = (ev.KeepaliveReceived, ev.PeerLate)


def status_line(snap: dict[str, Any]) -> str:
    """``active; 192.168.10.10 on server1; server2 active`` from a runtime snapshot."""
    us = str(snap.get("node", "?"))
    nodes: dict[str, Any] = snap.get("nodes") or {}
    state = (snap.get("runtime") or {}).get("state")
    own = "stopping" if state == "stopping" else str(nodes.get(us, {}).get("status", "starting"))
    parts = [f"{us} {own}"]
    acquiring = f"{us} (acquiring)" if snap.get("phase") == "acquiring" else "nobody"
    for vip in snap.get("vips") or []:
        parts.append(f"{vip['ip']} on {vip.get('owner') or acquiring}")
    for name, info in nodes.items():
        if name != us:
            parts.append(f"{name} {info.get('status', '?')}")
    if snap.get("stop_failed"):
        parts.append(f"STOP FAILED: {', '.join(snap['stop_failed'])} held")
    return "; ".join(parts)


async def report_to_systemd(runtime: NodeRuntime, notifier: Notifier) -> None:
    """Follow the runtime's events until it closes (see the module docstring)."""
    if not notifier.address:
        return
    events = runtime.events("sd_notify", lossy=True)
    ready = False
    last = ""
    try:
        while True:
            snap = runtime.snapshot()
            ours = (snap.get("nodes") or {}).get(runtime.config.node_name, {})
            lines = []
            if not ready and ours.get("status") == "active":
                ready = True
                lines.append("READY=1")
            text = status_line(snap)
            if text != last:
                last = text
                lines.append(f"STATUS={text}")
            if lines:
                notifier.send(*lines)
            while isinstance(await events.get(), QUIET):
                pass
    except EOFError:
        return
    finally:
        events.close()
