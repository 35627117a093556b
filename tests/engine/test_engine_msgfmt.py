"""ha.cf ``msgfmt`` in the engine (issue 16): what each node signs, and classic text input.

Under ``classic`` (the default) every message carries the legacy ``auth`` field besides the
trailer; under ``netstring`` only the trailer, as the real daemon (docs/protocol.md §2).
A classic text datagram whose ``auth`` field verifies is a packet like any other.
"""

from __future__ import annotations

from pathlib import Path

from enginesim import KEY, UUIDS, VIP, Cluster, FakePeer, make_config, texts_of

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod, MsgFormat
from hbtui.engine import messages as m
from hbtui.engine.events import PacketRejected
from hbtui.engine.node import Identity, Node
from hbtui.wire.packet import seal_classic, split

KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, KEY)})


def test_each_node_signs_as_its_msgfmt_says_and_they_form_a_cluster() -> None:
    c = Cluster(server1={"msgfmt": MsgFormat.NETSTRING})
    c.start("server1")
    c.start("server2")
    c.run_until(20000)
    assert c.vip_holders() == ["server1"]
    for name, peer in (("server1", "server2"), ("server2", "server1")):
        node = c[name].node
        assert node is not None and node.snapshot(20000)["nodes"][peer]["status"] == "active"
    assert c["server1"].sent and not [msg for _, msg in c["server1"].sent if "auth" in msg]
    assert all(msg.fields[-1].name == "auth" for _, msg in c["server2"].sent)
    c.kill("server1")
    c.run_until(30000)
    assert c.vip_holders() == ["server1", "server2"]  # a power cut leaves the VIP behind
    assert VIP in c["server2"].vips


def as_classic(datagram: bytes) -> bytes:
    """The same message as classic text, signed by its ``auth`` field."""
    return seal_classic(split(datagram)[0], KEYS)


def test_a_peer_speaking_classic_text_is_heard() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    node.start(0)
    peer = FakePeer()
    out = []
    for i, st in enumerate(("init", "up", "active")):
        data = as_classic(peer.make(m.status(st, 7000), 100 * i))
        assert data.startswith(b">>>\n")
        out += node.feed(data, peer.addr, 100 * i + 1)
    assert "Link server2:eth0 up." in texts_of(out)
    assert "Status update for node server2: status active" in texts_of(out)
    assert node.snapshot(300)["nodes"]["server2"]["status"] == "active"
    assert not [e for e in out if isinstance(e, PacketRejected)]


def test_a_tampered_classic_datagram_is_rejected_and_named() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    node.start(0)
    data = as_classic(FakePeer().make(m.status("active", 7000))).replace(b"=active", b"=dead")
    out = node.feed(data, ("192.168.10.2", 40000), 10)
    [event] = [e for e in out if isinstance(e, PacketRejected)]
    assert (event.reason, event.node) == ("bad_signature", "server2")
    assert event.detail == "classic message: auth field does not match key 1 (sha1)"
    heard = node.snapshot(10)["nodes"]["server2"]
    assert (heard["status"], heard["auth_failures_in_window"]) == ("unknown", 1)
