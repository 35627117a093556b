"""Changes between readings and the transitions folded from them (captured readings)."""

from __future__ import annotations

from hbtui.crm.changes import DcChanged, FailureRecorded, GroupPlaced, MultiActive, NodeChanged
from hbtui.crm.state import NodeStatus
from hbtui.crm.timeline import Timeline, TransitionKind
from tests.crm.helpers import GROUP, walk


def test_a_power_cut_is_a_node_change_then_the_group_stopped_then_started() -> None:
    first, unseen, stopped, over = walk(["placed", "cut_unseen", "cut_stopped", "cut_failed_over"])
    assert {type(c) for c in first} == {NodeChanged, DcChanged, GroupPlaced}
    assert unseen == [] or all(not isinstance(c, GroupPlaced) for c in unseen)
    assert NodeChanged(1002.0, "server1", NodeStatus.ONLINE, NodeStatus.OFFLINE) in stopped
    assert GroupPlaced(1002.0, GROUP, ("server1",), ()) in stopped
    assert GroupPlaced(1003.0, GROUP, (), ("server2",)) in over


def test_failover_and_failback_with_their_phases() -> None:
    timeline = Timeline()
    names = ["booted", "starting", "placed", "cut_stopped", "cut_failed_over", "back_rejoining"]
    for found in walk([*names, "placed"]):
        timeline.feed(found)
    start, failover, failback = timeline.transitions
    assert (start.kind, start.to_node) == (TransitionKind.START, "server1")
    assert failover.kind is TransitionKind.FAILOVER
    assert (failover.from_node, failover.to_node) == ("server1", "server2")
    assert failover.phases == {"cause": 1003.0, "stopped": 1003.0, "started": 1004.0}
    assert failover.why() == (
        f"failover of {GROUP} server1 -> server2 in 1.0 s: server1 went offline"
    )
    assert failback.kind is TransitionKind.FAILBACK and failback.to_node == "server1"
    assert failback.done


def test_standby_move_and_recovery_are_told_apart() -> None:
    timeline = Timeline()
    names = ["placed", "standby", "placed", "moving", "moved", "placed", "monitor_failed"]
    for found in walk(names):
        timeline.feed(found)
    kinds = [t.kind for t in timeline.transitions]
    assert kinds == [
        TransitionKind.START,
        TransitionKind.STANDBY,
        TransitionKind.FAILBACK,
        TransitionKind.MOVE,
        TransitionKind.FAILBACK,
    ]
    assert timeline.transitions[3].phases.keys() == {"cause", "stopped", "started"}


def test_two_nodes_holding_and_failures_are_changes_of_their_own() -> None:
    (back,) = walk(["cut_failed_over", "back_rejoining"])[1:]
    multi = [c for c in back if isinstance(c, MultiActive)]
    assert {m.resource for m in multi} == {"IPaddr-192.168.10.10-24", "failback.sh"}
    assert "ACTIVE ON 2 NODES" in multi[0].describe()
    recorded, cleared = walk(["placed", "monitor_failed", "placed"])[1:]
    assert [c.describe()[:8] for c in recorded if isinstance(c, FailureRecorded)] == ["FAILED: "]
    assert [c.cleared for c in cleared if isinstance(c, FailureRecorded)] == [True]
