"""Retransmission bookkeeping: history, rate limit, naks, request scheduling."""

from __future__ import annotations

from hbtui.wire.rexmit import (
    Nak,
    Resend,
    RexmitRequest,
    RexmitScheduler,
    SendHistory,
    nak_message,
    request_message,
)


def history(n: int) -> SendHistory:
    h = SendHistory()
    for seq in range(1, n + 1):
        h.record(seq, b"dgram%d" % seq)
    return h


def test_resend_is_verbatim_and_rate_limited() -> None:
    h = history(10)
    assert h.on_rexmit_request(3, 4, now_ms=0) == [Resend(3, b"dgram3"), Resend(4, b"dgram4")]
    assert h.on_rexmit_request(3, 3, now_ms=999) == []
    assert h.on_rexmit_request(3, 3, now_ms=1000) == [Resend(3, b"dgram3")]


def test_history_keeps_500_then_naks() -> None:
    h = history(600)
    assert len(h) == 500 and h.get(100) is None and h.get(101) == b"dgram101"
    assert h.on_rexmit_request(99, 101, now_ms=0) == [Nak(99), Nak(100), Resend(101, b"dgram101")]


def test_hostile_ranges_cost_nothing() -> None:
    h = history(5)
    assert h.on_rexmit_request(6, 0xFFFFFFFF, now_ms=0) == []  # never sent
    assert len(h.on_rexmit_request(1, 0xFFFFFFFFFFFF, now_ms=0)) == 5
    assert h.on_rexmit_request(4, 2, now_ms=0) == []
    assert h.on_rexmit_request(0, 0, now_ms=0) == []


def test_scheduler_waits_the_delay_then_coalesces() -> None:
    s = RexmitScheduler(retry_ms=1000, max_tries=2)
    s.on_missing("server2", (3, 4, 6), now_ms=0, delay_ms=120)
    assert s.next_deadline() == 120
    assert s.due(119) == []
    assert s.due(120) == [RexmitRequest("server2", 3, 4), RexmitRequest("server2", 6, 6)]
    s.on_arrived("server2", 4)
    assert s.next_deadline() == 1120
    assert s.due(1120) == [RexmitRequest("server2", 3, 3), RexmitRequest("server2", 6, 6)]
    assert s.next_deadline() is None and s.pending("server2") == ()


def test_scheduler_asks_until_the_seq_arrives_at_doubling_intervals() -> None:
    """A resend lost again and again (a long loss) is asked for until it arrives: three
    times a second, then every 2 s, then every 4 s; never dropped while the node lives."""
    s = RexmitScheduler()
    s.on_missing("server2", (31,), now_ms=0, delay_ms=0)
    asked = []
    now = 0
    for _ in range(8):
        assert s.due(now) == [RexmitRequest("server2", 31, 31)]
        asked.append(now)
        deadline = s.next_deadline()
        assert deadline is not None
        now = deadline
    assert asked == [0, 1000, 2000, 4000, 8000, 12000, 16000, 20000]
    s.on_arrived("server2", 31)
    assert s.next_deadline() is None


def test_scheduler_forget() -> None:
    s = RexmitScheduler()
    s.on_missing("server2", (3,), now_ms=0, delay_ms=0)
    s.forget("server2")
    assert s.due(10_000) == [] and s.next_deadline() is None


def test_message_builders() -> None:
    m = request_message(RexmitRequest("server1", 0x2A, 0x2B))
    assert [(f.name, f.value) for f in m] == [
        ("t", b"NS_rexmit"), ("dest", b"server1"), ("firstseq", b"2a"), ("lastseq", b"2b"),
    ]  # fmt: skip
    assert nak_message("server1", Nak(16)).get("firstseq") == "10"
