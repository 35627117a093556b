"""What a drill looks at: is the cluster fit for one (preflight), who holds the addresses,
and which event makes it stop (an anomaly). Pure: snapshot dicts and stream items in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALIVE = ("up", "active")


def peers(snap: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The other nodes of the snapshot, by name."""
    return {n: p for n, p in snap.get("nodes", {}).items() if not p.get("self")}


def holder(snap: Mapping[str, Any]) -> str | None:
    """The one node holding every VIP, or None (nobody, or not one node)."""
    owners = {vip.get("owner") for vip in snap.get("vips", [])}
    return owners.pop() if len(owners) == 1 else None


def preflight(snap: Mapping[str, Any]) -> list[str]:
    """Why a drill must not start now (empty: go)."""
    found = []
    if snap.get("status") != "active":
        found.append(f"this node is {snap.get('status', 'not running')}, not active")
    others = peers(snap)
    if len(others) != 1:
        found.append(f"a drill moves a group between two nodes; this cluster has {len(others) + 1}")
    for name, peer in others.items():
        if peer.get("status") not in ALIVE:
            found.append(f"{name} is {peer.get('status')}: it could not take the group")
    if not snap.get("vips"):
        found.append("haresources has no IPaddr: nothing to watch move")
    elif holder(snap) is None:
        owners = ", ".join(f"{v['ip']} on {v.get('owner') or 'nobody'}" for v in snap["vips"])
        found.append(f"the addresses are not on one node ({owners})")
    if snap.get("stop_failed"):
        found.append(f"a failed stop holds {', '.join(snap['stop_failed'])}: resolve it first")
    if snap.get("standby") is not None or snap.get("busy"):
        found.append("a takeover or standby is under way")
    runtime = snap.get("runtime", {})
    if runtime.get("split_brain"):
        found.append("a split brain is reported")
    if runtime.get("scripts_running"):
        found.append("resource scripts are running")
    found += [str(why) for why in snap.get("trouble") or []]  # recent trouble in the ha-log
    found += [str(why) for why in (snap.get("configs") or {}).get("breaks", [])]
    return found


def notes(snap: Mapping[str, Any], peer: str) -> list[str]:
    """What the preflight could not check, and harmless config differences (``configs``
    from ``hbtui.configdiff.by_impact``, with ``unread``: the files not compared; absent:
    the peer's files were not read; ``trouble_unread``: why the ha-log was not read)."""
    said = []
    if snap.get("trouble") is None:
        why = snap.get("trouble_unread") or "the ha-log could not be read"
        said.append(f"flapping not checked ({why})")
    configs = snap.get("configs")
    if configs is None:
        said.append(f"configs not compared (no link to {peer})")
    else:
        said += [str(why) for why in configs.get("unread", [])]
        said += [f"note: {why}" for why in configs.get("differs", [])]
    return said


def anomaly(item: Mapping[str, Any]) -> str | None:
    """Why this stream item stops the drill (None: it does not)."""
    kind = item.get("type")
    if kind == "ScriptExited" and item.get("timed_out"):
        return f"a resource script timed out (request {item.get('request_id')})"
    if kind == "ScriptExited" and item.get("rc") != 0:
        return f"a resource script failed with exit status {item.get('rc')}"
    if kind == "StopFailed":
        return f"{item.get('resource')} would not stop: {item.get('detail')}"
    if kind == "PeerDead":
        return f"{item.get('node')} was declared dead"
    return None
