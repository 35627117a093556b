"""bcast and mcast media in the namespace lab (issue 16, docs/protocol.md §1.1).

Two hbtui nodes with ``bcast eth0`` only, then with ``mcast eth0 GROUP 694 1 0`` only: cold
start, each sees the other alive on its link, a power cut of the owner moves the VIP (and the
survivor logs the link dead). Then a real Heartbeat 3.0.6 daemon and an hbtui node share a
cluster over bcast, both ways round: each sees the other alive, the VIP fails over when the
owner is cut. Every wait is bounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.lab.commands import run
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node
from hbtui.wire.pcap import read_datagrams

from .cluster import Cluster, LabNodeProcess, RealHeartbeat
from .haconfig import HaSetup
from .halog import protocol_complaints
from .hbtui_node import HbtuiNode
from .observe import NFT_TABLE, capture, restore_traffic, wait_for_vip, wait_until

pytestmark = pytest.mark.lab

BCAST = HaSetup(media=("bcast eth0",))
MCAST = HaSetup(media=("mcast eth0 239.0.0.43 694 1 0",))
TWO_LINKS = HaSetup(media=("bcast eth0", "ucast eth1 192.168.20.1", "ucast eth1 192.168.20.2"))
WIRE = {  # who sends to where, on the bridge
    "bcast": {("192.168.10.1", "192.168.10.255"), ("192.168.10.2", "192.168.10.255")},
    "mcast": {("192.168.10.1", "239.0.0.43"), ("192.168.10.2", "239.0.0.43")},
}
VIP = BCAST.vip_ip
DEADTIME_S, INITDEAD_S = 5.0, 10.0
REAL_COLD_START_S = 14.0  # a real daemon waits for initdead (tests/lab/README.md)


def timing(what: str, seconds: float) -> None:
    print(f"[lab media] {what}: {seconds:.3f} s")


def peer_alive_in_hbtui(member: HbtuiNode, peer: str) -> None:
    """``hbtui status`` of ``member``: ``peer`` active, its eth0 link up."""

    def seen() -> bool:
        info = member.snapshot()["nodes"][peer]
        return bool(info["status"] == "active" and info["links"]["eth0"]["status"] == "up")

    wait_until(seen, 15, f"{member.node.name} sees {peer} alive on eth0")
    out = member.status().stdout
    assert f"nodestatus {peer}: active" in out and f"link {peer}:eth0: up" in out, out


def peer_alive_in_real(member: RealHeartbeat, peer: str) -> None:
    """The real daemon's ha-log: the link to ``peer`` came up and ``peer`` went active."""
    wanted = (f"Link {peer}:eth0 up.", f"Status update for node {peer}: status active")
    wait_until(lambda: all(w in member.log_text() for w in wanted), 20, f"real sees {peer}")


def destinations(lab: Lab, pcap: Path, bpf: str) -> set[tuple[str, str]]:
    """(source, destination) addresses of the heartbeat datagrams seen on the bridge for 3 s."""
    with capture(lab, pcap, bpf):
        time.sleep(3.0)  # three keepalives from each node
    return {(d.src[0], d.dst[0]) for d in read_datagrams(pcap.read_bytes())}


def power_cut_moves_vip(cluster: Cluster) -> None:
    """Cut server1: server2 takes the VIP within deadtime (plus slack) and logs it dead."""
    one, two = cluster["server1"], cluster["server2"]
    crashed = time.monotonic()
    one.crash()
    taken = wait_for_vip(cluster.lab["server2"], VIP, timeout=DEADTIME_S + 4)
    timing(f"{two.kind} server2 takes over from a cut {one.kind} server1", taken - crashed)
    assert taken - crashed <= DEADTIME_S + 2.0
    wait_until(lambda: "Link server1:eth0 dead." in two.log_text(), 5, "link dead logged")
    assert "node server1: is dead" in two.log_text()


@pytest.mark.parametrize("setup", [BCAST, MCAST], ids=["bcast", "mcast"])
def test_two_hbtui_nodes_over_one_medium_fail_over(
    lab: Lab, setup: HaSetup, tmp_path: Path
) -> None:
    cluster = Cluster(lab, [HbtuiNode, HbtuiNode], setup)
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode) and isinstance(two, HbtuiNode)
    began = cluster.start_all()
    up = wait_for_vip(lab["server1"], VIP, timeout=INITDEAD_S + 3)
    timing(f"{setup.media[0]}: cold start -> VIP on server1", up - began)
    peer_alive_in_hbtui(one, "server2")
    peer_alive_in_hbtui(two, "server1")
    assert one.wait_failback_actions(2) == ["status", "start"]
    assert two.failback_actions() == [] and not lab["server2"].has_address(VIP)
    kind = setup.media[0].split()[0]
    assert destinations(lab, tmp_path / "wire.pcap", "udp port 694") == WIRE[kind]
    # the startup dt (deadtime + 2 s) is over once server2 hears a plain deadtime
    wait_until(lambda: two.snapshot()["nodes"]["server1"]["deadtime_ms"] == 5000, 10, "dt")
    power_cut_moves_vip(cluster)
    assert two.snapshot()["nodes"]["server1"]["links"]["eth0"]["status"] == "dead"
    assert two.wait_failback_actions(2) == ["status", "start"]
    two.stop(timeout=15)


Kinds = tuple[Callable[..., LabNodeProcess], Callable[..., LabNodeProcess]]


@pytest.mark.interop
@pytest.mark.usefixtures("real_heartbeat")
@pytest.mark.parametrize(
    "kinds",
    [(RealHeartbeat, HbtuiNode), (HbtuiNode, RealHeartbeat)],
    ids=["real1-hbtui2", "hbtui1-real2"],
)
def test_real_daemon_and_hbtui_over_bcast(lab: Lab, kinds: Kinds, tmp_path: Path) -> None:
    cluster = Cluster(lab, list(kinds), BCAST)
    one, two = cluster["server1"], cluster["server2"]
    began = cluster.start_all()
    up = wait_for_vip(lab["server1"], VIP, timeout=REAL_COLD_START_S + 6)
    timing(f"bcast {one.kind}+{two.kind}: cold start -> VIP on server1", up - began)
    for member, peer in ((one, "server2"), (two, "server1")):
        if isinstance(member, HbtuiNode):
            peer_alive_in_hbtui(member, peer)
        else:
            assert isinstance(member, RealHeartbeat)
            peer_alive_in_real(member, peer)
    assert one.wait_failback_actions(2, timeout=10) == ["status", "start"]
    assert not lab["server2"].has_address(VIP)
    assert destinations(lab, tmp_path / "wire.pcap", "udp port 694") == WIRE["bcast"]
    # wait out the startup dt (deadtime + 2 s): a cut is then judged by deadtime
    latest = max(m.started_at for m in cluster)
    wait_until(lambda: time.monotonic() - latest > DEADTIME_S + 2.5, 10, "startup dt over")
    power_cut_moves_vip(cluster)
    assert two.wait_failback_actions(2, timeout=10) == ["status", "start"]
    for member in cluster:
        if isinstance(member, RealHeartbeat):
            assert protocol_complaints(member.log_text()) == []
    if two.running():
        two.stop(timeout=30)


def second_link(lab: Lab) -> None:
    """eth1 <-> eth1 between server1 and server2 (192.168.20.1/24, .2/24), no bridge."""
    one, two = lab["server1"].netns, lab["server2"].netns
    run(["ip", "link", "add", "eth1", "netns", one, "type", "veth", "peer", "name", "eth1",
         "netns", two])  # fmt: skip
    for netns, ip in ((one, "192.168.20.1"), (two, "192.168.20.2")):
        run(["ip", "-n", netns, "addr", "add", f"{ip}/24", "brd", "+", "dev", "eth1"])
        run(["ip", "-n", netns, "link", "set", "eth1", "up"])


def cut_eth1(node: Node) -> None:
    """nftables in ``node``: drop everything in and out of eth1 (eth0 untouched)."""
    chains = "".join(
        f"  chain {hook} {{ type filter hook {hook} priority 0; policy accept;"
        f' {side}ifname "eth1" drop; }}\n'
        for hook, side in (("input", "i"), ("output", "o"))
    )
    rules = f"table inet {NFT_TABLE} {{\n{chains}}}\n"
    run(["nsenter", f"--net=/run/netns/{node.netns}", "nft", "-f", "-"], input_text=rules)


def link_state(member: LabNodeProcess, peer: str) -> Callable[[str], bool]:
    """Whether ``member`` sees its link eth1 to ``peer`` in ``state`` (status or ha-log)."""

    def check(state: str) -> bool:
        if isinstance(member, HbtuiNode):
            info = member.snapshot()["nodes"][peer]["links"]
            return bool(info["eth1"]["status"] == state and info["eth0"]["status"] == "up")
        lines = [ln for ln in member.log_text().splitlines() if f"Link {peer}:eth1 " in ln]
        return bool(lines) and lines[-1].endswith(f"Link {peer}:eth1 {state}.")

    return check


@pytest.mark.parametrize(
    "kinds",
    [
        (HbtuiNode, HbtuiNode),
        pytest.param((RealHeartbeat, HbtuiNode), marks=pytest.mark.interop),
        pytest.param((HbtuiNode, RealHeartbeat), marks=pytest.mark.interop),
    ],
    ids=["hbtui-hbtui", "real1-hbtui2", "hbtui1-real2"],
)
def test_two_links_one_cut_no_failover_link_dead_then_up(lab: Lab, kinds: Kinds) -> None:
    """bcast on eth0 + ucast on eth1; eth1 cut on server1: both sides see that link dead and
    nobody fails over; eth1 back: the link is up again. A message that came on both links
    was handled once (no complaint in a real daemon's ha-log)."""
    if RealHeartbeat in kinds and (reason := RealHeartbeat.available()):
        pytest.skip(reason)
    second_link(lab)
    cluster = Cluster(lab, list(kinds), TWO_LINKS)
    one, two = cluster["server1"], cluster["server2"]
    began = cluster.start_all()
    up = wait_for_vip(lab["server1"], VIP, timeout=REAL_COLD_START_S + 6)
    timing(f"two links {one.kind}+{two.kind}: cold start -> VIP on server1", up - began)
    watch = ((link_state(one, "server2"), "server1"), (link_state(two, "server1"), "server2"))
    for seen, who in watch:
        wait_until(lambda s=seen: s("up"), 20, f"{who}: both links up")
    assert one.wait_failback_actions(2, timeout=10) == ["status", "start"]
    cut = time.monotonic()
    cut_eth1(lab["server1"])
    try:
        for seen, who in watch:
            wait_until(lambda s=seen: s("dead"), DEADTIME_S + 5, f"{who}: eth1 dead")
        timing("eth1 cut -> link dead on both sides", time.monotonic() - cut)
        time.sleep(2.0)  # past the deadtime: still no failover
        assert cluster.vip_holders() == ["server1"]
        assert two.failback_actions() == []
        assert "is dead" not in two.log_text() and "is dead" not in one.log_text()
    finally:
        restore_traffic(lab["server1"])
    for seen, who in watch:
        wait_until(lambda s=seen: s("up"), 10, f"{who}: eth1 up again")
    assert cluster.vip_holders() == ["server1"] and two.failback_actions() == []
    for member in cluster:
        if isinstance(member, RealHeartbeat):
            assert protocol_complaints(member.log_text()) == []
        member.stop(timeout=30)
