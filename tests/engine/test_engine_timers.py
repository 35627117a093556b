"""Every membership timer rule with exact milliseconds (one engine, a hand-driven peer)."""

from __future__ import annotations

from typing import Any

from enginesim import UUIDS, FakeClock, FakePeer, make_config, messages_of, texts_of

from hbtui.engine import messages as m
from hbtui.engine.events import KeepaliveReceived, PeerDead, PeerLate, PeerRestarted
from hbtui.engine.node import Identity, Node


def new_node(name: str = "server1", **cfg: Any) -> tuple[Node, FakeClock]:
    clock = FakeClock()
    node = Node(make_config(name, **cfg), Identity(UUIDS[name], 1795555132), 0)
    node.start(0)
    return node, clock


def status_from(peer: FakePeer, st: str = "active", dt: int = 5000, at: int = 0) -> bytes:
    return peer.make(m.status(st, dt), at)


def test_start_sends_init_then_up_with_startup_dt() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1795555132), 0)
    out = node.start(0)
    msgs = messages_of(out)
    assert [(x.get("st"), x.get("seq"), x.get("dt")) for x in msgs] == [
        ("init", "1", "1b58"),
        ("up", "2", "1b58"),
    ]
    assert "Local status now set to: 'up'" in texts_of(out)
    assert node.next_deadline() == 1000


def test_keepalive_every_interval_and_dt_drops_after_5s() -> None:
    node, _ = new_node()
    dts = []
    for t in range(1000, 8000, 1000):
        assert node.next_deadline() == t
        dts.append([x.get("dt") for x in messages_of(node.tick(t)) if x.type == "status"])
    assert dts == [["1b58"]] * 4 + [["1388"]] * 3  # +2000 ms only while now - start < 5000


def test_fast_timers_advertise_bb8_then_3e8() -> None:
    node, _ = new_node(keepalive=200, deadtime=1000, warntime=500, initdead=12000)
    seen = {x.get("dt") for t in range(200, 6000, 200) for x in messages_of(node.tick(t))}
    assert seen == {"bb8", "3e8"}


def test_tick_before_deadline_does_nothing() -> None:
    node, _ = new_node()
    assert node.tick(999) == []


def test_peer_dead_exactly_at_its_advertised_dt() -> None:
    node, _ = new_node()
    peer = FakePeer()
    node.feed(status_from(peer, dt=5000, at=100), peer.addr, 100)
    assert node.members.deadline(node.members.peers["server2"]) == 5100
    node.tick(5099)
    assert not [e for e in node.tick(5099) if isinstance(e, PeerDead)]
    out = node.tick(5100)
    dead = [e for e in out if isinstance(e, PeerDead)]
    assert dead and dead[0].last_heard_ms == 100 and dead[0].deadtime_ms == 5000
    assert "node server2: is dead" in texts_of(out)
    assert [x.type for x in messages_of(out)][:2] == ["stonith", "resource"]


def test_peer_dt_is_the_advertised_one_not_ours() -> None:
    node, _ = new_node()
    peer = FakePeer()
    node.feed(status_from(peer, dt=7000, at=0), peer.addr, 0)
    assert node.next_deadline() == 1000  # our own keepalive first
    for t in range(1000, 7000, 1000):
        assert not [e for e in node.tick(t) if isinstance(e, PeerDead)]
    assert [e for e in node.tick(7000) if isinstance(e, PeerDead)]


def test_a_status_each_second_keeps_the_peer_alive() -> None:
    node, _ = new_node()
    peer = FakePeer()
    for t in range(0, 30000, 1000):
        node.feed(status_from(peer, at=t), peer.addr, t)
        assert not [e for e in node.tick(t + 999) if isinstance(e, PeerDead)]


def test_never_heard_peer_dead_exactly_at_initdead() -> None:
    node, _ = new_node()
    for t in range(1000, 10000, 1000):
        out = node.tick(t)
        assert not [e for e in out if isinstance(e, PeerDead)]
    assert node.next_deadline() == 10000
    out = node.tick(10000)
    texts = texts_of(out)
    assert texts[:3] == [
        "node server2: is dead",
        "Comm_now_up(): updating status to active",
        "Local status now set to: 'active'",
    ]
    assert "Link server2:eth0 dead." not in texts  # the link never came up
    types = [x.type for x in messages_of(out)]  # no ``resource none`` before the takeover
    assert types[:5] == ["status", "status", "starting", "stonith", "resource"]


def test_late_heartbeat_after_warntime_only() -> None:
    node, _ = new_node()
    peer = FakePeer()
    node.feed(status_from(peer, at=0), peer.addr, 0)
    out = node.feed(status_from(peer, at=3000), peer.addr, 3000)
    assert not [e for e in out if isinstance(e, PeerLate)]
    out = node.feed(status_from(peer, at=6001), peer.addr, 6001)
    assert [e.interval_ms for e in out if isinstance(e, PeerLate)] == [3001]
    assert "Late heartbeat: Node server2: interval 3001 ms" in texts_of(out)


def test_keepalive_event_carries_gap_and_deadline() -> None:
    node, _ = new_node()
    peer = FakePeer()
    node.feed(status_from(peer, at=0), peer.addr, 0)
    out = node.feed(status_from(peer, at=1004), peer.addr, 1004)
    ev = next(e for e in out if isinstance(e, KeepaliveReceived))
    assert (ev.node, ev.link, ev.gap_ms, ev.deadline_ms) == ("server2", "eth0", 1004, 6004)
    snap = node.snapshot(2004)
    assert snap["nodes"]["server2"]["remaining_ms"] == 4000


def test_first_status_goes_active_and_asks_node_list() -> None:
    node, _ = new_node()
    peer = FakePeer()
    out = node.feed(status_from(peer, st="up", dt=7000, at=10), peer.addr, 10)
    texts = texts_of(out)
    assert texts[:3] == [
        "Link server2:eth0 up.",
        "Status update for node server2: status up",
        "Comm_now_up(): updating status to active",
    ]
    msgs = messages_of(out)
    assert [x.type for x in msgs] == ["reqnodes", "status", "starting", "resource"]
    assert msgs[0].get("dest") == "server2"
    assert msgs[0].get_bytes("destuuid") == UUIDS["server2"]
    assert (msgs[3].get("rsc_hold"), msgs[3].get("isstable")) == ("none", "0")


def test_reqnodes_answered_with_repnodes() -> None:
    node, _ = new_node()
    peer = FakePeer()
    node.feed(status_from(peer, at=0), peer.addr, 0)
    out = node.feed(peer.make(m.reqnodes("server1"), 5), peer.addr, 5)
    rep = next(x for x in messages_of(out) if x.type == "repnodes")
    assert [f.name for f in rep][:5] == ["dest", "t", "nodelist", "delnodelist", "destuuid"]
    assert (rep.get("nodelist"), rep.get("delnodelist")) == ("server1 server2 ", " ")


def test_peer_restart_by_generation() -> None:
    node, _ = new_node()
    peer = FakePeer(generation=100)
    node.feed(status_from(peer, at=0), peer.addr, 0)
    again = FakePeer(generation=101)
    out = node.feed(status_from(again, st="init", at=2000), again.addr, 2000)
    assert [(e.old_generation, e.new_generation) for e in out if isinstance(e, PeerRestarted)] == [
        (100, 101)
    ]
    assert texts_of(out)[:3] == [
        "Heartbeat restart on node server2",
        "Link server2:eth0 up.",
        "Status update for node server2: status init",
    ]
    old = FakePeer(generation=100)
    old.stamper.seq = 50
    out = node.feed(status_from(old, at=2500), old.addr, 2500)  # older generation: replay
    assert not [e for e in out if isinstance(e, KeepaliveReceived)]


def test_acks_on_the_trigger_digit() -> None:
    from hbtui.engine.node import ack_trigger

    node, _ = new_node()
    peer = FakePeer()
    acks = []
    for t in range(0, 20):
        out = node.feed(status_from(peer, at=t * 1000), peer.addr, t * 1000)
        acks += [x.get("ackseq") for x in messages_of(out) if x.type == "NS_ackmsg"]
    trig = ack_trigger("server2")
    assert acks and all(int(a, 16) % 10 == trig for a in acks)
