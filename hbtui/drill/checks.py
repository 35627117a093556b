"""What a drill looks at: is the cluster fit for one (preflight), who holds the addresses,
which event makes it stop (an anomaly), and whether a split brain is under way. Pure:
snapshot dicts and stream items in.

A split brain reaches a drill three ways: the node's ARP probe (hbtui.conf
``split_brain_probe``) in a snapshot's ``runtime.split_brain`` and its CRIT ha-log line
(``Split brain: <ip> is held by ...``, ended by ``Split brain over``); this node and a
peer it hears both claiming a group in a settled snapshot (as ``hbtui status --check``
judges it); and the ha-log's own words (the real daemon's ``Both machines own ...``,
hbtui's ``... claims our resources while we hold them``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hbtui.drill.halog import parse
from hbtui.stream.health import covers

ALIVE = ("up", "active")
SPLIT_SAID = ("Split brain: ", "Both machines own", "claims our resources while we hold them")
SPLIT_OVER = "Split brain over"


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
    if split := split_in_snapshot(snap):
        found.append(f"a split brain is reported ({split})")
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


def settled(snap: Mapping[str, Any]) -> bool:
    """No takeover, standby or resource script under way."""
    running = snap.get("runtime", {}).get("scripts_running")
    return not snap.get("busy") and snap.get("standby") is None and not running


def _claims(snap: Mapping[str, Any]) -> list[str] | None:
    """Each group claimed by two nodes alive (``rsc_hold``), or None when the snapshot
    cannot tell: no groups or holds in it (the real daemon's), or a move under way (a
    claim heard before the handshake ended is no split brain)."""
    nodes = snap.get("nodes") or {}
    groups = snap.get("groups")
    if not groups or not settled(snap) or snap.get("phase", "stable") != "stable":
        return None
    holds = {n: str(v["rsc_hold"]) for n, v in nodes.items()
             if v.get("rsc_hold") and v.get("status") != "dead"}  # fmt: skip
    if len(holds) < 2:
        return None
    found = []
    for group in groups:
        home = str(group.get("home"))
        both = [n for n, hold in holds.items() if covers(hold, home, n)]
        if len(both) > 1:
            found.append(f"group {group.get('key')} claimed by {' and '.join(both)}")
    return found


def split_in_snapshot(snap: Mapping[str, Any]) -> str | None:
    """The split brain ``snap`` shows; "" when it shows there is none (the probe runs and
    found none, or the claims agree); None when it cannot tell."""
    runtime = snap.get("runtime") or {}
    probed = []
    for entry in runtime.get("split_brain") or []:
        holders = (["this node"] if entry.get("here") else []) + list(entry.get("macs") or [])
        probed.append(f"{entry.get('ip')} answered by {' and '.join(holders)}")
    claims = _claims(snap)
    found = probed + (claims or [])
    if found:
        return "; ".join(found)
    return "" if "split_brain" in runtime or claims is not None else None


def split_in_line(text: str) -> str | None:
    """The split brain an ha-log line states; "" for the probe's end of one; None: the
    line says nothing of it."""
    line = parse(text)
    said = line.text.strip() if line is not None else text.strip()
    if said.startswith(SPLIT_OVER):
        return ""
    for words in SPLIT_SAID:
        if words in said:
            return said.removeprefix(words) if words.startswith("Split") else said
    return None


def split_in(item: Mapping[str, Any]) -> str | None:
    """What a stream item says of a split brain (see ``split_in_snapshot``)."""
    kind = item.get("type")
    if kind == "LogLine":
        return split_in_line(str(item.get("text") or ""))
    if kind == "SnapshotTaken":
        return split_in_snapshot(item.get("data") or {})
    return None


def anomaly(item: Mapping[str, Any]) -> str | None:
    """Why this stream item stops the drill (None: it does not)."""
    if split := split_in(item):
        return f"split brain: {split}"
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
