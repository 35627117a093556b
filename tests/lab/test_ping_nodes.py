"""Ping nodes and ipfail in the namespace lab (issue 16, docs/protocol.md §12).

A third namespace, ``gw`` (192.168.10.3, no daemon: its kernel answers ICMP echo), is the
ping node of both cluster nodes. nftables inside server1 (the owner) cuts it from gw only:
the VIP moves to server2, which still sees gw; the cut is lifted: with auto_failback on the
VIP comes back. First two hbtui nodes, then a real Heartbeat 3.0.6 daemon running ipfail
beside an hbtui node, both ways round. Every wait is bounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hbtui.lab.commands import run
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node

from .cluster import Cluster, LabNodeProcess, RealHeartbeat
from .conftest import lab_of
from .haconfig import HaSetup
from .halog import protocol_complaints
from .hbtui_node import HbtuiNode
from .observe import NFT_TABLE, restore_traffic, wait_for_vip, wait_until

pytestmark = pytest.mark.lab

GW = "192.168.10.3"
IPFAIL = "/usr/libexec/heartbeat/ipfail"  # where Debian's heartbeat installs it
SETUP = HaSetup(extra_ha_cf=(f"ping {GW}", "deadping 5", f"respawn hacluster {IPFAIL}"))
VIP = SETUP.vip_ip
INITDEAD_S = 10.0
REAL_COLD_START_S = 14.0
# deadping, then ipfail's delayed giveup (2 x keepalive), then the standby handshake
MOVE_S = 5.0 + 2.0 + 6.0


class PingTarget(LabNodeProcess):
    """A lab node that runs nothing: its kernel answers ICMP echo."""

    kind = "ping target"

    def prepare(self, setup: HaSetup) -> None:
        self.setup = setup

    def start(self) -> None:
        self.started_at = time.monotonic()

    def stop(self, timeout: float = 30.0) -> None:
        return None


@pytest.fixture
def lab3(lab_dir: Path) -> Iterator[Lab]:
    """server1, server2 and the ping node gw (192.168.10.3)."""
    with lab_of(["server1", "server2", "gw"], lab_dir) as made:
        yield made


def cut_from(node: Node, host: str) -> None:
    """nftables in ``node``: drop every packet to and from ``host`` (nothing else)."""
    chains = "".join(
        f"  chain {hook} {{ type filter hook {hook} priority 0; policy accept;"
        f" ip {side}addr {host} drop; }}\n"
        for hook, side in (("input", "s"), ("output", "d"))
    )
    rules = f"table inet {NFT_TABLE} {{\n{chains}}}\n"
    run(["nsenter", f"--net=/run/netns/{node.netns}", "nft", "-f", "-"], input_text=rules)


def sees_gw(member: LabNodeProcess, state: str) -> Callable[[], bool]:
    """``member``'s view of the ping node: ``ping`` (up) or ``dead``."""

    def check() -> bool:
        if isinstance(member, HbtuiNode):
            return bool(member.snapshot()["ping_nodes"][GW]["status"] == state)
        marks = (f"Status update for node {GW}: status ping", f"node {GW}: is dead")
        lines = [ln for ln in member.log_text().splitlines() if any(m in ln for m in marks)]
        return bool(lines) and (marks[0] in lines[-1]) == (state == "ping")

    return check


def in_order(actions: list[str], wanted: list[str]) -> bool:
    """``wanted`` appears in ``actions`` in this order (other calls may come between)."""
    rest = iter(actions)
    return all(any(a == w for a in rest) for w in wanted)


def timing(what: str, seconds: float) -> None:
    print(f"[lab ping] {what}: {seconds:.3f} s")


Kinds = tuple[Callable[..., LabNodeProcess], Callable[..., LabNodeProcess]]


@pytest.mark.parametrize(
    "kinds",
    [
        (HbtuiNode, HbtuiNode),
        pytest.param((RealHeartbeat, HbtuiNode), marks=pytest.mark.interop),
        pytest.param((HbtuiNode, RealHeartbeat), marks=pytest.mark.interop),
    ],
    ids=["hbtui-hbtui", "real1-hbtui2", "hbtui1-real2"],
)
def test_owner_cut_from_ping_node_moves_resources_and_back(lab3: Lab, kinds: Kinds) -> None:
    if RealHeartbeat in kinds and (reason := RealHeartbeat.available()):
        pytest.skip(reason)
    cluster = Cluster(lab3, [*kinds, PingTarget], SETUP)
    one, two = cluster["server1"], cluster["server2"]
    began = cluster.start_all()
    up = wait_for_vip(lab3["server1"], VIP, timeout=REAL_COLD_START_S + 6)
    timing(f"{one.kind}+{two.kind}: cold start -> VIP on server1", up - began)
    for member in (one, two):
        wait_until(sees_gw(member, "ping"), 15, f"{member.kind} {member.node.name} sees {GW}")
    assert one.wait_failback_actions(2, timeout=10) == ["status", "start"]
    if isinstance(one, HbtuiNode):
        assert f"nodestatus {GW}: ping (ping node {GW})" in one.status().stdout
    time.sleep(3.0)  # both ipfails have joined and compared counts: balanced
    assert cluster.vip_holders() == ["server1"]
    cut = time.monotonic()
    cut_from(lab3["server1"], GW)
    try:
        moved = wait_for_vip(lab3["server2"], VIP, timeout=MOVE_S + 10)
        timing(f"{GW} cut from server1 -> VIP on server2", moved - cut)
        wait_for_vip(lab3["server1"], VIP, present=False, timeout=5)
        assert f"node {GW}: is dead" in one.log_text()
        assert sees_gw(two, "ping")()
        text = "Telling other node that we have more visible ping nodes."
        wait_until(lambda: text in two.log_text(), 5, "server2's ipfail told server1")
    finally:
        restore_traffic(lab3["server1"])
    back_from = time.monotonic()
    back = wait_for_vip(lab3["server1"], VIP, timeout=MOVE_S + 15)
    timing(f"{GW} back on server1 -> VIP back on server1 (auto_failback on)", back - back_from)
    wait_for_vip(lab3["server2"], VIP, present=False, timeout=5)
    assert cluster.vip_holders() == ["server1"]
    # the real daemon runs `status` before a start: wait for the calls, not a count
    for member, wanted in ((one, ["start", "stop", "start"]), (two, ["start", "stop"])):
        wait_until(
            lambda: in_order(member.failback_actions(), wanted),  # noqa: B023 (called now)
            10,
            f"{member.kind} {member.node.name} failback.sh {' '.join(wanted)}",
        )
    for member in (one, two):
        if isinstance(member, RealHeartbeat):
            # the ping node's answers after the cut are a "Late heartbeat" of node gw
            about_peer = [ln for ln in protocol_complaints(member.log_text()) if GW not in ln]
            assert about_peer == []
        member.stop(timeout=30)
