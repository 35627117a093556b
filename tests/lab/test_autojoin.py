"""ha.cf ``autojoin`` in the namespace lab (issue 16, docs/protocol.md §8.1).

server1 and server2 run hbtui with ``node server1 server2`` and ``autojoin any``; server3 runs
the real Heartbeat 3.0.6 daemon, which lists all three and keeps ``autojoin none`` (with
haresources it refuses to start otherwise: the second test shows it). server3 joins the hbtui
nodes on its first packet: every node sees every other as a member, the group stays on
server1, the daemon's ha-log holds no complaint, and hbtui keeps server3 in its hostcache.
server3 gets an empty haresources: given the group's line, a real daemon would take it too when
server1 dies (docs/protocol.md §7.6).
"""

from __future__ import annotations

import time

import pytest

from hbtui.lab.netns import Lab

from .cluster import HEARTBEAT_INIT, Cluster, RealHeartbeat
from .haconfig import HaSetup
from .halog import complaints
from .hbtui_node import HbtuiNode
from .observe import wait_for_vip, wait_until

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

NAMES = ("server1", "server2", "server3")
MEDIA = tuple(f"ucast eth0 192.168.10.{n}" for n in (1, 2, 3))
HBTUI = HaSetup(nodes=NAMES[:2], media=MEDIA, autojoin="any")
REAL = HaSetup(nodes=NAMES, media=MEDIA)
VIP = HBTUI.vip_ip
JOINED = "process_clustermsg: Adding new node [server3] to configuration."


def members(node: HbtuiNode) -> dict[str, tuple[str, bool]]:
    """(status, joined) of every peer in ``hbtui status --json``."""
    nodes = node.snapshot()["nodes"]
    return {n: (v["status"], bool(v.get("joined"))) for n, v in nodes.items() if not v["self"]}


def test_a_real_daemon_not_in_the_node_list_joins_hbtui_nodes(lab3: Lab) -> None:
    cluster = Cluster(lab3, [HbtuiNode, HbtuiNode, RealHeartbeat], HBTUI, {"server3": REAL})
    (lab3["server3"].etc_dir / "haresources").write_text("")  # it never takes the group
    began = cluster.start_all()
    wait_for_vip(lab3["server1"], VIP, timeout=20)
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(one, HbtuiNode) and isinstance(two, HbtuiNode)
    want = {"server2": ("active", False), "server3": ("active", True)}
    wait_until(lambda: members(one) == want, 20, "server1 counts server3 as a member")
    wait_until(lambda: members(two).get("server3") == ("active", True), 5, "server2 too")
    real = lab3["server3"]

    def real_sees(name: str) -> bool:
        done = real.run(["cl_status", "nodestatus", name], timeout=10)
        return done.stdout.strip() == "active"

    wait_until(lambda: real_sees("server1") and real_sees("server2"), 15, "server3 sees both")
    time.sleep(3)  # a few keepalives more: nothing may move
    print(f"[lab autojoin] all members after {time.monotonic() - began:.1f} s")
    assert cluster.vip_holders() == ["server1"]
    assert "start" in one.failback_actions() and "stop" not in one.failback_actions()
    assert two.failback_actions() == [] and cluster["server3"].failback_actions() == []
    for node in (one, two):
        assert JOINED in node.log_text()
        assert "nodestatus server3: active (joined" in node.status().stdout
        cache = node.node.host_path("/var/lib/heartbeat/hostcache").read_text()
        assert [line.split("\t")[0] for line in cache.splitlines()] == list(NAMES)
    assert complaints(cluster["server3"].log_text(), allow_failover=False) == []


def test_the_real_daemon_refuses_autojoin_with_haresources(lab3: Lab) -> None:
    """What Heartbeat 3.0.6 does with ``autojoin any`` and haresources (R1): no start."""
    cluster = Cluster(lab3, [RealHeartbeat] * 3, HaSetup(nodes=NAMES, autojoin="any"))
    real = cluster["server1"]
    done = real.node.run([str(HEARTBEAT_INIT), "start"], timeout=30)
    text = real.log_text() + done.stdout + done.stderr
    assert "R1 style resource management conflicts with  autojoin set" in text
    assert "You need either unset autojoin or enable crm" in text
    assert not real.running()
