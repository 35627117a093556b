"""ha.cf compression and hopfudge in the engine (issue 16, docs/protocol.md §2.4, §3).

With traditional compression on, a node's node-list reply over the threshold goes out as the
daemon's compressed wrapper, and a compressed datagram from a peer is heard like any other;
``ttl`` is the node count plus ``hopfudge``; a lost message is asked for half
``max_rexmit_delay`` after the gap shows.
"""

from __future__ import annotations

from dataclasses import replace

from enginesim import IPS, UUIDS, FakePeer, make_config, messages_of

from hbtui.config.model import Compression, CompressionName, MsgFormat
from hbtui.engine import messages as m
from hbtui.engine.actions import Send
from hbtui.engine.events import PacketRejected
from hbtui.engine.node import Identity, Node
from hbtui.wire import compress, packet
from hbtui.wire.packet import split

ON = Compression(CompressionName.ZLIB, 1024, traditional=True)
ABSENT = {f"absent{i}" + "x" * 89: f"192.168.10.{20 + i}" for i in range(9)}


def node_with(**options: object) -> Node:
    config = make_config("server1", nodes={**IPS, **ABSENT}, **options)  # type: ignore[arg-type]
    node = Node(config, Identity(UUIDS["server1"], 1), 0)
    node.start(0)
    return node


def test_a_long_node_list_reply_goes_compressed_and_ttl_counts_the_nodes() -> None:
    node = node_with(compression=ON, hopfudge=2)
    peer = FakePeer()
    out = node.feed(peer.make(m.reqnodes("server1"), 10), peer.addr, 11)
    [reply] = [a.datagram for a in out if isinstance(a, Send) and a.kind == "repnodes"]
    assert compress.is_compressed(split(reply)[0])
    keys = node.config.authkeys
    msg = packet.unseal(reply, keys)
    assert msg.type == "repnodes" and "absent0" + "x" * 89 in (msg.get("nodelist") or "")
    assert msg.get("ttl") == str(2 + len(ABSENT) + 2)
    assert packet.seal(msg, keys, MsgFormat.CLASSIC, ON) == reply  # the same bytes again
    assert len([x for x in messages_of(out) if compress.is_compressed(x)]) == 1


def test_without_traditional_compression_everything_goes_plain() -> None:
    node = node_with()
    peer = FakePeer()
    out = node.feed(peer.make(m.reqnodes("server1"), 10), peer.addr, 11)
    assert messages_of(out) and not [x for x in messages_of(out) if compress.is_compressed(x)]
    assert {x.get("ttl") for x in messages_of(out)} == {str(2 + len(ABSENT) + 1)}


def test_a_compressed_datagram_from_a_peer_is_heard() -> None:
    node = node_with()
    peer = FakePeer()
    out = []
    for i, st in enumerate(("init", "up", "active")):
        plain = peer.make(m.status(st, 7000), 100 * i)
        msg = packet.split(plain)[0]
        data = packet.seal(
            msg,
            node.config.authkeys,
            MsgFormat.CLASSIC,
            Compression(CompressionName.BZ2, 1, traditional=True),
        )
        assert compress.is_compressed(split(data)[0])
        out += node.feed(data, peer.addr, 100 * i + 1)
    assert not [e for e in out if isinstance(e, PacketRejected)]
    assert node.snapshot(300)["nodes"]["server2"]["status"] == "active"


def test_a_lost_message_is_asked_for_half_max_rexmit_delay_later() -> None:
    for delay in (250, 400):
        node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
        node.cf = replace(node.cf, max_rexmit_delay_ms=delay)
        node.start(0)
        peer = FakePeer()
        node.feed(peer.make(m.status("up", 7000), 0), peer.addr, 1)
        peer.make(m.status("up", 7000), 50)  # seq 2, lost
        node.feed(peer.make(m.status("active", 7000), 100), peer.addr, 100)
        early = node.tick(100 + delay // 2 - 1)
        assert "NS_rexmit" not in [a.kind for a in early if isinstance(a, Send)]
        due = node.tick(100 + delay // 2)
        [ask] = [split(a.datagram)[0] for a in due if isinstance(a, Send) and a.kind == "NS_rexmit"]
        assert (ask.get("firstseq"), ask.get("lastseq")) == ("2", "2")
