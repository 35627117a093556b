"""The Prometheus text of the node's metrics: counted from events, states from the snapshot,
parsed back with prometheus_client's own parser (what a scraper would read)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from hbtui.engine import events as ev
from hbtui.metrics.exposition import render
from hbtui.metrics.tally import MetricsTally

PHASES = ev.TakeoverPhases(
    last_heard_ms=1_000, declared_dead_ms=7_000, decided_ms=7_000, vip_added_ms=7_010,
    scripts_done_ms=7_300,
)  # fmt: skip
SNAPSHOT: dict[str, Any] = {
    "node": "server2", "status": "active", "phase": "stable", "rsc_hold": "all",
    "nodes": {
        "server2": {"self": True, "status": "active"},
        "server1": {"self": False, "status": "dead", "rsc_hold": None, "remaining_ms": None,
                    "links": {"eth0": {"status": "dead"}, "eth1": {"status": "up"}}},
    },
    "vips": [{"resource": "IPaddr::192.168.10.10/24", "ip": "192.168.10.10", "owner": "server2"}],
    "groups": [{"key": "server1", "home": "server1", "running_here": True}],
    "rejected": [{"reason": "bad_auth", "ip": "192.168.10.66", "count": 3}],
    "ping_nodes": {"192.168.10.3": {"status": "ping"}},
    "runtime": {"state": "running", "sent": 40, "received": 38, "sent_bytes": 9000,
                "received_bytes": 8000, "send_errors": {"ENETUNREACH": 2},
                "split_brain": [], "scripts_running": [],
                "realtime": {"policy": "SCHED_RR", "priority": 1, "memory_locked": True}},
}  # fmt: skip


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of ``text`` by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Mapping[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return found[name, frozenset(labels.items())]


def failover_tally() -> MetricsTally:
    """A peer heard with 1 s keepalives, one late, then dead and taken over."""
    tally = MetricsTally(keepalive_ms=1000)
    for at, gap in ((1000, None), (2000, 1000), (3000, 1000), (4400, 1400), (6500, 2100)):
        tally.observe(ev.KeepaliveReceived(at, "server1", "eth0", gap, at, "active", at + 6000))
    tally.observe(ev.PeerLate(6500, "server1", 2100))
    tally.observe(ev.PeerDead(12_500, "server1", 6500, 6000, False))
    tally.observe(ev.ScriptStarted(12_510, 1, "failback.sh", ("failback.sh", "start"), 60_000))
    tally.observe(ev.ScriptExited(12_800, 1, 0, False))
    tally.observe(ev.ScriptStarted(12_900, 2, "slow.sh", ("slow.sh", "stop"), 60_000))
    tally.observe(ev.ScriptExited(72_900, 2, -9, True))
    tally.observe(ev.ScriptStarted(73_000, 3, "slow.sh", ("slow.sh", "stop"), 60_000))
    tally.observe(ev.ScriptExited(73_100, 3, 1, False))
    tally.observe(ev.TakeoverDone(12_800, "server1", "dead", ("server1",), PHASES))
    tally.observe(ev.Failback(90_000, ("server1",), "server2", "server1", "released"))
    tally.observe(ev.StopFailed(73_100, "slow.sh", "rc 1"))
    return tally


def test_counts_from_events() -> None:
    found = samples(render(failover_tally(), SNAPSHOT, 1_700_000_000.0))
    assert value(found, "hbtui_keepalives_received_total", peer="server1", link="eth0") == 5
    gap = "hbtui_keepalive_gap_seconds"
    assert value(found, f"{gap}_bucket", peer="server1", le="1.1") == 2
    assert value(found, f"{gap}_bucket", peer="server1", le="1.5") == 3
    assert value(found, f"{gap}_bucket", peer="server1", le="2.5") == 4  # 2.1 s: one keepalive lost
    assert value(found, f"{gap}_bucket", peer="server1", le="3.5") == 4
    assert value(found, f"{gap}_count", peer="server1") == 4
    assert abs(value(found, f"{gap}_sum", peer="server1") - 5.5) < 1e-9
    assert value(found, "hbtui_late_heartbeats_total", peer="server1") == 1
    assert value(found, "hbtui_peer_deaths_total", peer="server1") == 1
    assert value(found, "hbtui_takeovers_total", from_node="server1", reason="dead") == 1
    took = "hbtui_takeover_duration_seconds"  # from the last packet heard to scripts done
    assert abs(value(found, f"{took}_sum", reason="dead") - 6.3) < 1e-9
    assert value(found, f"{took}_bucket", reason="dead", le="5.0") == 0
    assert value(found, f"{took}_bucket", reason="dead", le="10.0") == 1
    runs = "hbtui_script_runs_total"
    assert value(found, runs, resource="failback.sh", op="start", result="ok") == 1
    assert value(found, runs, resource="slow.sh", op="stop", result="timeout") == 1
    assert value(found, runs, resource="slow.sh", op="stop", result="failed") == 1
    assert value(found, "hbtui_script_duration_seconds_count", op="stop") == 2
    assert value(found, "hbtui_failbacks_total", phase="released") == 1
    assert value(found, "hbtui_stop_failures_total") == 1


def test_states_from_the_snapshot() -> None:
    found = samples(render(MetricsTally(keepalive_ms=1000), SNAPSHOT, 1_700_000_000.0))
    node = {"node": "server2", "status": "active", "phase": "stable", "rsc_hold": "all"}
    assert value(found, "hbtui_node_info", runtime="running", **node) == 1
    assert value(found, "hbtui_node_start_time_seconds") == 1_700_000_000.0
    rt = {"policy": "SCHED_RR", "priority": "1", "memory_locked": "true"}
    assert value(found, "hbtui_realtime_info", **rt) == 1
    assert value(found, "hbtui_peer_up", peer="server1") == 0
    assert value(found, "hbtui_peer_info", peer="server1", status="dead", rsc_hold="none") == 1
    assert value(found, "hbtui_link_up", peer="server1", link="eth0") == 0
    assert value(found, "hbtui_link_up", peer="server1", link="eth1") == 1
    assert value(found, "hbtui_ping_node_up", ping_node="192.168.10.3") == 1
    ip, resource = "192.168.10.10", "IPaddr::192.168.10.10/24"
    assert value(found, "hbtui_vip_held", vip=ip, resource=resource) == 1
    assert value(found, "hbtui_vip_owner_info", vip=ip, owner="server2") == 1
    assert value(found, "hbtui_group_running", group="server1", home="server1") == 1
    assert (
        value(found, "hbtui_packets_rejected_total", reason="bad_auth", sender="192.168.10.66") == 3
    )
    assert value(found, "hbtui_udp_packets_total", direction="received") == 38
    assert value(found, "hbtui_udp_send_errors_total", error="ENETUNREACH") == 2
    assert value(found, "hbtui_stop_failed_resources") == 0
    assert value(found, "hbtui_split_brain") == 0
    assert value(found, "hbtui_split_brains_total") == 0
    assert not any(name == "hbtui_peer_deadline_seconds" for name, _ in found)  # dead: none


async def test_a_split_brain_found_is_counted_and_stays_counted_after_it_ends() -> None:
    """Issue 17: the probe's detection (``SplitBrainWatch.describe`` in the runtime) is the
    gauge while it lasts and the counter ever after."""
    from hbtui.adapters.splitbrain import SplitBrainWatch

    answers: list[tuple[str, ...]] = [("02:00:00:00:00:02",), ()]

    async def probe(device: str, ip: str) -> tuple[str, ...]:
        return answers.pop(0)

    async def here(ip: str) -> bool:
        return True

    watch = SplitBrainWatch([("192.168.10.10", "eth0")], 1.0, here, lambda *_: None,
                            lambda: 7, probe, lambda device: "02:00:00:00:00:01")  # fmt: skip
    for expected in (1, 0):
        await watch.check_once()
        snap = {**SNAPSHOT, "runtime": {**SNAPSHOT["runtime"], **watch.describe()}}
        found = samples(render(MetricsTally(keepalive_ms=1000), snap, 0.0))
        assert value(found, "hbtui_split_brain") == expected
        assert value(found, "hbtui_split_brains_total") == 1


def test_a_node_before_its_engine_renders_what_it_has() -> None:
    """At start the snapshot has only the runtime: the text is still valid and says so."""
    early = {"node": "server1", "runtime": {"state": "starting"}}
    found = samples(render(MetricsTally(keepalive_ms=2000), early, 0.0))
    assert value(found, "hbtui_node_info", node="server1", status="none", phase="none",
                 rsc_hold="none", runtime="starting") == 1  # fmt: skip


def test_gap_buckets_are_keepalives() -> None:
    assert MetricsTally(keepalive_ms=2000).gap_bounds_s() == (2.2, 3.0, 5.0, 7.0)


def test_a_countdown_and_hostile_label_values_stay_valid_text() -> None:
    """A peer's deadline counts down; a node name with quotes and a backslash is escaped."""
    odd = 'srv"\\1'
    snap = {**SNAPSHOT, "nodes": {odd: {"self": False, "status": "active", "rsc_hold": "none",
                                        "remaining_ms": 4500, "links": {}}}}  # fmt: skip
    found = samples(render(MetricsTally(keepalive_ms=1000), snap, 0.0))
    assert value(found, "hbtui_peer_deadline_seconds", peer=odd) == 4.5
    assert value(found, "hbtui_peer_up", peer=odd) == 1
