"""The acceptance rules of docs/protocol.md §5.3, one by one, on messages our encoder signs."""

from __future__ import annotations

import pytest
from wirevec import VECTORS, make_keys

from hbtui.config.model import AuthKeys
from hbtui.wire import packet
from hbtui.wire.accept import FLOW_LIMIT, HISTORY, Acceptor, Reason, Verdict
from hbtui.wire.message import Message

PEER = ("192.168.10.2", 41417)
UUID1 = bytes(range(16))
UUID2 = bytes(range(16, 32))


def datagram(
    t: str = "status",
    seq: int | None = 1,
    hg: int = 0x6B06000D,
    src: str = "server2",
    keys: AuthKeys | None = None,
    uuid: bytes = UUID2,
    **extra: str | bytes,
) -> bytes:
    pairs: list[tuple[str, str | bytes]] = [("t", t), *extra.items(), ("src", src)]
    pairs.append(("srcuuid", uuid))
    if seq is not None:
        pairs.append(("seq", f"{seq:x}"))
    pairs += [("hg", f"{hg:x}"), ("ts", "6b06000c"), ("ttl", "3")]
    return packet.seal(Message.of(*pairs), keys or make_keys())


@pytest.fixture
def acceptor(keys: AuthKeys) -> Acceptor:
    return Acceptor("server1", ("server1", "server2"), keys, our_uuid=UUID1)


def feed(acceptor: Acceptor, *seqs: int, hg: int = 0x6B06000D) -> list[Verdict]:
    return [acceptor.accept(datagram(seq=s, hg=hg), PEER) for s in seqs]


def test_in_order_packets_are_accepted(acceptor: Acceptor) -> None:
    verdicts = feed(acceptor, 1, 2, 4, 5)
    assert all(v.ok and v.node == "server2" and v.sender == PEER for v in verdicts)
    assert verdicts[2].missing == (3,)  # the start-up seq 3 quirk is just a gap
    assert acceptor.missing("server2") == (3,)


def test_real_vector_is_accepted_by_server1(keys: AuthKeys) -> None:
    acceptor = Acceptor("server1", ("server1", "server2"), keys)
    v = acceptor.accept((VECTORS / "02-status-up-server2.bin").read_bytes(), PEER)
    assert v.ok and v.message is not None and v.message.get("st") == "up"


def test_duplicate_seq_is_dropped(acceptor: Acceptor) -> None:
    v = feed(acceptor, 1, 2, 2)[-1]
    assert not v.ok and v.reason is Reason.DUPLICATE_SEQ and v.duplicate
    assert feed(acceptor, 1)[-1].reason is Reason.DUPLICATE_SEQ


def test_too_old_seq_is_dropped(acceptor: Acceptor) -> None:
    feed(acceptor, HISTORY + 10)
    v = feed(acceptor, 5)[-1]
    assert v.reason is Reason.TOO_OLD_SEQ


def test_late_in_window_packet_fills_the_gap(acceptor: Acceptor) -> None:
    # the real daemon sends ask_resources seq 0x2a after resource seq 0x2b
    v41, v43, v42 = feed(acceptor, 0x29, 0x2B, 0x2A)
    assert v41.ok and v43.ok and v43.missing == (0x2A,) and not v43.gap_filled
    assert v42.ok and v42.gap_filled and acceptor.missing("server2") == ()
    assert feed(acceptor, 0x2A)[-1].reason is Reason.DUPLICATE_SEQ


def test_partial_gap_fill_is_not_reported_as_filled(acceptor: Acceptor) -> None:
    feed(acceptor, 1, 5)
    assert not feed(acceptor, 3)[-1].gap_filled
    assert acceptor.missing("server2") == (2, 4)


def test_huge_gap_restarts_tracking(acceptor: Acceptor) -> None:
    v = feed(acceptor, 1, FLOW_LIMIT + 10)[-1]
    assert v.ok and v.missing == () and "tracking restarted" in v.detail
    assert feed(acceptor, FLOW_LIMIT + 11)[-1].ok


def test_older_generation_is_a_replay(acceptor: Acceptor) -> None:
    feed(acceptor, 1, hg=100)
    v = feed(acceptor, 2, hg=99)[-1]
    assert v.reason is Reason.OLD_GENERATION and "replay" in v.detail


def test_newer_generation_is_a_restart(acceptor: Acceptor) -> None:
    first = feed(acceptor, 1, 2, 3, hg=100)
    assert not any(v.restarted for v in first)
    v = feed(acceptor, 1, hg=101)[-1]
    assert v.ok and v.restarted and acceptor.generation("server2") == 101
    assert feed(acceptor, 2, hg=101)[-1].ok


def test_ns_messages_need_no_seq(acceptor: Acceptor) -> None:
    v = acceptor.accept(datagram("NS_ackmsg", seq=None, dest="server1", ackseq="8"), PEER)
    assert v.ok and v.message is not None and v.message.type == "NS_ackmsg"


def test_ns_message_for_another_node(acceptor: Acceptor) -> None:
    v = acceptor.accept(datagram("NS_ackmsg", seq=None, dest="server2", ackseq="8"), PEER)
    assert v.reason is Reason.NOT_FOR_US


def test_destuuid_wins_over_dest(acceptor: Acceptor) -> None:
    d = datagram("reqnodes", seq=1, dest="server1", destuuid=UUID2)
    assert acceptor.accept(d, PEER).reason is Reason.NOT_FOR_US


def test_message_for_another_node_is_still_seq_tracked(acceptor: Acceptor) -> None:
    feed(acceptor, 1)
    v = acceptor.accept(datagram("ip-request-resp", seq=2, dest="server2"), PEER)
    assert v.reason is Reason.NOT_FOR_US
    assert feed(acceptor, 3)[-1].missing == ()


def test_nak_gives_up_on_a_missing_seq(acceptor: Acceptor) -> None:
    feed(acceptor, 1, 3)
    nak = datagram("NS_nak_rexmit", seq=None, dest="server1", firstseq="2")
    v = acceptor.accept(nak, PEER)
    assert v.ok and v.gap_filled and acceptor.missing("server2") == ()


def test_missing_seq_is_malformed(acceptor: Acceptor) -> None:
    assert acceptor.accept(datagram(seq=None), PEER).reason is Reason.MALFORMED
    assert acceptor.accept(datagram(seq=0), PEER).reason is Reason.MALFORMED
    bad_hg = packet.seal(Message.of(("t", "status"), ("src", "server2"), ("seq", "1")), make_keys())
    assert acceptor.accept(bad_hg, PEER).reason is Reason.MALFORMED


def test_unknown_sender_and_self(acceptor: Acceptor) -> None:
    assert acceptor.accept(datagram(src="server9"), PEER).reason is Reason.UNKNOWN_SENDER
    assert Reason.WRONG_CLUSTER is Reason.UNKNOWN_SENDER
    ours = acceptor.accept(datagram(src="server1", uuid=UUID1), PEER)
    assert ours.reason is Reason.FROM_SELF and ours.node == "server1"
    impostor = acceptor.accept(datagram(src="server1", uuid=UUID2), PEER)
    assert impostor.reason is Reason.NAME_CONFLICT and impostor.node is None
    assert acceptor.describe() == [
        "1 packet from 192.168.10.2 rejected: sender 'server9' is not a node of this cluster",
        f"1 packet from 192.168.10.2 rejected: a node with uuid {UUID2.hex()} also calls "
        "itself 'server1'",
    ]


def test_verdict_carries_parsed_generation_and_seq(acceptor: Acceptor) -> None:
    v = feed(acceptor, 0x2A, hg=0x6B06000D)[0]
    assert (v.generation, v.seq) == (0x6B06000D, 0x2A)
    dup = feed(acceptor, 0x2A, hg=0x6B06000D)[0]
    assert (dup.generation, dup.seq, dup.node) == (0x6B06000D, 0x2A, "server2")
    ack = acceptor.accept(datagram("NS_ackmsg", seq=None, dest="server1", ackseq="8"), PEER)
    assert (ack.generation, ack.seq) == (0x6B06000D, None)


def test_malformed_verdicts_name_no_node(acceptor: Acceptor) -> None:
    keys = make_keys()
    bad_hg = Message.of(("t", "status"), ("src", "server2"), ("seq", "1"), ("hg", "zz"))
    v = acceptor.accept(packet.seal(bad_hg, keys), PEER)
    assert v.reason is Reason.MALFORMED and v.node is None
    ns_bad_seq = Message.of(("t", "NS_ackmsg"), ("src", "server2"), ("seq", "x"), ("hg", "1"))
    v = acceptor.accept(packet.seal(ns_bad_seq, keys), PEER)
    assert v.reason is Reason.MALFORMED and v.node is None


def test_bad_signature_is_counted_and_described(acceptor: Acceptor) -> None:
    wrong = make_keys(b"SomethingElseEntirely")
    for seq in range(1, 13):
        v = acceptor.accept(datagram(seq=seq, keys=wrong), PEER)
        assert v.reason is Reason.BAD_SIGNATURE and v.message is None
    acceptor.accept(datagram(src="server1", uuid=UUID1), PEER)
    assert acceptor.counters[(Reason.BAD_SIGNATURE, "192.168.10.2")] == 12
    assert acceptor.describe() == [
        "12 packets from 192.168.10.2 rejected: signature does not match key 1 (sha1)"
    ]
    assert len(acceptor.describe(include_benign=True)) == 2


def test_unknown_key_index(acceptor: Acceptor) -> None:
    v = acceptor.accept(datagram(keys=make_keys(index=7)), PEER)
    assert v.reason is Reason.UNKNOWN_KEY_INDEX and "key 7" in v.detail


def test_forget_resets_tracking(acceptor: Acceptor) -> None:
    feed(acceptor, 1, 2, hg=100)
    acceptor.forget("server2")
    assert acceptor.generation("server2") is None
    assert feed(acceptor, 1, hg=99)[-1].ok


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.TRUNCATED),
        (b"##", Reason.TRUNCATED),
        (b"hello", Reason.GARBAGE),
        (b">>>\nt=status\n<<<\n", Reason.MISSING_SIGNATURE),
        (b"###\n11:(0)t=status,%%%\n", Reason.MISSING_SIGNATURE),
        (b"###\n11:(0)t=status,%%%\n42:1 abc,", Reason.TRUNCATED),
        (b"###\n11:(0)t=status,%%%\n4:1 abc,", Reason.GARBAGE),
        (b"###\n11:(0)t=status,%%%\n5:1 abc,", Reason.BAD_SIGNATURE),
        (b"###\n99:(0)t=status,%%%\n", Reason.TRUNCATED),
        (b"###\n11:(0)t=status,", Reason.TRUNCATED),
        (b"#" * 300_000, Reason.OVERSIZED),
    ],
)
def test_damaged_datagrams(acceptor: Acceptor, data: bytes, reason: Reason) -> None:
    v = acceptor.accept(data, PEER)
    assert not v.ok and v.reason is reason, v.detail
