"""Several media: one state per link, a peer alive while any link carries it, and a
packet that arrives on two links accepted once (issue 16, docs/protocol.md §1.1)."""

from __future__ import annotations

import dataclasses
from typing import Any

from enginesim import UUIDS, FakePeer, make_config, texts_of

from hbtui.config.model import ClusterConfig, Medium
from hbtui.engine import messages as m
from hbtui.engine.events import KeepaliveReceived, PeerDead
from hbtui.engine.node import Identity, Node

DT = 5000  # make_config's deadtime


def two_links() -> ClusterConfig:
    """server1 with ``bcast eth0`` and ``ucast eth1 192.168.20.2``."""
    config = make_config("server1")
    media = (Medium("bcast", "eth0", None, 1), Medium("ucast", "eth1", "192.168.20.2", 2))
    return dataclasses.replace(config, ha_cf=dataclasses.replace(config.ha_cf, media=media))


def started() -> Node:
    node = Node(two_links(), Identity(UUIDS["server1"], 1), 0)
    texts = texts_of(node.start(0))
    assert "Link server1:eth0 up." in texts and "Link server1:eth1 up." in texts
    return node


def status(peer: FakePeer, now: int) -> bytes:
    return peer.make(m.status("active", DT), now)


def links(node: Node) -> dict[str, Any]:
    return dict(node.snapshot(None)["nodes"]["server2"]["links"])


def feed_both(node: Node, datagram: bytes, addr: tuple[str, int], now: int) -> list[Any]:
    return node.feed(datagram, addr, now, "eth0") + node.feed(datagram, addr, now, "eth1")


def test_a_packet_on_two_links_is_accepted_once_and_both_links_are_up() -> None:
    node = started()
    peer = FakePeer()
    out = feed_both(node, status(peer, 100), peer.addr, 100)
    assert len([e for e in out if isinstance(e, KeepaliveReceived)]) == 1
    assert [t for t in texts_of(out) if t.startswith("Link")] == [
        "Link server2:eth0 up.",
        "Link server2:eth1 up.",
    ]
    assert links(node) == {
        "eth0": {"status": "up", "last_heard_ms": 100},
        "eth1": {"status": "up", "last_heard_ms": 100},
    }
    rejected = {r["reason"]: r["count"] for r in node.snapshot(None)["rejected"]}
    assert rejected == {"duplicate_seq": 1}


def test_a_silent_link_dies_alone_and_comes_back_while_the_peer_stays_alive() -> None:
    node = started()
    peer = FakePeer()
    feed_both(node, status(peer, 0), peer.addr, 0)
    out: list[Any] = []
    for now in range(1000, 12001, 1000):  # eth1 is cut: only eth0 carries server2
        out += node.feed(status(peer, now), peer.addr, now, "eth0")
        out += node.tick(now)
    assert "Link server2:eth1 dead." in texts_of(out)
    assert "Link server2:eth0 dead." not in texts_of(out)
    assert not [e for e in out if isinstance(e, PeerDead)]
    assert node.snapshot(None)["nodes"]["server2"]["status"] == "active"
    assert links(node)["eth1"] == {"status": "dead", "last_heard_ms": 0}
    back = node.feed(status(peer, 12500), peer.addr, 12500, "eth1")
    assert texts_of(back) == ["Link server2:eth1 up."]  # a new seq on eth1: kept, not a dup
    assert links(node)["eth1"]["status"] == "up"


def test_the_link_dies_at_the_peers_deadtime_not_before() -> None:
    node = started()
    peer = FakePeer()
    feed_both(node, status(peer, 0), peer.addr, 0)
    node.feed(status(peer, 1000), peer.addr, 1000, "eth0")
    assert "Link server2:eth1 dead." not in texts_of(node.tick(DT - 1))
    assert "Link server2:eth1 dead." in texts_of(node.tick(DT))


def test_a_dead_peer_takes_its_links_still_up_with_it() -> None:
    node = started()
    peer = FakePeer()
    feed_both(node, status(peer, 0), peer.addr, 0)
    out = node.tick(DT)
    texts = texts_of(out)
    assert "node server2: is dead" in texts
    assert [t for t in texts if t.startswith("Link")] == [
        "Link server2:eth0 dead.",
        "Link server2:eth1 dead.",
    ]
    assert {n: v["status"] for n, v in links(node).items()} == {"eth0": "dead", "eth1": "dead"}


def test_without_a_link_the_ucast_host_names_it() -> None:
    """Fakes and older callers give no link: the ucast medium of the source address."""
    node = started()
    peer = FakePeer()
    out = node.feed(status(peer, 0), ("192.168.20.2", 694), 0)
    assert "Link server2:eth1 up." in texts_of(out)
    assert links(node)["eth0"]["status"] == "dead"
