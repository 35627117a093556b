"""Issue 17's split-brain detector on real links: two ``hbtui node`` processes with
``split_brain_probe = 1`` in hbtui.conf; an operator adds the VIP by hand on the standby
(``ip addr add``). The holder's ARP probe hears a second machine answer: CRIT in its
ha-log with the other MAC, ``runtime.split_brain`` in its status and ``status --check``
CRITICAL; once the address is removed again the holder says the split brain is over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hbtui.lab.netns import Lab
from tests.faults.conftest import hbtui_pair
from tests.lab.cluster import Cluster
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import HbtuiNode
from tests.lab.observe import wait_for_vip, wait_until

pytestmark = pytest.mark.lab

SETUP = HaSetup(hbtui_settings=("start_probe = no", "split_brain_probe = 1"))
VIP = SETUP.vip_ip


@pytest.fixture
def cluster(lab: Lab) -> Iterator[Cluster]:
    with hbtui_pair(lab, SETUP) as made:
        yield made


def test_a_vip_added_by_hand_on_the_standby_is_a_split_brain(cluster: Cluster) -> None:
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode)
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=30)
    wait_until(lambda: one.snapshot()["runtime"].get("probes", 0) >= 1, 15, "first probe")
    assert one.snapshot()["runtime"]["split_brain"] == []
    two.node.run(["ip", "addr", "add", f"{VIP}/24", "dev", "eth0"], check=True)
    mac = two.node.run(["cat", "/sys/class/net/eth0/address"], check=True).stdout.strip()
    wait_until(lambda: "Split brain: 192.168.10.10" in one.log_text(), 10, "CRIT on server1")
    line = next(x for x in one.log_text().splitlines() if "Split brain: 192.168.10.10" in x)
    assert "CRIT" in line and mac in line and "this node" in line
    found = one.snapshot()["runtime"]["split_brain"]
    assert found[0]["ip"] == VIP and found[0]["macs"] == [mac] and found[0]["here"]
    check = one.status("--check")
    assert check.returncode == 2 and "split brain: 192.168.10.10" in check.stdout
    two.node.run(["ip", "addr", "del", f"{VIP}/24", "dev", "eth0"], check=True)
    wait_until(lambda: "Split brain over" in one.log_text(), 10, "split brain over")
    assert one.status("--check").returncode == 0
