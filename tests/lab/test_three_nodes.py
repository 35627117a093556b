"""Three nodes in the namespace lab (issue 16): the HOWTO config with `node server1 server2
server3` and a ucast line per node.

Two real Heartbeat 3.0.6 daemons' haresources mode is two-node, and it shows: when server1 is
killed, server2 *and* server3 take its group ("ERROR: Both machines own our resources!"), so
the VIP is up twice (asserted below as the daemon's behaviour, as the wrong-key test does).
Three hbtui nodes give it to one node, the first alive of the node list, and it comes home
when server1 returns (auto_failback on).
"""

from __future__ import annotations

import time

import pytest

from hbtui.lab.netns import Lab

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HbtuiNode
from .observe import wait_for_vip, wait_until
from .test_hbtui_cluster import VipSampler

pytestmark = pytest.mark.lab

NAMES = ("server1", "server2", "server3")
SETUP = HaSetup(nodes=NAMES)
VIP = SETUP.vip_ip
DEADTIME_S, KEEPALIVE_S = 5.0, 1.0


def test_three_hbtui_nodes_give_a_dead_owners_group_to_one_node(lab3: Lab) -> None:
    cluster = Cluster(lab3, [HbtuiNode] * 3, SETUP)
    with VipSampler(cluster) as sampler:
        cluster.start_all()
        wait_for_vip(lab3["server1"], VIP, timeout=20)
        wait_until(lambda: time.monotonic() - cluster["server3"].started_at > 7, 15, "settled")
        cluster["server1"].crash()
        wait_for_vip(lab3["server2"], VIP, timeout=DEADTIME_S + 5)
        line = "server2 takes over server1's resources (first alive in the node list)"
        wait_until(lambda: line in cluster["server3"].log_text(), 10, "server3 says who takes")
        assert not lab3["server3"].has_address(VIP)
        assert cluster["server3"].failback_actions() == []
        cluster["server1"].start()
        wait_for_vip(lab3["server2"], VIP, present=False, timeout=20)
        wait_for_vip(lab3["server1"], VIP, timeout=10)
        assert cluster.vip_holders() == ["server1"]
    print(f"[lab three] longest double VIP: {sampler.longest_double():.3f} s")
    assert sampler.longest_double() <= KEEPALIVE_S
    assert cluster["server2"].failback_actions() == ["status", "start", "stop"]
    assert cluster["server3"].failback_actions() == []


@pytest.mark.interop
@pytest.mark.usefixtures("real_heartbeat")
def test_three_real_daemons_both_survivors_take_the_group(lab3: Lab) -> None:
    """The real daemon's two-node resource manager with three nodes (the reason hbtui
    picks one taker and `hbtui check` warns against mixing it in)."""
    cluster = Cluster(lab3, [RealHeartbeat] * 3, SETUP)
    cluster.start_all()
    wait_for_vip(lab3["server1"], VIP, timeout=25)
    wait_until(lambda: time.monotonic() - cluster["server3"].started_at > 12, 20, "settled")
    cluster["server1"].crash()
    wait_for_vip(lab3["server2"], VIP, timeout=DEADTIME_S + 8)
    wait_for_vip(lab3["server3"], VIP, timeout=5)
    assert "Both machines own" in cluster["server2"].log_text() + cluster["server3"].log_text()
