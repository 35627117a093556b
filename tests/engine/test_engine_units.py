"""Pure helpers and small rules of the engine."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from enginesim import UUIDS, Cluster, FakePeer, make_config, messages_of, texts_of

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod, AutoFailback
from hbtui.engine import messages as m
from hbtui.engine.actions import Send
from hbtui.engine.membership import auth_alive_threshold
from hbtui.engine.node import Identity, Node
from hbtui.engine.resources import judge_status, parse_vip


@pytest.mark.parametrize(
    ("output", "running"),
    [
        ("", False),
        ("Running OK", True),
        ("INFO:  Running OK\n", True),
        ("Resource is stopped", False),
        ("failback is not running", False),
        ("NOT Running", False),
        ("daemon is running", True),
        ("status: OK", True),
        ("ok", False),
        ("stopped", False),
    ],
)
def test_judge_status_text_rule(output: str, running: bool) -> None:
    assert judge_status(output) is running


def test_parse_vip_forms() -> None:
    v = parse_vip(("192.168.10.10/24",))
    assert (v.ip, v.prefix, v.device, v.broadcast) == ("192.168.10.10", 24, None, "192.168.10.255")
    v = parse_vip(("10.0.0.5/16/eth1/10.0.255.254",))
    assert (v.prefix, v.device, v.broadcast) == (16, "eth1", "10.0.255.254")
    v = parse_vip(("10.0.0.5",))
    assert (v.prefix, v.broadcast) == (None, None)


def test_auth_alive_threshold() -> None:
    assert auth_alive_threshold(5000, 1000) == 2
    assert auth_alive_threshold(30000, 1000) == 15
    assert auth_alive_threshold(1000, 200) == 2


def test_legacy_auto_failback_warns_and_behaves_as_on() -> None:
    node = Node(
        make_config("server1", auto_failback=AutoFailback.LEGACY), Identity(UUIDS["server1"], 1), 0
    )
    assert "Deprecated 'legacy' auto_failback option selected." in texts_of(node.start(0))
    assert node.owner.failback


def test_rexmit_answered_with_the_stored_bytes() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    first = [a for a in node.start(0) if isinstance(a, Send)]
    peer = FakePeer()
    out = node.feed(peer.make(m.ns_rexmit("server1", 1, 2), 10), peer.addr, 10)
    assert [a.datagram for a in out if isinstance(a, Send)] == [s.datagram for s in first]
    out = node.feed(peer.make(m.ns_rexmit("server1", 1, 1), 20), peer.addr, 20)
    assert not [a for a in out if isinstance(a, Send)]  # at most once a second per seq


def test_start_removes_a_vip_we_do_not_own() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    out = node.start(0, present_vips=["192.168.10.10", "10.1.1.1"])
    from hbtui.engine.actions import DelVip

    assert [a.ip for a in out if isinstance(a, DelVip)] == ["192.168.10.10"]
    assert [x.get("st") for x in messages_of(out)] == ["init", "up"]


def test_snapshot_is_json() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(3000)
    snap = c["server1"].node.snapshot(3000)  # type: ignore[union-attr]
    text = json.dumps(snap)
    assert json.loads(text)["vips"] == [
        {"resource": "IPaddr::192.168.10.10/24", "ip": "192.168.10.10", "owner": "server1"}
    ]
    snap2 = c["server2"].node.snapshot(3000)  # type: ignore[union-attr]
    assert snap2["vips"][0]["owner"] == "server1"
    assert snap2["nodes"]["server1"]["hbtui"] is True


def test_partition_heals_to_one_holder() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(20000)
    cut = {"on": True}
    c.filters.append(lambda src, dst, msg: not cut["on"])
    c.run_until(30000)
    assert sorted(c.vip_holders()) == ["server1", "server2"]  # both think the other died
    cut["on"] = False
    c.run_until(32000)
    assert c.vip_holders() == ["server1"]
    assert "Cluster node server1 returning after partition." in c["server2"].log_texts()


def test_takeover_command_sends_hb_takeover_and_peer_goes_standby() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(3000)
    c.command("server2", "takeover")
    sent = [(x.type, x.get("rsc_hold")) for _, x in c["server2"].sent if x.type == "hb_takeover"]
    assert sent == [("hb_takeover", "all")]  # as /usr/share/heartbeat/hb_takeover sends it
    c.run_until(3100)
    assert c.vip_holders() == ["server2"]
    asked = [
        (x.get("rsc_hold"), x.get("info"))
        for _, x in c["server1"].sent
        if x.type == "ask_resources"
    ]
    assert asked[:1] == [("all", "me")]  # rc.d/hb_takeover runs hb_standby on the other node


def test_holder_offers_failback_even_without_seeing_starting() -> None:
    """A home node that joins gets one offer at its first stable announcement."""
    c = Cluster()
    c.filters.append(lambda src, dst, msg: getattr(msg, "type", None) != "starting")
    c.start("server2")
    c.run_until(16000)
    assert c.vip_holders() == ["server2"]
    c.start("server1")
    c.run_until(17000)
    assert c.vip_holders() == ["server1"]
    assert not any("partition" in t for t in c["server2"].log_texts())  # never heard before


def test_authkeys_rotation_on_reload_rejects_no_packet_and_moves_nothing() -> None:
    """Key rotation by SIGHUP, node by node (``Node.set_keys``): list the new key on both,
    switch ``auth`` on server1, then on server2, then drop the old key. Every datagram is
    accepted all the way through and the VIP never moves."""
    old, new = AuthKey(1, AuthMethod.SHA1, b"old secret"), AuthKey(2, AuthMethod.MD5, b"new one")
    c = Cluster()
    for name in ("server1", "server2"):
        c.members[name].config = dataclasses.replace(
            c.members[name].config, authkeys=AuthKeys(Path("/authkeys"), 1, {1: old})
        )
        c.start(name)
    c.run_until(20_000)
    assert c.vip_holders() == ["server1"]
    steps = [
        ("server1", 1, {1: old, 2: new}),
        ("server2", 1, {1: old, 2: new}),
        ("server1", 2, {1: old, 2: new}),
        ("server2", 2, {1: old, 2: new}),
        ("server1", 2, {2: new}),
        ("server2", 2, {2: new}),
    ]
    at = 20_000
    for name, active, keys in steps:
        node = c[name].node
        assert node is not None
        node.set_keys(AuthKeys(Path("/authkeys"), active, keys))
        at += 3_000
        c.run_until(at)
        assert c.vip_holders() == ["server1"], (name, active)
    for name in ("server1", "server2"):
        node = c[name].node
        assert node is not None
        snap = node.snapshot(at)
        assert all(
            r["reason"] in ("from_self", "not_for_us", "duplicate_seq") for r in snap["rejected"]
        ), snap["rejected"]
        assert all(n["status"] == "active" for n in snap["nodes"].values())
