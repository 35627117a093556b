"""Replay the real server2's side of a recorded cold start (pcap) into an hbtui server1.

Our engine borrows the real server1's uuid so that the real server2's addressed
messages (reqnodes, repnodes, acks) are for us; times are the capture's, relative.
"""

from __future__ import annotations

from pathlib import Path

from enginesim import make_config, messages_of, texts_of

from hbtui.engine.actions import AddVip, RunScript, ScriptResult, VipResult
from hbtui.engine.events import PeerDead
from hbtui.engine.node import Identity, Node
from hbtui.wire.packet import split
from hbtui.wire.pcap import read_datagrams

PCAP = Path(__file__).resolve().parents[1] / "wire" / "vectors" / "capture-a-cold-start.pcap"
REAL_SERVER1_UUID = bytes.fromhex("63beed364d3a42b19ecc42bdc8c9370f")


def answer(node: Node, out: list[object], now: int) -> list[object]:
    """Play the runtime: complete every VIP and script action at once."""
    done: list[object] = []
    work = list(out)
    while work:
        item = work.pop(0)
        done.append(item)
        if isinstance(item, AddVip):
            work += node.vip_done(item.request_id, VipResult(True), now)
        elif isinstance(item, RunScript):
            work += node.script_done(item.request_id, ScriptResult(0, ""), now)
    return done


def test_replayed_real_peer_cold_start_and_shutdown() -> None:
    grams = list(read_datagrams(PCAP.read_bytes()))
    t0 = grams[0].time
    node = Node(make_config("server1"), Identity(REAL_SERVER1_UUID, 1795555131), 0)
    out: list[tuple[int, object]] = [(0, a) for a in node.start(0)]
    from_s2 = [g for g in grams if g.src[0] == "192.168.10.2"]
    for g in from_s2:
        at = round((g.time - t0) * 1000)
        while (dl := node.next_deadline()) is not None and dl <= at:
            out += [(dl, a) for a in answer(node, node.tick(dl), dl)]
        out += [(at, a) for a in answer(node, node.feed(g.payload, g.src, at), at)]
    end = round((from_s2[-1].time - t0) * 1000) + 8000
    while (dl := node.next_deadline()) is not None and dl <= end:
        out += [(dl, a) for a in answer(node, node.tick(dl), dl)]

    sent = [(t, msg) for t, a in out for msg in messages_of([a])]
    first = [(t, m.type) for t, m in sent if m.type in ("reqnodes", "repnodes", "starting")]
    assert first == [(6, "reqnodes"), (6, "starting"), (7, "repnodes")]
    rep = next(m for _, m in sent if m.type == "repnodes")
    server2_uuid = split(from_s2[0].payload)[0].get_bytes("srcuuid")
    assert rep.get_bytes("destuuid") == server2_uuid
    # the real peer is not hbtui: we follow its handshake and wait initdead (10 s)
    adds = [t for t, a in out if isinstance(a, AddVip)]
    assert adds[0] == 10000
    # its graceful stop (resource info=shutdown at 26473 ms): we take over at its shutdone
    # (26539 ms, after it released), as the real daemon does; not at the announcement
    assert adds[1] == 26539
    after = [(m.type, m.get("rsc_hold"), m.get("info")) for t, m in sent if t >= 26473]
    after = [x for x in after if x[0] not in ("status", "NS_ackmsg")]
    assert after == [
        ("resource", "all", "req_our_resources()"),
        ("ask_resources", "all", "done"),
        ("resource", "all", None),
        ("resource", "foreign", "mach_down"),
    ]
    texts = [a for _, a in out]
    assert "Received shutdown notice from 'server2'." in texts_of(texts)
    assert "Dead node server2 gave up resources." in texts_of(texts)
    assert [a.node for _, a in out if isinstance(a, PeerDead)] == ["server2"]
    assert not any("lost packet" in t for t in texts_of(texts))
