"""Two nodes' models compared: split brain with both views, one-way loss."""

from __future__ import annotations

from typing import Any

from hbtui.console.disagreements import disagreements
from hbtui.console.model import ConsoleModel
from hbtui.stream.items import SnapshotTaken

VIP = "192.168.10.10"


def model(us: str, members: dict[str, str], owner: str | None) -> ConsoleModel:
    """A node's model after one snapshot: its members' statuses and the VIP's owner."""
    nodes: dict[str, Any] = {n: {"status": st, "self": n == us} for n, st in members.items()}
    vip = {"resource": f"IPaddr::{VIP}/24", "ip": VIP, "owner": owner}
    data = {"node": us, "nodes": nodes, "vips": [vip]}
    built = ConsoleModel(us, str)
    built.apply(SnapshotTaken(0, data))
    return built


def test_split_brain_is_called_out_with_both_views() -> None:
    ours = model("server1", {"server1": "active", "server2": "dead"}, "server1")
    theirs = model("server2", {"server2": "active", "server1": "dead"}, "server2")
    found = disagreements(ours, theirs)
    assert found[0].kind == "split-brain"
    assert f"SPLIT BRAIN: {VIP} is held by server1 and by server2" in found[0].text
    assert "server1 sees server2 dead, server2 sees server1 dead" in found[0].text


def test_one_way_loss() -> None:
    ours = model("server1", {"server1": "active", "server2": "active"}, "server2")
    theirs = model("server2", {"server2": "active", "server1": "dead"}, "server2")
    found = disagreements(ours, theirs)
    assert [d.kind for d in found] == ["one-way"]
    assert "our keepalives do not reach it" in found[0].text


def test_agreeing_views_have_nothing_to_say() -> None:
    ours = model("server1", {"server1": "active", "server2": "active"}, "server1")
    theirs = model("server2", {"server2": "active", "server1": "active"}, "server1")
    assert disagreements(ours, theirs) == []


def test_a_killed_nodes_stale_vip_is_no_split_brain() -> None:
    """Seen at 80x24 in tmux: after `k` the killed node's view still had the VIP, so the
    console called the takeover a split brain; the address it left behind is stale."""
    from hbtui.engine import events as ev

    ours = model("server1", {"server1": "active", "server2": "active"}, "server1")
    ours.apply(ev.NodeStateChanged(5, "server1", "active", "killed", "crash drill"))
    theirs = model("server2", {"server2": "active", "server1": "dead"}, "server2")
    assert [d.kind for d in disagreements(ours, theirs)] == []
