"""The model reducer and the JSON trace codec (no Textual)."""

from __future__ import annotations

from hbtui.console.model import ConsoleModel
from hbtui.engine import events as ev
from hbtui.sources.demo_trace import LAST_HEARD_MS, VIP
from hbtui.sources.demo_trace import trace as demo_trace
from hbtui.sources.replay import initial_snapshot
from hbtui.stream import trace
from hbtui.stream.items import ActionDone, LogLine, SnapshotTaken


def model() -> ConsoleModel:
    m = ConsoleModel("server2", lambda ms: f"t{ms}")
    for item in demo_trace():
        if item.at_ms > 1:
            break
        m.apply(item)
    return m


def test_snapshot_seeds_nodes_vips_and_timers() -> None:
    m = model()
    assert set(m.nodes) == {"server1", "server2"}
    assert m.nodes["server2"].is_self and m.nodes["server1"].status == "active"
    assert m.vips[VIP].owner == "server1"
    assert (m.warntime_ms, m.keepalive_ms) == (3000, 1000)


def test_keepalives_record_gaps_and_deadline() -> None:
    m = model()
    m.apply(ev.KeepaliveReceived(1000, "server1", "eth0", None, 1, "active", 6000))
    changed = m.apply(ev.KeepaliveReceived(2010, "server1", "eth0", 1010, 2, "active", 7010))
    assert changed == {"nodes", "wire"}
    view = m.nodes["server1"]
    assert list(view.gaps) == [1010] and view.deadline_ms == 7010 and view.last_heard_ms == 2010


def test_failover_moves_vip_and_adds_a_timeline_row_with_a_reason() -> None:
    m = model()
    m.apply(ev.PeerDead(5000, "server1", 0, 5000, False))
    assert m.vips[VIP].owner is None
    m.apply(ev.TakeoverStarted(5001, "server1", "dead", ("g",)))
    m.apply(ev.VipAdded(5030, "IPaddr::x", VIP, "eth0", "eth0:0"))
    assert m.vips[VIP].owner == "server2" and m.vips[VIP].label == "eth0:0"
    m.apply(
        ev.TakeoverDone(
            5050, "server1", "dead", ("g",), ev.TakeoverPhases(0, 5000, 5001, 5030, 5050)
        )
    )
    row = m.timeline[-1]
    assert row.kind == "failover" and row.phases["VIP added"] == 5030
    assert row.why == "server1 stopped sending keepalives at t0; declared dead after deadtime 5 s"


def test_script_calls_keep_output_exit_code_and_status() -> None:
    m = model()
    m.apply(ev.ScriptStarted(10, 7, "failback.sh", ("failback.sh", "start")))
    m.apply(ev.ScriptOutput(12, 7, "stdout", "starting"))
    m.apply(ev.ScriptExited(15, 7, 0, False))
    call = m.scripts[7]
    assert call.lines == [("stdout", "starting")] and call.rc == 0 and call.ended_ms == 15
    assert m.resources["failback.sh"] == "running here"
    m.apply(ev.ScriptStarted(20, 8, "failback.sh", ("failback.sh", "stop")))
    m.apply(ev.ScriptExited(25, 8, 1, False))
    assert m.resources["failback.sh"] == "stop rc=1"


def test_rejected_packets_count_by_reason_and_sender() -> None:
    m = model()
    for _ in range(3):
        m.apply(ev.PacketRejected(1, "bad_signature", ("10.0.0.3", 694), "x"))
    assert m.rejected[("bad_signature", "10.0.0.3")] == 3


def test_log_lines_and_actions_go_to_the_log() -> None:
    m = model()
    m.apply(LogLine(1, "WARN", "a warning"))
    m.apply(ActionDone(2, "server2", "stop", False, "refused"))
    assert [line.level for line in m.log][-2:] == ["WARN", "ERROR"]
    assert m.log[-1].text == "t2 console: [server2] stop: refused"


def test_trace_json_round_trip() -> None:
    items = demo_trace()
    assert trace.loads(trace.dumps(items)) == items
    assert initial_snapshot(items)["node"] == "server2"
    assert any(isinstance(i, ev.KeepaliveReceived) and i.at_ms == LAST_HEARD_MS for i in items)


def test_keepalive_updates_of_one_node_coalesce() -> None:
    from hbtui.console.messages import SourceUpdate

    def ka(node: str, at: int) -> SourceUpdate:
        return SourceUpdate(
            ev.KeepaliveReceived(at, node, "eth0", 1000, at, "active", at + 5), frozenset({"nodes"})
        )

    assert ka("server1", 1).can_replace(ka("server1", 2))
    assert not ka("server1", 1).can_replace(ka("server3", 2))
    other = SourceUpdate(ev.PeerLate(1, "server1", 3000), frozenset({"nodes"}))
    assert not ka("server1", 1).can_replace(other)
    assert not other.can_replace(ka("server1", 2))


async def test_a_recorded_session_replays(tmp_path: object) -> None:
    import io

    from hbtui.console.app import ConsoleApp
    from hbtui.sources.replay import ReplaySource
    from tests.console.helpers import AFTER_FAILOVER_MS, SIZE, crash_server1, demo_app, settle

    app, source = demo_app()
    app.record = io.StringIO()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        await source.advance_to(AFTER_FAILOVER_MS)
        await settle(pilot)
    items = trace.loads(app.record.getvalue())
    assert isinstance(items[0], SnapshotTaken)
    assert any(isinstance(i, ev.TakeoverDone) for i in items)
    again = ReplaySource(items, initial_snapshot(items))
    replayed = ConsoleApp(again, poll_sockets=False)
    async with replayed.run_test(size=SIZE) as pilot:
        await again.advance_to(10**9)
        await settle(pilot)
        assert replayed.model.vips[VIP].owner == "server2"


def test_the_out_rate_comes_from_the_nodes_own_send_counters() -> None:
    from hbtui.console.widgets.wire import out_text
    from hbtui.sources.attach import convert
    from hbtui.stream.items import PacketCounts

    m = model()
    assert m.rate_out(10_000) is None  # no counters (a replay): the keepalive's estimate
    assert out_text(m, 10_000)[0].startswith("out ≈1.0/s")
    for at, sent in ((0, 10), (2000, 12), (4000, 14), (6000, 16)):
        assert m.apply(PacketCounts(at, sent, sent * 200, 0, 0)) == {"wire"}
    # the window keeps one count from before it: 2000 -> 6000 ms, 4 datagrams, 800 bytes
    assert m.rate_out(6500) == (1.0, 200.0)
    assert out_text(m, 6500) == ("out  1.0/s (200 B/s sent)", "bold")
    assert m.rate_out(6000 + 11_000) == (0.0, 0.0)  # no count for long: nothing sent
    m.apply(PacketCounts(20_000, 1, 200, 0, 0))  # the node restarted: counters from 0
    assert m.rate_out(20_000) is None
    counters = {"sent": 3, "sent_bytes": 600, "received": 0, "received_bytes": 0}
    m.apply(SnapshotTaken(22_000, {"runtime": counters}))  # a snapshot counts too
    assert m.rate_out(22_000) == (1.0, 200.0)
    stale = {**counters, "sent": 2, "sent_bytes": 400}  # asked before the last count came
    m.apply(SnapshotTaken(23_000, {"runtime": stale}))
    assert m.rate_out(23_000) == (1.0, 200.0)
    # the control socket streams the runtime's WireCounters; attach turns them into counts
    raw = {"type": "WireCounters", "at_ms": 5, "sent": 3, "sent_bytes": 600}
    assert convert({**raw, "received": 2, "received_bytes": 400}, 9) == PacketCounts(
        5, 3, 600, 2, 400
    )
    assert trace.loads(trace.dumps([PacketCounts(5, 3, 600, 2, 400)])) == [
        PacketCounts(5, 3, 600, 2, 400)
    ]


def test_every_item_type_is_handled_or_listed_as_ignored() -> None:
    """A new event type must be given a reducer or a reason to be ignored."""
    import typing

    from hbtui.console import model as console_model
    from hbtui.engine import events
    from hbtui.stream import items

    every = set(typing.get_args(events.Event)) | {
        cls
        for cls in vars(items).values()
        if isinstance(cls, type)
        and cls.__module__ == items.__name__
        and cls is not items.SourceItem
    }
    assert every == set(console_model.ITEM_TYPES)
    assert set(console_model.HANDLERS) | console_model.IGNORED == every
    assert not set(console_model.HANDLERS) & console_model.IGNORED


def test_a_killed_nodes_vip_is_stale_and_the_real_holder_is_shown() -> None:
    """Issue 14.5: the VIP pane of a killed node said "server1 (here)" while server2 held
    the address; now it says the address on server1 is stale and who holds it."""
    from hbtui.console.model import VipView
    from hbtui.console.widgets.vip import vip_lines

    m = ConsoleModel("server1", str)
    m.vips["192.168.10.10"] = VipView(
        "IPaddr::192.168.10.10/24", "192.168.10.10", "server1", "eth0"
    )
    m.apply(ev.NodeStateChanged(5, "server1", "active", "killed", "crash drill"))
    assert m.vips["192.168.10.10"].stale
    text = str(vip_lines(m, str, {"192.168.10.10": "server2"})[0])
    assert text == ("192.168.10.10  on server1's eth0, node not running: stale; held by server2")
    m.apply(ev.VipAdded(9, "IPaddr::192.168.10.10/24", "192.168.10.10", "eth0", "eth0:0"))
    assert not m.vips["192.168.10.10"].stale
    assert str(vip_lines(m, str, {})[0]).startswith("192.168.10.10  server1 (here)")


def _snapshot_with_groups(running_here: bool) -> SnapshotTaken:
    group = "IPaddr::192.168.10.10/24"
    return SnapshotTaken(
        50,
        {
            "node": "server1",
            "nodes": {"server1": {"self": True, "status": "active"}},
            "groups": [{"key": group, "home": "server1", "running_here": running_here}],
            "resources": [
                {"token": group, "status": "home server1", "group": group},
                {"token": "failback.sh", "status": "home server1", "group": group},
            ],
        },
    )


def test_the_engine_says_what_runs_here_over_missed_events() -> None:
    """Issue 14.5: after the hostname wizard the Resources pane said `stopped` for both
    resources of a group the node held (the console had missed the restart's starts); a
    snapshot's running_here now corrects it, unless a script runs or a failure is shown."""
    m = ConsoleModel("server1", str)
    m.resources = {"IPaddr::192.168.10.10/24": "stopped", "failback.sh": "stopped"}
    m.apply(_snapshot_with_groups(running_here=True))
    assert m.resources == {
        "IPaddr::192.168.10.10/24": "running here",
        "failback.sh": "running here",
    }
    m.apply(ev.ScriptStarted(60, 9, "failback.sh", ("failback.sh", "stop")))
    m.apply(_snapshot_with_groups(running_here=False))
    assert m.resources["IPaddr::192.168.10.10/24"] == "stopped"
    assert m.resources["failback.sh"].startswith("stop")  # its stop still runs
    m.apply(ev.ScriptExited(70, 9, 1, False))
    m.apply(_snapshot_with_groups(running_here=True))
    assert m.resources["failback.sh"] == "stop rc=1"  # a failure stays in sight


def test_a_renamed_node_leaves_no_card_under_its_old_name() -> None:
    """Issue 14.5: after the wizard renamed server2, a card `server2 unknown` stayed."""
    m = model()
    m.forget_node("server1")
    assert set(m.nodes) == {"server2"}
    m.forget_node("server2")  # this node's own card stays
    assert set(m.nodes) == {"server2"}


def test_keepalive_gaps_fill_a_histogram_shown_in_the_wire_pane() -> None:
    """Issue 17: the gap histogram in the console (what `hbtui advise` fits its model to)."""
    from hbtui.console.widgets.wire import gap_histogram, stat_rows

    m = model()
    for at, gap in ((1000, 1000), (2400, 1400), (6000, 3600)):
        m.apply(ev.KeepaliveReceived(at, "server1", "eth0", gap, 1, "active", at + 5000))
    assert dict(m.nodes["server1"].gap_counts) == {0: 1, 1: 1, 4: 1}
    text, style = gap_histogram(m.nodes["server1"].gap_counts, 1000)
    assert text == "≤1.1s 1 · ≤1.5s 1 · ≤2.5s 0 · ≤3.5s 0 · >3.5s 1" and style == "bold red"
    rows = stat_rows(m, 6000)
    assert ((("gaps server1", "bold"), (text, style))) in rows


def test_a_narrow_wire_pane_breaks_a_histogram_only_between_buckets() -> None:
    """At 80x24 the Wire pane has about 21 cells for it: a bound keeps its count."""
    from hbtui.console.widgets.wire import packed

    text = "≤1.1s 150 · ≤1.5s 1 · ≤2.5s 14 · ≤3.5s 13 · >3.5s 4"
    assert packed(text, 21) == "≤1.1s 150 · ≤1.5s 1 ·\n≤2.5s 14 · ≤3.5s 13 ·\n>3.5s 4"
    assert packed(text, 80) == text
    assert packed(text, 3) == text.replace(" · ", " ·\n")  # too narrow: one a line


def test_a_peers_links_reach_its_card() -> None:
    """Issue 16: with several media the card says each link's state (cl_status hblinkstatus)."""
    from hbtui.console.widgets.node_card import link_text

    m = ConsoleModel("server1", str)
    links = {"eth0": {"status": "up", "last_heard_ms": 5}, "eth1": {"status": "dead"}}
    peer = {"link": "eth0", "last_heard_ms": 5, "deadline_ms": 5005, "links": links}
    m.apply(SnapshotTaken(10, {"node": "server1", "nodes": {"server2": peer}}))
    assert m.nodes["server2"].links == (("eth0", True), ("eth1", False))
    assert link_text(m.nodes["server2"]) == "  links eth0 up, eth1 dead"
    one = {"link": "eth0", "links": {"eth0": {"status": "up"}}}
    m.apply(SnapshotTaken(20, {"node": "server1", "nodes": {"server2": one}}))
    assert link_text(m.nodes["server2"]) == "  link eth0"


def test_a_node_that_joins_gets_a_card() -> None:
    """autojoin (docs/protocol.md §8.1): the node list grows with the joined node."""
    m = ConsoleModel("server1", str)
    assert m.apply(ev.NodeJoined(10, "server3", ("192.168.10.3", 694), None)) == {"nodes"}
    assert "server3" in m.nodes
