"""Two real Heartbeat 3.0.6 daemons (Debian package) with the HOWTO config, in the namespace lab.

The baseline every interop test compares against: cold start puts the VIP on server1 only; a power
cut of server1 moves it to server2 after deadtime, where failback.sh sees `status` then `start`.
"""

from __future__ import annotations

import threading
import time

import pytest

from hbtui.lab.netns import Lab

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .halog import complaints
from .observe import wait_for_vip, wait_until

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

HOWTO = HaSetup()
VIP = HOWTO.vip_ip


def print_timing(what: str, seconds: float) -> None:
    print(f"[lab] {what}: {seconds:.3f} s")


def test_cold_start_then_crash_of_the_owner(lab: Lab) -> None:
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    one, two = lab["server1"], lab["server2"]
    began = cluster.start_all()
    assert cluster["server1"].running() and cluster["server2"].running()

    up = wait_for_vip(one, VIP, present=True, timeout=10 + 10)
    print_timing("cold start -> VIP on server1", up - began)
    labels = [a.label for a in one.addresses() if a.ip == VIP]
    assert labels == ["eth0:0"]
    assert cluster.vip_holders() == ["server1"]
    assert cluster["server1"].wait_failback_actions(2) == ["status", "start"]
    assert cluster["server2"].failback_actions() == []

    crashed = time.monotonic()
    cluster["server1"].crash()
    assert not cluster["server1"].running()
    taken = wait_for_vip(two, VIP, present=True, timeout=5 + 5)
    print_timing("kill of server1 -> VIP on server2", taken - crashed)
    assert taken - crashed > 4.0  # not before deadtime (minus at most one keepalive)
    assert [a.label for a in two.addresses() if a.ip == VIP] == ["eth0:0"]
    # The real daemon never removes the crashed owner's VIP: a power cut leaves it behind.
    assert one.has_address(VIP)
    assert cluster["server2"].wait_failback_actions(2) == ["status", "start"]

    done = "info: mach_down takeover complete."
    wait_until(lambda: done in cluster["server2"].log_text(), 5, "mach_down in ha-log")
    log_two = cluster["server2"].log_text()
    assert "WARN: node server1: is dead" in log_two
    assert complaints(cluster["server1"].log_text()) == []
    assert complaints(log_two) == []
    assert one.standin_calls() == [] and two.standin_calls() == []

    # server1 back (auto_failback on): server2 stops the group, then server1 starts it.
    restarted = time.monotonic()
    cluster["server1"].start()
    released = wait_for_vip(two, VIP, present=False, timeout=20)
    print_timing("restart of server1 -> VIP off server2", released - restarted)
    assert cluster["server2"].wait_failback_actions(3) == ["status", "start", "stop"]
    expected_one = ["status", "start", "status", "start"]
    assert cluster["server1"].wait_failback_actions(4) == expected_one
    assert cluster["server2"].failback_calls()[-1].at <= cluster["server1"].failback_calls()[-1].at
    assert cluster.vip_holders() == ["server1"]
    assert complaints(cluster["server2"].log_text()) == []


def test_graceful_stop_of_the_owner_hands_over_at_once(lab: Lab) -> None:
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    one, two = lab["server1"], lab["server2"]
    cluster.start_all()
    wait_for_vip(one, VIP, present=True, timeout=20)

    stopping = time.monotonic()
    stopper = threading.Thread(target=cluster["server1"].stop, kwargs={"timeout": 30})
    stopper.start()
    try:
        taken = wait_for_vip(two, VIP, present=True, timeout=10)
    finally:
        stopper.join(timeout=40)
    stopped = time.monotonic()
    assert not stopper.is_alive()
    print_timing("stop of server1 -> VIP on server2", taken - stopping)
    print_timing("init script stop of server1 (returns)", stopped - stopping)
    assert taken - stopping < 5.0  # well under deadtime: the shutdown is announced
    assert not one.has_address(VIP)
    assert not cluster["server1"].running()
    assert cluster["server1"].failback_actions() == ["status", "start", "stop"]
    assert cluster["server2"].wait_failback_actions(2) == ["status", "start"]
    assert complaints(cluster["server2"].log_text()) == []
