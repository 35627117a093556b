"""ha.cf ``autojoin`` (issue 16, engine/autojoin.py): a node the node list lacks joins on its
first authenticated packet with ``other``/``any``, is remembered in the host cache, and takes
no part in haresources; with ``none`` it stays rejected and counted, as before.

server1 and server2 list ``node server1 server2``; server3 lists all three (as a real daemon
beside them must: it keeps ``autojoin none``) and is the node that joins.
"""

from __future__ import annotations

import dataclasses

import pytest
from enginesim import THREE, UUIDS, Cluster

from hbtui.engine.actions import WriteHostcache
from hbtui.engine.autojoin import MAX_NODES, NULL_UUID, Joiner
from hbtui.engine.events import NodeJoined, PacketRejected, PeerDead
from hbtui.stream.health import State, assess

FAST = {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 3000}
UP = 6000
JOIN_LINE = "process_clustermsg: Adding new node [server3] to configuration."


def listing(c: Cluster, name: str, nodes: tuple[str, ...], autojoin: str) -> None:
    """Give ``name`` the node line ``nodes`` and ``autojoin``."""
    mem = c[name]
    cf = dataclasses.replace(mem.config.ha_cf, nodes=nodes, autojoin=autojoin)
    mem.config = dataclasses.replace(mem.config, ha_cf=cf)


def cluster(autojoin: str, third_lists: tuple[str, ...] = tuple(THREE)) -> Cluster:
    c = Cluster(nodes=THREE, all=FAST)
    for name in ("server1", "server2"):
        listing(c, name, ("server1", "server2"), autojoin)
    listing(c, "server3", third_lists, "any" if "server3" not in third_lists else "none")
    return c


def up(c: Cluster, *names: str) -> Cluster:
    for name in names or tuple(THREE):
        c.start(name)
    c.run_until(UP)
    return c


def nodes_of(c: Cluster, name: str) -> dict[str, dict[str, object]]:
    node = c[name].node
    assert node is not None
    seen: dict[str, dict[str, object]] = node.snapshot(c.clock.now)["nodes"]
    return seen


@pytest.mark.parametrize("mode", ["other", "any"])
def test_an_unlisted_node_that_signs_with_the_key_joins(mode: str) -> None:
    c = up(cluster(mode))
    for name in ("server1", "server2"):
        assert c[name].log_texts().count(JOIN_LINE) == 1
        joined = c[name].of_type(NodeJoined)
        assert [(e.node, e.sender[0], e.uuid) for e in joined] == [
            ("server3", "192.168.10.3", UUIDS["server3"].hex())
        ]
        seen = nodes_of(c, name)["server3"]
        assert (seen["status"], seen["joined"], seen["rsc_hold"]) == ("active", True, None)
        assert "joined" not in nodes_of(c, name)[{"server1": "server2", "server2": "server1"}[name]]
        assert not [e for e in c[name].of_type(PacketRejected) if e.reason == "unknown_sender"]
    # both sides see each other as members, and the group stays where it was
    assert {n: s["status"] for n, s in nodes_of(c, "server3").items() if n != "server3"} == {
        "server1": "active",
        "server2": "active",
    }
    assert c.vip_holders() == ["server1"]


def test_autojoin_none_keeps_an_unlisted_node_rejected_and_counted() -> None:
    c = up(cluster("none"))
    for name in ("server1", "server2"):
        assert "server3" not in nodes_of(c, name)
        assert JOIN_LINE not in c[name].log_texts()
        assert not c[name].of_type(NodeJoined) and not c[name].of_type(WriteHostcache)
        rejected = [e for e in c[name].of_type(PacketRejected) if e.reason == "unknown_sender"]
        assert rejected and {e.sender[0] for e in rejected} == {"192.168.10.3"}
        node = c[name].node
        assert node is not None
        counted = node.snapshot(c.clock.now)["rejected"]
        unknown = {"reason": "unknown_sender", "ip": "192.168.10.3", "count": len(rejected)}
        assert unknown in counted
        line = "dropped a packet from 192.168.10.3: sender 'server3' is not a node of this cluster"
        assert c[name].log_texts().count(line) == 1


def test_the_host_cache_is_written_with_every_member_and_its_uuid() -> None:
    c = up(cluster("other"))
    writes = c["server1"].of_type(WriteHostcache)
    assert writes[0].nodes == (("server1", UUIDS["server1"]), ("server2", NULL_UUID))  # at start
    assert writes[-1].nodes == tuple((n, UUIDS[n]) for n in THREE)


def test_a_restart_takes_the_joined_node_back_from_the_host_cache() -> None:
    c = up(cluster("other"))
    cached = c["server1"].of_type(WriteHostcache)[-1].nodes
    c.kill("server1")
    c["server1"].options["known_nodes"] = cached
    c.start("server1")
    seen = nodes_of(c, "server1")["server3"]  # a member before it speaks
    assert seen["joined"] is True and seen["uuid"] == UUIDS["server3"].hex()
    c.run_for(2000)
    assert nodes_of(c, "server1")["server3"]["status"] == "active"
    assert c["server1"].log_texts().count(JOIN_LINE) == 1  # the first run's, no second join


def test_the_host_cache_is_ignored_with_autojoin_none() -> None:
    c = cluster("none")
    c["server1"].options["known_nodes"] = tuple((n, UUIDS[n]) for n in THREE)
    up(c)
    assert "server3" not in nodes_of(c, "server1")
    assert not c["server1"].of_type(WriteHostcache)


def test_a_joined_node_takes_no_part_in_takeovers() -> None:
    c = up(cluster("other"))
    c.kill("server3")
    c.run_for(2 * FAST["deadtime"])
    for name in ("server1", "server2"):
        assert [e.node for e in c[name].of_type(PeerDead)] == ["server3"]
        assert nodes_of(c, name)["server3"]["status"] == "dead"
        assert not any("STONITH" in t for t in c[name].log_texts())
    assert c.vip_holders() == ["server1"]
    c.start("server3")
    c.run_for(2000)
    c.kill("server1")
    c["server1"].vips.clear()
    c.run_for(3 * FAST["deadtime"])
    assert c.vip_holders() == ["server2"]  # the listed survivor, never the joined node
    assert nodes_of(c, "server2")["server3"]["status"] == "active"


def test_the_node_list_answer_names_the_joined_node() -> None:
    c = up(cluster("other"))
    sent = [m for _, m in c["server1"].sent if m.type == "repnodes"]
    answers = [m for m in sent if m.get("dest") == "server3"]
    assert answers and answers[-1].get("nodelist") == "server1 server2 server3 "


def test_autojoin_any_lets_this_node_add_itself_and_it_holds_nothing() -> None:
    c = cluster("any", third_lists=("server1", "server2"))
    up(c)
    assert "Current node [server3] added to configuration." in c["server3"].log_texts()
    assert nodes_of(c, "server1")["server3"]["joined"] is True
    assert c["server3"].calls == []
    node3 = c["server3"].node
    assert node3 is not None
    health = assess(node3.snapshot(c.clock.now), FAST["warntime"])
    assert health.state is State.OK, health  # it knows who holds the group
    c.kill("server1")
    c["server1"].vips.clear()
    c.kill("server2")
    c.run_for(3 * FAST["deadtime"])
    assert c.vip_holders() == []  # the node that added itself takes nothing over
    assert c["server3"].calls == []


def test_join_refusals() -> None:
    joiner = Joiner("other", ("a", "b"), "a")
    assert joiner.refusal("c") is None
    assert joiner.refusal("b") == "already a member"
    assert joiner.refusal("bad name") == "not a host name"
    assert joiner.refusal("x" * 65) == "not a host name"
    assert Joiner("none", ("a", "b"), "a").refusal("c") == "autojoin none"
    for n in range(MAX_NODES - 2):
        joiner.add(f"n{n}")
    assert joiner.refusal("c") == f"the cluster has {MAX_NODES} nodes already"
    assert not Joiner("other", ("b",), "a").self_added
    assert Joiner("any", ("b",), "a").nodes() == ("b", "a")


def test_a_node_that_added_itself_ignores_a_standby_handshake() -> None:
    """Found by the autojoin fuzz: server3 (``autojoin any``, not on the node line) took
    server1's standby ``ask_resources`` for itself and brought the group up beside server2."""
    c = up(cluster("other", third_lists=("server1", "server2")))
    c.command("server1", "standby")
    c.run_for(3000)
    assert c.vip_holders() == ["server2"]
    c.command("server3", "takeover")
    c.run_for(3000)
    assert c.vip_holders() == ["server2"]
    assert any("takeover [all] refused" in t for t in c["server3"].log_texts())


def test_a_name_with_a_members_uuid_does_not_join(monkeypatch: pytest.MonkeyPatch) -> None:
    """A renamed server2 (its hb_uuid kept, a new name) is not a new member: it stays
    rejected and the refusal is said once."""
    monkeypatch.setitem(UUIDS, "server3", UUIDS["server2"])
    c = up(cluster("other"), "server1", "server2")
    c.kill("server2")  # renamed: server2's machine comes back as server3
    c.start("server3")
    c.run_for(2000)
    assert "server3" not in nodes_of(c, "server1")
    line = "autojoin: node [server3] not added: its uuid is server2's (a renamed node?)"
    assert c["server1"].log_texts().count(line) == 1
    assert not c["server1"].of_type(NodeJoined)
