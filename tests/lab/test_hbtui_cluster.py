"""Two real `hbtui node` processes with the HOWTO config in the namespace lab.

Scenarios of issue 5: cold start (fast: both nodes are hbtui), kill -9 of the owner, its
return (auto_failback on), graceful stop of the owner, a wrong key on one node, authkeys
mode 644, and an hbtui owner with a real Heartbeat 3.0.6 peer. A sampler watches the VIP
on both nodes all along: it may never be on two live nodes for longer than one keepalive.
(After a kill -9 the dead node's interface keeps the address until that node starts again
and removes it; a node with nothing running is not counted, as a power cut would take its
interface down.)
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from hbtui.lab.netns import Lab
from tests.metrics.promtext import sample

from .cluster import Cluster, LabNodeProcess, RealHeartbeat
from .haconfig import HaSetup
from .halog import complaints
from .hbtui_node import ENV, HBTUI, HbtuiNode
from .observe import VipSampler, wait_for_vip, wait_until

pytestmark = pytest.mark.lab

HOWTO = HaSetup()
VIP = HOWTO.vip_ip
KEEPALIVE_S, DEADTIME_S, INITDEAD_S = 1.0, 5.0, 10.0


def timing(what: str, seconds: float) -> None:
    print(f"[lab hbtui] {what}: {seconds:.3f} s")


@contextmanager
def sampled(cluster: Cluster, what: str) -> Iterator[VipSampler]:
    with VipSampler(cluster) as sampler:
        yield sampler
    double = sampler.longest_double()
    timing(f"{what}: longest double VIP", double)
    assert len(sampler.samples) >= 3
    assert double <= KEEPALIVE_S, f"{what}: VIP on both live nodes for {double:.3f} s"


def actions_since(member: LabNodeProcess, since_wall: float) -> list[tuple[float, str]]:
    return [(c.at, c.action) for c in member.failback_calls() if c.at >= since_wall]


def cold_start(cluster: Cluster, what: str, timeout: float) -> tuple[float, float]:
    """Start every node; return when it began and how long until server1 held the VIP."""
    began = cluster.start_all()
    up = wait_for_vip(cluster.lab["server1"], VIP, timeout=timeout)
    timing(what, up - began)
    return began, up - began


def graceful_handover(cluster: Cluster, what: str) -> None:
    """SIGTERM of server1: the VIP is on server2 within half a deadtime."""
    stopping = time.monotonic()
    cluster["server1"].stop(timeout=15)
    taken = wait_for_vip(cluster.lab["server2"], VIP, timeout=DEADTIME_S)
    timing(what, taken - stopping)
    assert taken - stopping < DEADTIME_S / 2


def failed_back(cluster: Cluster, since_wall: float) -> None:
    """Failback since ``since_wall``: server2 stopped before server1 started; VIP off server2."""
    one, two = cluster["server1"], cluster["server2"]
    wait_until(lambda: any(a == "start" for _, a in actions_since(one, since_wall)), 5, "start")
    stops = [at for at, a in actions_since(two, since_wall) if a == "stop"]
    starts = [at for at, a in actions_since(one, since_wall) if a == "start"]
    assert stops and starts and stops[0] <= starts[0], (stops, starts)
    assert not cluster.lab["server2"].has_address(VIP)


def status_ok(member: HbtuiNode) -> None:
    done = member.status()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Heartbeat is running on this machine.")
    assert f"nodestatus {member.node.name}: active (this node)" in done.stdout


def reread_and_refuse(member: HbtuiNode) -> None:
    """SIGHUP applies new timers; a broken ha.cf is refused and the node keeps running."""
    ha_cf = member.node.etc_dir / "ha.cf"
    good = ha_cf.read_text()
    ha_cf.write_text(good.replace("warntime 3", "warntime 4"))
    (pid,) = member.node_pids()
    os.kill(pid, signal.SIGHUP)
    wanted = "configuration reread: warntime 3000 ms -> 4000 ms"
    wait_until(lambda: wanted in member.log_text(), 5, "SIGHUP applied")
    ha_cf.write_text(good + "keepalive banana\n")
    os.kill(pid, signal.SIGHUP)
    wait_until(lambda: "configuration reread refused" in member.log_text(), 5, "SIGHUP refused")
    assert member.running() and member.status().returncode == 0
    ha_cf.write_text(good)


# issue 15: both nodes write node_exporter's textfile; the kill below must show in it
METRICS = "/var/lib/heartbeat/hbtui.prom"
WITH_METRICS = HaSetup(
    hbtui_settings=(*HOWTO.hbtui_settings, f"metrics_textfile = {METRICS}", "metrics_interval = 1")
)


def test_cold_start_crash_return_and_graceful_stop(lab: Lab) -> None:
    cluster = Cluster(lab, [HbtuiNode, HbtuiNode], WITH_METRICS)
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode) and isinstance(two, HbtuiNode)
    with sampled(cluster, "cold start"):
        _, took = cold_start(cluster, "cold start -> VIP on server1", INITDEAD_S + 3)
        assert took < 4.0, "both nodes are hbtui: no initdead wait"
        assert one.wait_failback_actions(2) == ["status", "start"]
        labels = [a.label for a in lab["server1"].addresses() if a.ip == VIP]
        assert labels == ["eth0:0"]
        assert not lab["server2"].has_address(VIP) and two.failback_actions() == []
        status_ok(one)
        status_ok(two)
        # ha.cf's realtime (on by default): SCHED_RR, memory locked, scripts at normal priority
        (pid,) = two.node_pids()
        assert os.sched_getscheduler(pid) & ~os.SCHED_RESET_ON_FORK == os.SCHED_RR
        realtime = two.snapshot()["runtime"]["realtime"]
        assert realtime == {"policy": "SCHED_RR", "priority": 1, "memory_locked": True}
        assert "realtime:" not in two.log_text()  # no step failed
        # the startup dt (deadtime + 2 s) is over once server2 hears a plain deadtime
        wait_until(
            lambda: two.snapshot()["nodes"]["server1"]["deadtime_ms"] == 5000, 10, "dt settled"
        )

    with sampled(cluster, "kill -9 of server1"):
        crashed = time.monotonic()
        one.crash()
        taken = wait_for_vip(lab["server2"], VIP, timeout=DEADTIME_S + 3)
        timing("kill -9 of server1 -> VIP on server2", taken - crashed)
        assert taken - crashed <= DEADTIME_S + 1.0
        assert two.wait_failback_actions(2) == ["status", "start"]
        assert lab["server1"].has_address(VIP)  # a crash releases nothing
        assert "WARN: node server1: is dead" in two.log_text()
        textfile = lab["server2"].state_dir / "hbtui.prom"
        took_over = {"from_node": "server1", "reason": "dead"}
        wait_until(
            lambda: sample(textfile.read_text(), "hbtui_takeovers_total", **took_over) == 1,
            5, "server2's textfile counts the takeover",
        )  # fmt: skip
        text = two.status("--metrics").stdout
        assert sample(text, "hbtui_peer_up", peer="server1") == 0
        assert sample(text, "hbtui_vip_held", vip=VIP, resource=f"IPaddr::{VIP}/24") == 1

    with sampled(cluster, "server1 returns"):
        back_wall = time.time()
        back = time.monotonic()
        one.start()
        wait_until(lambda: not lab["server2"].has_address(VIP), 15, "VIP off server2")
        home = wait_for_vip(lab["server1"], VIP, timeout=10)
        timing("server1 back -> VIP on server1", home - back)
        failed_back(cluster, back_wall)
        status_ok(one)

    with sampled(cluster, "graceful stop of server1"):
        wait_until(
            lambda: two.snapshot()["nodes"]["server1"]["status"] == "active", 5, "server1 active"
        )
        graceful_handover(cluster, "SIGTERM of server1 -> VIP on server2")
        assert not lab["server1"].has_address(VIP)
        assert one.wait_exit(5) == 0
        assert "server1 Heartbeat shutdown complete." in one.log_text()
    reread_and_refuse(two)
    second = two.node.run([*HBTUI, "node", "--control-socket", "/run/hbtui/other.sock"], env=ENV)
    assert second.returncode == 1 and "PID" in second.stderr, second.stderr
    two.stop(timeout=15)
    assert two.wait_exit(5) == 0
    assert not lab["server2"].has_address(VIP)
    assert lab["server1"].standin_calls() == [] and lab["server2"].standin_calls() == []


def test_wrong_key_gives_no_membership_and_no_double_vip(lab: Lab) -> None:
    wrong = HaSetup(auth_key="NotTheSameKeyAtAll")
    cluster = Cluster(lab, [HbtuiNode, HbtuiNode], HOWTO, {"server2": wrong})
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode) and isinstance(two, HbtuiNode)
    with sampled(cluster, "wrong key"):
        began, _ = cold_start(cluster, "wrong key: VIP on server1 (after initdead)", INITDEAD_S + 3)
        line = "server1 is alive but its packets fail authentication with key 1 (sha1)"
        wait_until(lambda: line in two.log_text(), 15, "auth-alive line on server2")
        # past server2's initdead plus a deadtime: it still must not take over
        wait_until(lambda: time.monotonic() - began > INITDEAD_S + 2, 15, "initdead passed")
        assert not lab["server2"].has_address(VIP)
        snap = two.snapshot()
        peer = snap["nodes"]["server1"]
        assert peer["status"] != "active" and not peer["link_up"]
        bad = [r for r in snap["rejected"] if r["ip"] == "192.168.10.1"]
        assert bad and sum(r["count"] for r in bad) >= 5
        assert {r["reason"] for r in bad} <= {"bad_signature", "unknown_key_index"}
        assert two.failback_actions() == []
        status = two.status()
        assert "rejected:" in status.stdout and "192.168.10.1" in status.stdout
    one.stop(timeout=15)
    two.stop(timeout=15)


def test_authkeys_mode_644_refuses_to_start(lab: Lab) -> None:
    member = HbtuiNode(lab["server1"])
    member.authkeys_mode = 0o644
    member.prepare(HOWTO)
    member.start()
    rc = member.wait_exit(15)
    assert rc == 1
    out = member.output()
    assert "authkeys" in out and "node not started" in out
    assert not lab["server1"].has_address(VIP)
    assert not (lab["server1"].state_dir / "hb_uuid").exists()
    assert not lab["server1"].host_path("/run/hbtui/control.sock").exists()
    assert member.failback_actions() == []
    assert member.status().returncode == 3


@pytest.mark.interop
@pytest.mark.usefixtures("real_heartbeat")
def test_hbtui_owner_with_a_real_heartbeat_peer(lab: Lab) -> None:
    cluster = Cluster(lab, [HbtuiNode, RealHeartbeat], HOWTO)
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode) and isinstance(two, RealHeartbeat)
    with sampled(cluster, "mixed cold start"):
        cold_start(cluster, "mixed cold start -> VIP on hbtui server1", INITDEAD_S + 5)
        assert one.wait_failback_actions(2) == ["status", "start"]
        wait_until(lambda: "remote resource transition completed" in two.log_text(), 10, "real")
        assert two.failback_actions() == [] and not lab["server2"].has_address(VIP)
        status_ok(one)
    with sampled(cluster, "mixed graceful stop of hbtui"):
        graceful_handover(cluster, "SIGTERM of hbtui server1 -> VIP on real server2")
        assert two.wait_failback_actions(2) == ["status", "start"]
    with sampled(cluster, "mixed return of hbtui"):
        back_wall = time.time()
        one.start()
        wait_for_vip(lab["server1"], VIP, timeout=INITDEAD_S + 5)
        failed_back(cluster, back_wall)
    assert complaints(two.log_text()) == []
    one.stop(timeout=15)
    two.stop(timeout=30)
