"""PeerSource: a peer as a console NodeSource (clock shift, items, actions while down)."""

from __future__ import annotations

from hbtui.engine.events import KeepaliveReceived, NodeStateChanged
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink, PeerTarget
from hbtui.sources.peer import PeerSource, shift_clock
from hbtui.stream.items import LogLine, SnapshotTaken
from hbtui.stream.source import NodeSource, perform


def _source() -> PeerSource:
    link = PeerLink(PeerTarget(node="server2", host="192.0.2.1"))  # never connected here
    return PeerSource(PeerSession(link, "server1"))


def _drain(source: PeerSource) -> list[object]:
    return list(source._queue.take_ready())


def test_shift_moves_clock_points_not_durations() -> None:
    obj = {"at_ms": 10, "gap_ms": 1000, "nodes": {"a": {"deadline_ms": 50, "remaining_ms": 3}}}
    assert shift_clock(obj, 100) == {
        "at_ms": 110,
        "gap_ms": 1000,
        "nodes": {"a": {"deadline_ms": 150, "remaining_ms": 3}},
    }


def test_hbtui_stream_becomes_console_items_on_our_clock() -> None:
    source: NodeSource = _source()
    assert isinstance(source, PeerSource)
    now = source.now_ms()
    snap = {"node": "server2", "now_ms": 5_000, "status": "active", "nodes": {}}
    source._arrived("event", {"type": "snapshot", "snapshot": snap})
    source._arrived(
        "event",
        {"type": "KeepaliveReceived", "at_ms": 5_100, "node": "server1", "link": "eth0",
         "gap_ms": 1000, "seq": 7, "status": "active", "deadline_ms": 10_100},
    )  # fmt: skip
    first, second = _drain(source)
    assert isinstance(first, SnapshotTaken) and first.data["node"] == "server2"
    assert abs(first.data["now_ms"] - now) < 1000
    assert isinstance(second, KeepaliveReceived)
    assert second.deadline_ms - second.at_ms == 5_000 and second.gap_ms == 1000
    assert abs(second.at_ms - (first.data["now_ms"] + 100)) <= 1
    assert source.is_running()


def test_real_daemon_lines_and_cl_status() -> None:
    source = _source()
    line = "Nov 26 03:40:00 server2 heartbeat: [645]: WARN: node server1: is dead"
    source._arrived("log", line)
    source._arrived("cl_status", {"server1": "dead", "server2": "active"})
    log_line, change, snap = _drain(source)
    assert isinstance(log_line, LogLine) and log_line.level == "WARN"
    assert isinstance(change, NodeStateChanged) and change.node == "server1"
    assert isinstance(snap, SnapshotTaken)
    assert snap.data["nodes"]["server2"] == {"self": True, "status": "active"}


async def test_actions_while_the_link_is_down_are_refused_and_logged() -> None:
    source = _source()
    outcome = await perform(source, "stop")
    assert not outcome.ok and "not connected yet" in outcome.text
    assert _drain(source) == []  # the app logs the outcome (once)
    assert not (await source.kill()).ok
