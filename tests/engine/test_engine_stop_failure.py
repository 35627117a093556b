"""Issue 13, items 1-3: a resource never runs on two nodes, and nothing fails silently.

1. A stop that fails (twice) keeps its group held: no ``shutdone`` / ``done``, the
   keepalives go on, CRIT in the log, ``stop_failed`` in the snapshot; the operator
   retries, confirms a manual clean-up, or self-fences (opt-in at once).
2. A node restarting while its peer is in a slow stop never takes what the peer runs.
3. At start (``probe_at_start``), a script that says running is stopped first.
"""

from __future__ import annotations

from enginesim import VIP, Cluster

from hbtui.engine.actions import SelfFence
from hbtui.engine.events import PeerDead, StopFailed
from hbtui.engine.holdstate import StopFailure


def cold_start(**cfg: object) -> Cluster:
    c = Cluster(**cfg)  # type: ignore[arg-type]
    c.start("server1")
    c.start("server2")
    c.run_until(5000)
    assert c.vip_holders() == ["server1"]
    return c


def stop_fails_twice(c: Cluster) -> None:
    """server1's failback.sh stop fails twice and its status still says running."""
    c["server1"].stop_rc = [1, 1]
    c["server1"].status_output = "failback is running"
    c.command("server1", "stop")
    c.run_until(7000)


def starts(c: Cluster, node: str) -> int:
    return sum(1 for n, op in c.calls() if n == node and op == "start")


def test_failed_stop_holds_the_group_and_the_peer_never_starts_it() -> None:
    c = cold_start()
    stop_fails_twice(c)
    c.run_until(60000)  # far past deadtime: server1 still speaks, server2 waits
    s1, s2 = c["server1"], c["server2"]
    assert not s1.exited and "shutdone" not in s1.sent_types()
    assert starts(c, "server2") == 0 and VIP not in s2.vips
    assert not s2.of_type(PeerDead)
    assert s1.of_type(StopFailed)
    assert any(lvl == "CRIT" and "stop failed, holding [failback.sh]" in t for _, lvl, t in s1.logs)
    assert s1.node is not None
    snap = s1.node.snapshot(c.clock.now)
    assert snap["stop_failed"] == ["failback.sh"]
    assert snap["condition"] == "stop failed, holding"
    assert snap["rsc_hold"] == "local"
    assert not any(isinstance(e, SelfFence) for e in s1.events)  # hold is the default


def test_stop_cleared_by_the_operator_releases_then_the_peer_takes_over() -> None:
    c = cold_start()
    stop_fails_twice(c)
    c.run_until(20000)
    c.command("server1", "stop-cleared")
    c.run_until(21000)
    assert c["server1"].exited and "shutdone" in c["server1"].sent_types()
    assert starts(c, "server2") == 1 and c.vip_holders() == ["server2"]


def test_retry_stop_that_works_releases_then_the_peer_takes_over() -> None:
    c = cold_start()
    stop_fails_twice(c)
    c.command("server1", "retry-stop")  # stop_rc is used up: this stop succeeds
    c.run_until(8000)
    assert c["server1"].exited
    assert c.vip_holders() == ["server2"] and starts(c, "server2") == 1


def test_retry_stop_that_fails_again_keeps_holding() -> None:
    c = cold_start()
    stop_fails_twice(c)
    c["server1"].stop_rc = [1, 1]
    c.command("server1", "retry-stop")
    c.run_until(30000)
    assert not c["server1"].exited and starts(c, "server2") == 0
    assert len(c["server1"].of_type(StopFailed)) == 2


def test_stop_failure_reboot_self_fences_at_once() -> None:
    c = Cluster()
    c["server1"].options["stop_failure"] = StopFailure.REBOOT
    c.start("server1")
    c.start("server2")
    c.run_until(5000)
    stop_fails_twice(c)
    fences = [e for e in c["server1"].events if isinstance(e, SelfFence)]
    assert len(fences) == 1 and "failback.sh" in fences[0].reason
    assert "shutdone" not in c["server1"].sent_types()


def test_self_fence_command_asks_the_runtime_to_reboot() -> None:
    c = cold_start()
    stop_fails_twice(c)
    c.command("server1", "self-fence")
    assert any(isinstance(e, SelfFence) for e in c["server1"].events)


def test_standby_give_whose_stop_failed_never_answers_done() -> None:
    c = cold_start()
    c["server1"].stop_rc = [1, 1]
    c["server1"].status_output = "failback is running"
    c.command("server1", "standby")
    c.run_until(30000)
    s1 = c["server1"]
    dones = [msg for _, msg in s1.sent if msg.type == "ask_resources" and msg.get("info") == "done"]
    assert not dones
    assert starts(c, "server2") == 0 and VIP not in c["server2"].vips
    assert s1.node is not None and s1.node.snapshot()["rsc_hold"] == "local"
    c.command("server1", "stop-cleared")
    c.run_until(31000)
    assert c.vip_holders() == ["server2"] and starts(c, "server2") == 1


def test_peer_restarting_during_a_slow_stop_waits_for_shutdone() -> None:
    c = cold_start()
    c["server1"].hang.add("stop")
    c.command("server1", "stop")
    c.run_until(6000)
    c.kill("server2")
    c.start("server2")
    c.run_until(60000)  # past server2's initdead (10 s) many times over
    assert starts(c, "server2") == 0 and VIP not in c["server2"].vips
    assert c["server2"].node is not None
    assert c["server2"].node.snapshot()["nodes"]["server1"]["rsc_hold"] == "local"
    c.unhang("server1")
    c.run_until(61000)
    assert c["server1"].exited
    assert c.vip_holders() == ["server2"] and starts(c, "server2") == 1


def test_start_probe_stops_a_script_left_running() -> None:
    c = Cluster()
    c["server2"].options["probe_at_start"] = True
    c["server2"].status_output = "failback is running"  # a start cut short by kill -9
    c.start("server1")
    c.start("server2")
    c.run_for(1)
    assert c.calls()[:2] == [("server2", "status"), ("server2", "stop")]
    assert any(
        "reports running but this node does not hold it" in t for t in c["server2"].log_texts()
    )


def test_start_probe_leaves_a_stopped_script_alone() -> None:
    c = Cluster()
    c["server2"].options["probe_at_start"] = True
    c["server2"].status_output = "failback is stopped"
    c.start("server2")
    assert c.calls() == [("server2", "status")]
