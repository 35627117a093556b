"""The drill's sequence (``hbtui.drill.driver``) on a fake cluster and a stepped clock:
exact times, the first anomaly ends it and the group is put back, every wait bounded."""

from __future__ import annotations

import asyncio

from drillfake import FakeCluster

from hbtui.drill.driver import Drill, Relay, plan
from hbtui.drill.report import DrillReport
from hbtui.stream.items import LogLine
from hbtui.stream.source import Outcome

STARTED = "2026-11-26T03:30:00.000Z"


async def drill(cluster: FakeCluster, **options: object) -> tuple[DrillReport, list[str]]:
    """Plan and run a drill on ``cluster``; the report and what ``on_change`` saw."""
    report = plan(await cluster.snapshot(), STARTED)
    seen: list[str] = []

    def changed(d: Drill) -> None:
        if d.current is not None:
            seen.append(f"{d.current.name} {d.elapsed():.2f}")

    await Drill(cluster, report, clock=cluster.clock, on_change=changed, **options).run()  # type: ignore[arg-type]
    return report, seen


async def test_a_drill_times_each_move_on_the_injected_clock() -> None:
    cluster = FakeCluster()
    report, seen = await drill(cluster)
    assert report.result == "passed" and report.anomaly is None
    assert [(m.name, m.command, m.to_node, m.seconds) for m in report.moves] == [
        ("away", "standby", "server2", 1.5),
        ("back", "takeover", "server1", 0.8),
    ]
    assert cluster.holder == "server1" and cluster.asked == ["standby", "takeover"]
    assert [(s.op, s.rc, s.output) for s in report.scripts] == [
        ("stop", 0, ["failback.sh: stop"]),
        ("start", 0, ["failback.sh: start"]),
    ]
    assert seen[0] == "away 0.00" and "away 0.75" in seen and "back 0.80" in seen


async def test_held_by_the_peer_it_takes_over_and_gives_back() -> None:
    cluster = FakeCluster(holder="server2")
    report, _ = await drill(cluster)
    assert [(m.name, m.command) for m in report.moves] == [
        ("away", "takeover"),
        ("back", "standby"),
    ]
    assert report.result == "passed" and cluster.holder == "server2"


async def test_a_failing_script_ends_it_and_the_group_is_put_back() -> None:
    cluster = FakeCluster(fail={("failback.sh", "stop")})
    report, _ = await drill(cluster)
    assert report.result == "aborted"
    assert report.anomaly == "away: a resource script failed with exit status 1"
    assert [m.name for m in report.moves] == ["away", "restore"]
    assert report.moves[0].seconds is None and report.moves[1].ok
    assert cluster.holder == "server1" and cluster.asked == ["standby", "takeover"]


async def test_a_dead_peer_ends_it() -> None:
    report, _ = await drill(FakeCluster(peer_dies=True))
    assert report.anomaly == "away: server2 was declared dead"


async def test_a_move_that_never_settles_times_out_and_is_undone() -> None:
    cluster = FakeCluster(stuck={"takeover"})
    report, _ = await drill(cluster, timeout_s=5.0)
    assert report.anomaly == "back: not done within 5 s"
    assert [(m.name, m.ok) for m in report.moves] == [
        ("away", True),
        ("back", False),
        ("restore", False),  # the restore is a takeover too: it cannot settle either
    ]
    assert cluster.clock.now < 5.0 * 3 + 1  # every wait bounded


async def test_a_refused_command_ends_it() -> None:
    report, _ = await drill(FakeCluster(refuse={"standby"}))
    assert report.anomaly == "away: standby refused: the node is not running"
    assert [m.name for m in report.moves] == ["away"]  # the group never moved


async def test_a_node_that_stops_answering_ends_it() -> None:
    cluster = FakeCluster()
    report = plan(await cluster.snapshot(), STARTED)
    cluster.lost = True
    await Drill(cluster, report, clock=cluster.clock).run()
    assert report.anomaly == "the node stopped answering: it gave no snapshot (not running?)"


async def test_the_operator_stops_it_and_the_group_comes_back() -> None:
    cluster = FakeCluster()
    report = plan(await cluster.snapshot(), STARTED)

    def stop_midway(d: Drill) -> None:
        if d.current is not None and d.current.name == "away" and d.elapsed() >= 0.5:
            d.stop()

    await Drill(cluster, report, clock=cluster.clock, on_change=stop_midway).run()
    assert report.anomaly == "away: stopped by the operator"
    assert [m.name for m in report.moves] == ["away", "restore"] and cluster.holder == "server1"


async def test_the_preflight_refuses_a_dead_peer() -> None:
    report = plan(await FakeCluster(peer_status="dead").snapshot(), STARTED)
    assert report.result == "refused"
    assert report.refused == ["server2 is dead: it could not take the group"]


class Source(FakeCluster):
    """The fake as a console's source: its events are read by someone else."""

    mode = "embedded"
    read_only = False

    def is_running(self) -> bool:
        return True


async def test_a_relay_hands_the_drill_what_the_console_reads() -> None:
    source = Source()
    relay = Relay(source)  # type: ignore[arg-type]
    relay.feed(LogLine(0, "info", "before the drill: not kept"))
    report = plan(await relay.snapshot(), STARTED)

    async def console_reader() -> None:
        async for item in source.events():
            relay.feed(item)

    reader = asyncio.ensure_future(console_reader())
    await Drill(relay, report, clock=source.clock).run()
    reader.cancel()
    relay.close()
    assert report.result == "passed" and [s.op for s in report.scripts] == ["stop", "start"]
    assert await relay.standby() == Outcome(True, "standby all requested")


SPLIT = "split brain: 192.168.10.10 is held by 2 machines on eth0: this node, 02:00:00:00:00:02"


async def test_a_split_brain_in_the_ha_log_ends_it_and_nothing_moves_again() -> None:
    cluster = FakeCluster(split="log")
    report, _ = await drill(cluster)
    assert report.result == "aborted" and report.anomaly == f"away: {SPLIT}"
    assert [m.name for m in report.moves] == ["away"]  # no restore: it would make it worse
    assert cluster.asked == ["standby"]
    assert report.not_restored == (
        "a split brain is under way (192.168.10.10 is held by 2 machines on eth0: this node, "
        "02:00:00:00:00:02): the group was not moved again (it is on server2); resolve the "
        "split brain first"
    )
    text = report.to_markdown()
    assert f"Stopped at: away: {SPLIT}" in text and "Not put back: a split brain" in text


async def test_the_real_daemons_both_machines_own_ends_it() -> None:
    cluster = FakeCluster(split="daemon-log")
    report, _ = await drill(cluster)
    assert report.anomaly == "away: split brain: Both machines own our resources!"
    assert cluster.asked == ["standby"] and report.not_restored is not None


async def test_a_split_brain_the_probe_shows_in_a_polled_snapshot_ends_it() -> None:
    cluster = FakeCluster(split="probe")
    report, _ = await drill(cluster)
    assert report.anomaly == (
        "away: split brain: 192.168.10.10 answered by this node and 02:00:00:00:00:02"
    )
    assert report.moves[0].seconds is None and cluster.asked == ["standby"]
    assert '"not_restored": "a split brain is under way' in report.to_json()


async def test_a_split_brain_in_a_streamed_snapshot_ends_it() -> None:
    cluster = FakeCluster(split="event")
    report, _ = await drill(cluster)
    assert report.anomaly is not None and report.anomaly.startswith("away: split brain: ")
    assert cluster.asked == ["standby"]


async def test_two_claims_once_settled_are_a_split_brain() -> None:
    cluster = FakeCluster(split="claims")
    report, _ = await drill(cluster)
    assert report.anomaly == (
        "away: split brain: group IPaddr::192.168.10.10/24 claimed by server1 and server2"
    )
    assert report.moves[0].ok  # it settled: only then do the claims tell
    assert cluster.asked == ["standby"] and report.not_restored is not None


async def test_a_split_brain_over_before_the_restore_lets_the_group_come_back() -> None:
    cluster = FakeCluster(split="log", split_ends_s=0.5)
    report, _ = await drill(cluster)
    assert report.anomaly == f"away: {SPLIT}"
    assert [m.name for m in report.moves] == ["away", "restore"] and report.moves[1].ok
    assert report.not_restored is None and cluster.holder == "server1"


async def test_the_preflight_refuses_a_split_brain_in_the_claims() -> None:
    cluster = FakeCluster(split="claims")
    cluster._split_until = 2**62
    report = plan(await cluster.snapshot(), STARTED)
    assert report.refused == [
        "a split brain is reported (group IPaddr::192.168.10.10/24 claimed by server1 and server2)"
    ]
