"""Issue 13 item 6, the network faults, on two real ``hbtui node`` processes (HOWTO timers:
keepalive 1 s, deadtime 5 s) in the namespace lab, one cluster shared by the module.

Loss and partitions are nftables rules in server2's namespace on udp/694. A sampler reads
who has the VIP every 50 ms. Each case asserts: exactly one holder within two keepalives
after the fault ends (a little slack for the sampler), a double hold under loss undone
within deadtime, and nothing silent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from hbtui.lab.netns import Lab
from tests.lab.cluster import Cluster
from tests.lab.conftest import lab_unavailable
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import HbtuiNode
from tests.lab.observe import (
    drop_from,
    drop_traffic,
    restore_traffic,
    wait_for_vip,
    wait_until,
)

pytestmark = pytest.mark.lab

SETUP = HaSetup()
VIP = SETUP.vip_ip
KEEPALIVE_S = 1.0
DEADTIME_S = 5.0
SLACK_S = 0.5  # the sampler's period and the `ip` calls it makes


@dataclass
class Sampler:
    """Who holds the VIP, every 50 ms, in a thread, until stopped."""

    lab: Lab
    samples: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), tuple(self.lab.vip_holders(VIP))))
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def longest_double(self, since: float, until: float) -> float:
        """The longest stretch with two holders between ``since`` and ``until``."""
        longest, began = 0.0, None
        for at, holders in self.samples:
            if not since <= at <= until:
                continue
            if len(holders) > 1 and began is None:
                began = at
            elif len(holders) <= 1 and began is not None:
                longest, began = max(longest, at - began), None
        if began is not None:
            longest = max(longest, until - began)
        return longest


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    with Lab(["server1", "server2"], base_dir=tmp_path_factory.mktemp("lab")) as lab:
        made = Cluster(lab, [HbtuiNode, HbtuiNode], SETUP)
        made.start_all()
        wait_for_vip(lab["server1"], VIP, timeout=30)
        try:
            yield made
        finally:
            for member in made:
                member.crash()


def settled(cluster: Cluster) -> None:
    """One holder (server1, auto_failback on) and both nodes alive, before a case."""
    restore_traffic(cluster.lab["server2"])
    wait_until(lambda: cluster.vip_holders() == ["server1"], 40, "server1 alone holds the VIP")
    time.sleep(2)  # a few keepalives in both directions


def one_holder_after(sampler: Sampler, cluster: Cluster, ended: float) -> float:
    """Seconds from the end of the fault to exactly one holder (bounded)."""
    wait_until(lambda: len(cluster.vip_holders()) == 1, 15, "one holder after the fault")
    for at, holders in sampler.samples:
        if at >= ended and len(holders) == 1:
            return max(0.0, at - ended)
    return time.monotonic() - ended


def test_loss_of_50_percent_for_30_s_ends_any_double_hold_within_deadtime(
    cluster: Cluster,
) -> None:
    """At 50 % loss five keepalives in a row are lost about once a minute (3 % a second:
    `hbtui advise` says so), so a false failover may happen here, as with the real daemon;
    what must hold is that it is named in the log and undone quickly: the VIP is never on
    both nodes for longer than deadtime, and one node holds it right after the loss ends."""
    settled(cluster)
    sampler = Sampler(cluster.lab)
    began = time.monotonic()
    drop_traffic(cluster.lab["server2"], 50, udp_port=SETUP.udpport)
    time.sleep(30)
    restore_traffic(cluster.lab["server2"])
    ended = time.monotonic()
    after = one_holder_after(sampler, cluster, ended)
    time.sleep(2 * KEEPALIVE_S)
    sampler.stop()
    double = sampler.longest_double(began, time.monotonic())
    print(f"[faults] 50 % loss 30 s: longest double hold {double:.2f} s, one holder {after:.2f} s")
    assert double <= DEADTIME_S
    assert after <= 2 * KEEPALIVE_S + SLACK_S
    if double > 0:  # a false failover happened: it was named, not silent
        assert "is dead" in cluster["server2"].log_text() + cluster["server1"].log_text()


def test_a_12_s_partition_heals_to_one_holder_within_two_keepalives(cluster: Cluster) -> None:
    settled(cluster)
    sampler = Sampler(cluster.lab)
    drop_traffic(cluster.lab["server2"], 100, udp_port=SETUP.udpport)
    wait_until(lambda: len(cluster.vip_holders()) == 2, 15, "both take the VIP (true partition)")
    time.sleep(max(0.0, 12 - 6))
    restore_traffic(cluster.lab["server2"])
    ended = time.monotonic()
    after = one_holder_after(sampler, cluster, ended)
    time.sleep(2 * KEEPALIVE_S)
    sampler.stop()
    never_none = all(holders for at, holders in sampler.samples if at >= ended)
    print(f"[faults] 12 s partition: one holder {after:.2f} s after the heal")
    assert after <= 2 * KEEPALIVE_S + SLACK_S
    assert never_none, "a moment with no holder after the heal"
    log = cluster["server2"].log_text()
    assert "is dead" in log  # the partition was named, not silent


def test_a_one_way_partition_leaves_one_holder(cluster: Cluster) -> None:
    """server1's datagrams stop reaching server2 (server2's still reach server1)."""
    settled(cluster)
    server2 = cluster.lab["server2"]
    sampler = Sampler(cluster.lab)
    began = time.monotonic()
    drop_from(server2, SETUP.node_ip("server1"), SETUP.udpport)
    try:
        time.sleep(12)
    finally:
        restore_traffic(server2)
    ended = time.monotonic()
    after = one_holder_after(sampler, cluster, ended)
    time.sleep(2 * KEEPALIVE_S)
    sampler.stop()
    double = sampler.longest_double(began, ended)
    print(
        f"[faults] one-way partition 12 s: longest double hold {double:.2f} s during it, "
        f"one holder {after:.2f} s after it ended"
    )
    assert after <= 2 * KEEPALIVE_S + SLACK_S
    assert "is dead" in cluster["server2"].log_text()
