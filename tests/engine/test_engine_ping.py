"""Ping nodes and native ipfail in the engine (docs/protocol.md §12): exact ms, no I/O."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from hbtui.config.model import AutoFailback, PingNode
from hbtui.engine.actions import LogLevel, Ping, WriteLog
from hbtui.engine.ipfail import Giveup, Ipfail
from hbtui.engine.pingnodes import PingNodes, PingState, PingStepError
from tests.engine.enginesim import Cluster, Member

GW = "10.0.0.254"


class PingCluster(Cluster):
    """The simulated cluster plus ICMP: each node's echoes are answered at once by the
    hosts in ``reach[node]``."""

    def __init__(self, **cfg: Any) -> None:
        super().__init__(**cfg)
        self.reach: dict[str, set[str]] = {name: {GW} for name in self.members}

    def _handle(self, mem: Member, out: list[Any]) -> None:
        pings = [item for item in out if isinstance(item, Ping)]
        super()._handle(mem, [item for item in out if not isinstance(item, Ping)])
        for item in pings:
            for host in item.hosts:
                if host in self.reach[mem.name] and mem.node is not None:
                    self._handle(mem, mem.node.ping_reply(host, self.clock.now))


def cluster(ipfail: bool = True, failback: AutoFailback = AutoFailback.ON) -> PingCluster:
    c = PingCluster(all={"auto_failback": failback})
    for mem in c.members.values():
        cf = dataclasses.replace(
            mem.config.ha_cf, ping_nodes=(PingNode(GW, (GW,), 9),), deadping_ms=5000, ipfail=ipfail
        )
        mem.config = dataclasses.replace(mem.config, ha_cf=cf)
    c.start("server1")
    c.start("server2")
    c.run_until(15_000)
    assert c.vip_holders() == ["server1"]
    return c


def test_ping_node_comes_up_with_heartbeat_s_lines() -> None:
    c = cluster(ipfail=False)
    texts = c["server1"].log_texts()
    assert f"Link {GW}:{GW} up." in texts
    assert f"Status update for node {GW}: status ping" in texts
    assert c["server1"].node is not None
    (view,) = c["server1"].node.pings.describe().nodes
    assert view.state is PingState.UP


def test_lost_ping_node_moves_resources_and_they_come_back() -> None:
    c = cluster()
    cut = c.clock.now
    c.reach["server1"] = set()
    c.run_until(cut + 5000 + 1000)
    s1, s2 = c["server1"], c["server2"]
    assert f"node {GW}: is dead" in s1.log_texts()
    assert f"Link {GW}:{GW} dead." in s1.log_texts()
    asked = [msg for _, msg in s1.sent if msg.type == "num_ping_nodes"]
    assert asked[-1].get("num_ping") == "0" and asked[-1].get("dest") == "server2"
    assert asked[-1].get("to_id") == "ipfail"
    assert "you_are_dead" in s2.sent_types()
    c.run_for(2000 + 3000)  # 2 x keepalive, then the standby handshake
    assert c.vip_holders() == ["server2"]
    assert "Giving up because we were told that we have less ping nodes." in s1.log_texts()
    c.reach["server1"] = {GW}
    c.run_for(2000 + 2000 + 3000)
    assert "Giving up foreign resources (auto_failback)." in s2.log_texts()
    assert c.vip_holders() == ["server1"]


def test_without_ipfail_a_lost_ping_node_moves_nothing() -> None:
    c = cluster(ipfail=False)
    c.reach["server1"] = set()
    c.run_for(20_000)
    assert f"node {GW}: is dead" in c["server1"].log_texts()
    assert "num_ping_nodes" not in c["server1"].sent_types()
    assert c.vip_holders() == ["server1"]


def test_both_lose_the_ping_node_nothing_moves() -> None:
    c = cluster()
    c.reach = {"server1": set(), "server2": set()}
    c.run_for(20_000)
    assert "Ping node count is balanced." in c["server2"].log_texts()
    assert c.vip_holders() == ["server1"]


def test_ping_group_is_up_while_any_host_answers() -> None:
    group = PingNode("outside", ("10.0.0.1", "10.0.0.2"), 1, group=True)
    pings = PingNodes((group,), 5000, 10_000, 0)
    change = pings.on_reply("10.0.0.2", 100)
    assert change is not None and change.state is PingState.UP
    assert [w.text for w in change.lines] == [
        "Link outside:outside up.",
        "Status update for node outside: status ping",
    ]
    assert pings.on_reply("10.0.0.1", 4000) is None
    assert pings.due(8999) == [] and pings.next_deadline() == 9000
    (dead,) = pings.due(9000)
    assert dead.state is PingState.DEAD and pings.up_count() == 0
    assert pings.on_reply("10.9.9.9", 9100) is None  # not ours


def test_never_heard_ping_node_is_dead_after_initdead() -> None:
    pings = PingNodes((PingNode(GW, (GW,)),), 5000, 12_000, 0)
    assert pings.next_deadline() == 12_000
    (dead,) = pings.due(12_000)
    assert [w.text for w in dead.lines] == [f"node {GW}: is dead"]  # no link was ever up


def test_ping_steps_off_the_table_raise() -> None:
    pings = PingNodes((PingNode(GW, (GW,)),), 5000, 5000, 0)
    with pytest.raises(PingStepError):
        pings._step(pings.tracks[GW], PingState.INIT, 1)


def _ipfail(stable: bool = True) -> tuple[Ipfail, list[Any], list[str]]:
    sent: list[Any] = []
    logs: list[str] = []
    standbys: list[str] = []

    def emit(item: WriteLog) -> None:
        assert item.level is LogLevel.INFO or item.level is LogLevel.WARN
        logs.append(item.text)

    def standby(kind: str, now: int) -> bool:
        standbys.append(kind)
        return True

    ipf = Ipfail(
        "server2", 2000, True, lambda d, now: sent.append(d), emit, lambda: stable, standby
    )
    return ipf, sent, standbys


def test_balanced_count_aborts_a_pending_giveup() -> None:
    ipf, sent, standbys = _ipfail()
    ipf.on_num_ping("2", 1, 0)
    assert ipf.giveup is Giveup.ALL and ipf.next_deadline() == 2000
    ipf.on_num_ping("1", 1, 500)
    assert ipf.giveup is None and [d.type for d in sent] == ["abort_giveup"]
    ipf.due(5000, 1)
    assert standbys == []


def test_giveup_waits_while_resources_move_then_asks_again() -> None:
    ipf, sent, standbys = _ipfail(stable=False)
    ipf.on_you_are_dead(0)
    ipf.due(2000, 0)
    assert standbys == [] and ipf.need_standby
    ipf.on_peer_stable(3000)
    ipf.due(13_000, 0)
    assert [d.type for d in sent] == ["num_ping_nodes"] and not ipf.need_standby


def test_bad_num_ping_is_a_warning_not_a_decision() -> None:
    ipf, sent, _ = _ipfail()
    ipf.on_num_ping("x1", 1, 0)
    assert ipf.giveup is None and sent == []


def _snapshot_after_cut() -> dict[str, Any]:
    """server1's snapshot 5.5 s after its ping node stopped answering."""
    c = cluster()
    c.reach["server1"] = set()
    c.run_for(5500)
    node = c["server1"].node
    assert node is not None
    return node.snapshot(c.clock.now)


def test_snapshot_shows_ping_nodes_and_ipfail_and_reads_back() -> None:
    from hbtui.engine.snapshot import NodeSnapshot

    snap = _snapshot_after_cut()
    assert snap["ping_nodes"][GW]["status"] == "dead"
    assert snap["ipfail"]["peer"] == "server2" and snap["ipfail"]["giveup"] == "all"
    assert NodeSnapshot.from_dict(snap).to_dict() == snap
    plain = cluster(ipfail=False)["server2"].node
    assert plain is not None and plain.snapshot(0)["ipfail"] is None


def test_status_lists_ping_nodes_like_cl_status() -> None:
    from hbtui.commands.status import answer, render

    snap = _snapshot_after_cut()
    lines = render(snap)
    assert f"nodestatus {GW}: dead (ping node {GW})" in lines
    assert any(line.startswith("ipfail: giving [all] resources to server2 in ") for line in lines)
    assert answer(snap, "listnodes", None) == (0, ["server1", "server2", GW])
    assert answer(snap, "nodestatus", GW) == (0, ["dead"])
