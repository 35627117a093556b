"""Message sequences that broke hbtui against the real Heartbeat 3.0.6 daemon in the mixed lab
cluster (tests/lab/test_interop_mixed.py), replayed against the engine with a fake clock."""

from __future__ import annotations

from enginesim import messages_of, texts_of
from test_engine_vectors import S2, new_node, resign

from hbtui.engine.actions import AddVip, RunScript, ScriptResult, VipResult


def test_graceful_stop_of_a_real_owner_waits_for_its_shutdone() -> None:
    """A real server2 stopping sends ``resource info=shutdown``, releases its groups (its
    failback.sh stop ran 60 ms after hbtui had started the same group), then ``shutdone``.
    The real survivor acquires at ``shutdone`` ("Received shutdown notice"); so do we."""
    node = new_node("server1")
    hg = "6b07a88e"
    node.feed(resign("04", seq="1", hg=hg), S2, 100)
    out = node.feed(resign("20", seq="2", hg=hg), S2, 2000)
    assert not [a for a in out if isinstance(a, (AddVip, RunScript))]
    assert "Received shutdown notice from 'server2'." not in texts_of(out)
    out = [x for t in range(2000, 2060, 10) for x in node.tick(t)]
    assert not [a for a in out if isinstance(a, (AddVip, RunScript))]

    out = node.feed(resign("21", seq="3", hg=hg), S2, 2066)
    assert "Received shutdown notice from 'server2'." in texts_of(out)
    add = next(a for a in out if isinstance(a, AddVip))
    out = node.vip_done(add.request_id, VipResult(True), 2070)
    status = next(a for a in out if isinstance(a, RunScript))
    assert status.op == "status"
    out = node.script_done(status.request_id, ScriptResult(0, ""), 2080)
    assert [a.op for a in out if isinstance(a, RunScript)] == ["start"]


def test_lost_shutdone_is_a_crash_after_deadtime() -> None:
    """If the ``shutdone`` never arrives, the peer is declared dead at its deadtime and its
    groups are taken over then (with the stonith notice): never left unowned."""
    node = new_node("server1")
    hg = "6b07a88e"
    node.feed(resign("04", seq="1", hg=hg), S2, 100)
    node.feed(resign("20", seq="2", hg=hg), S2, 2000)
    out = [x for t in range(2000, 9000, 100) for x in node.tick(t)]
    assert any("node server2: is dead" in text for text in texts_of(out))
    assert [a for a in out if isinstance(a, AddVip)]


def test_restart_seen_when_the_first_new_packet_is_an_ack_to_itself() -> None:
    """A real daemon acks its own packets (``NS_ackmsg dest=<itself>``, sent to every ucast
    address). When that is the first packet of its new generation after a crash, the
    restart must still be noticed: else its ``status init`` looked like a return after a
    partition and we released its group without the failback handshake."""
    node = new_node("server1")
    old, new = "6b07a88e", "6b07a88f"
    node.feed(resign("04", seq="1", hg=old), S2, 100)
    [x for t in range(1000, 9000, 1000) for x in node.tick(t)]  # server2 declared dead
    ack = resign("12", hg=new, dest="server2", ackseq="2")
    out = node.feed(ack, S2, 9500)
    out += node.feed(resign("02", seq="1", hg=new), S2, 9501)
    texts = texts_of(out)
    assert "Heartbeat restart on node server2" in texts
    assert not [t for t in texts if "partition" in t]


def test_a_restarted_peer_hears_our_status_at_once() -> None:
    """A returning peer goes active on our first status; waiting for our next keepalive
    cost up to one keepalive of every failback (0.5-1.1 s with the HOWTO timers)."""
    node = new_node("server1")
    hg = "6b07a88e"
    node.feed(resign("04", seq="1", hg=hg), S2, 100)  # we go active on hearing server2
    [x for t in range(1000, 9000, 1000) for x in node.tick(t)]  # server2 dead
    out = node.feed(resign("02", seq="1", hg="6b07a88f"), S2, 9300)  # back: status up
    sent = [msg.type for msg in messages_of(out)]
    assert sent[:2] == ["status", "reqnodes"]
    statuses = [msg for msg in messages_of(out) if msg.type == "status"]
    assert statuses[0].get("st") == "active"
