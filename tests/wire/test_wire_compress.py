"""Compressed messages (issue 16, docs/protocol.md §2.4): ha.cf ``compression``,
``compression_threshold`` and ``traditional_compression``.

Facts the tests hold hbtui to: a compressed datagram is a signed netstring wrapper of
``_compressed_payload`` (binary) and ``_compression_algorithm``; the payload is the message
without trailer (classic text and its NUL under ``msgfmt classic``, the netstring body under
``netstring``) compressed by zlib or bz2. hbtui sends it only when ha.cf turns traditional
compression on and the message is over the threshold; it expands any it receives, and a
payload that does not expand, or expands past the bound, is a counted bad packet.
"""

from __future__ import annotations

import bz2
import zlib
from pathlib import Path

import pytest
from wirevec import authkeys_file, compressed_vectors, make_keys

from hbtui.cli import main
from hbtui.config.model import Compression, CompressionName, MsgFormat
from hbtui.wire import classic, compress, netstring, packet
from hbtui.wire.accept import Acceptor
from hbtui.wire.compress import ALGORITHM_FIELD, MAX_EXPANDED, PAYLOAD_FIELD
from hbtui.wire.message import Field, FieldType, Message
from hbtui.wire.packet import PacketRejected
from hbtui.wire.reasons import Reason

KEYS = make_keys()
PEER = ("192.168.10.2", 694)
ON = Compression(CompressionName.ZLIB, 1024, traditional=True)


def repnodes(names: int = 12) -> Message:
    """A node-list reply over 1 KB (the only R1 message that grows with the cluster)."""
    nodelist = " ".join(f"node{i:02d}" + "x" * 90 for i in range(names)) + " "
    return Message.of(
        ("dest", "server1"), ("t", "repnodes"), ("nodelist", nodelist), ("delnodelist", " "),
        ("src", "server2"), ("srcuuid", bytes(range(16))), ("seq", "5"), ("hg", "6b05ff3b"),
        ("ts", "6b05ff3b"), ("ld", "0.01 0.09 0.07 2/145 130"), ("ttl", "3"),
    )  # fmt: skip


def wrapper(
    payload: bytes, algorithm: bytes = b"zlib", ptype: FieldType = FieldType.BINARY
) -> bytes:
    """A signed wrapper carrying ``payload`` as is."""
    msg = Message((Field(PAYLOAD_FIELD, payload, ptype), Field(ALGORITHM_FIELD, algorithm)))
    return packet.seal(msg, KEYS, MsgFormat.NETSTRING)


def rejected(data: bytes) -> PacketRejected:
    with pytest.raises(PacketRejected) as info:
        packet.unseal(data, KEYS)
    return info.value


# -- the real daemon's datagrams ------------------------------------------------------------


@pytest.mark.parametrize("path", compressed_vectors(), ids=lambda p: p.stem)
def test_the_daemons_compressed_datagram_expands(path: Path) -> None:
    data = path.read_bytes()
    wrapped = packet.split(data)[0]
    assert [f.name for f in wrapped] == [PAYLOAD_FIELD, ALGORITHM_FIELD]
    assert wrapped.get(ALGORITHM_FIELD) == "zlib"
    msg = packet.unseal(data, KEYS)
    assert msg.type == "repnodes" and msg.get("src") == "server2" and "auth" in msg
    # the payload is the classic text with its NUL (msgfmt classic), as zlib's compress()
    payload = wrapped.get_bytes(PAYLOAD_FIELD)
    assert payload is not None and zlib.decompress(payload) == classic.encode(msg) + b"\0"
    assert packet.seal(msg, KEYS, MsgFormat.CLASSIC, ON) == data  # hbtui sends the same bytes
    verdict = Acceptor("server1", ("server1", "server2"), KEYS).accept(data, PEER)
    assert verdict.ok and verdict.message == msg


# -- sending --------------------------------------------------------------------------------


@pytest.mark.parametrize("msgfmt", list(MsgFormat))
@pytest.mark.parametrize("algorithm", list(CompressionName))
def test_over_the_threshold_a_message_goes_compressed_and_comes_back(
    msgfmt: MsgFormat, algorithm: CompressionName
) -> None:
    data = packet.seal(repnodes(), KEYS, msgfmt, Compression(algorithm, 1024, True))
    wrapped = packet.split(data)[0]
    assert wrapped.get(ALGORITHM_FIELD) == algorithm.value
    msg = packet.unseal(data, KEYS)
    assert msg.without("auth") == repnodes()
    assert ("auth" in msg) is (msgfmt is MsgFormat.CLASSIC)
    payload = wrapped.get_bytes(PAYLOAD_FIELD)
    assert payload is not None
    inner = (
        zlib.decompress(payload) if algorithm is CompressionName.ZLIB else bz2.decompress(payload)
    )
    assert inner == (
        classic.encode(msg) + b"\0" if msgfmt is MsgFormat.CLASSIC else netstring.encode(msg)
    )


def test_uncompressed_unless_traditional_compression_and_over_the_threshold() -> None:
    plain = packet.seal(repnodes(), KEYS)
    assert packet.seal(repnodes(), KEYS, MsgFormat.CLASSIC, Compression()) == plain  # defaults
    big_threshold = Compression(CompressionName.ZLIB, 64 * 1024, traditional=True)
    assert packet.seal(repnodes(), KEYS, MsgFormat.CLASSIC, big_threshold) == plain
    small = repnodes(names=2)
    assert packet.seal(small, KEYS, MsgFormat.CLASSIC, ON) == packet.seal(small, KEYS)


def test_the_threshold_is_strict_on_the_unsigned_length() -> None:
    msg = packet.unseal(packet.seal(repnodes(), KEYS), KEYS)  # with its auth field
    length = len(classic.encode(msg)) + 1
    at = Compression(CompressionName.ZLIB, length, traditional=True)
    below = Compression(CompressionName.ZLIB, length - 1, traditional=True)
    assert PAYLOAD_FIELD not in packet.split(packet.seal(msg, KEYS, MsgFormat.CLASSIC, at))[0]
    assert PAYLOAD_FIELD in packet.split(packet.seal(msg, KEYS, MsgFormat.CLASSIC, below))[0]


# -- hostile input: a WireError, counted, never a traceback ----------------------------------


def test_a_payload_that_does_not_decompress_is_garbage() -> None:
    assert rejected(wrapper(b"not zlib at all")).reason is Reason.GARBAGE
    assert rejected(wrapper(b"neither", b"bz2")).reason is Reason.GARBAGE
    whole = zlib.compress(netstring.encode(repnodes()))
    assert "ends inside" in rejected(wrapper(whole[:-5])).detail
    assert "after the zlib stream" in rejected(wrapper(whole + b"junk")).detail


def test_a_zip_bomb_is_oversized_and_stops_at_the_bound() -> None:
    bomb = zlib.compress(b"###\n" + b"A" * (50 * MAX_EXPANDED), 9)
    assert len(bomb) < MAX_EXPANDED // 20  # 13 MB in 13 kB
    assert rejected(wrapper(bomb)).reason is Reason.OVERSIZED
    bz_bomb = bz2.compress(b"###\n" + b"A" * (50 * MAX_EXPANDED))
    assert rejected(wrapper(bz_bomb, b"bz2")).reason is Reason.OVERSIZED


def test_exactly_the_bound_still_expands() -> None:
    filler = Message.of(("t", "x"))
    body = netstring.encode(filler)
    pad = MAX_EXPANDED - len(body) - len(b"NNNNNN:(0)pad=,")
    padded = Message.of(("t", "x"), ("pad", "p" * pad))
    raw = netstring.encode(padded)
    assert len(raw) == MAX_EXPANDED
    assert packet.unseal(wrapper(zlib.compress(raw)), KEYS) == padded


@pytest.mark.parametrize(
    ("payload", "algorithm", "ptype", "why"),
    [
        (b"", b"lzo", FieldType.BINARY, "unknown compression algorithm"),
        (b"", b"", FieldType.BINARY, "unknown compression algorithm"),
        (zlib.compress(b"###\n%%%\n"), b"zlib", FieldType.STRING, "not binary"),
        (zlib.compress(b"hello"), b"zlib", FieldType.BINARY, "does not start with ###"),
        (zlib.compress(b">>>\nt=x\n"), b"zlib", FieldType.BINARY, "does not end with <<<"),
    ],
)
def test_a_malformed_wrapper_is_refused(
    payload: bytes, algorithm: bytes, ptype: FieldType, why: str
) -> None:
    exc = rejected(wrapper(payload, algorithm, ptype))
    assert why in exc.detail


def test_no_algorithm_field_and_compression_inside_compression_are_refused() -> None:
    lone = Message((Field(PAYLOAD_FIELD, zlib.compress(b"###\n%%%\n"), FieldType.BINARY),))
    assert "without _compression_algorithm" in rejected(packet.seal(lone, KEYS)).detail
    inner = netstring.encode(compress.pack(netstring.encode(repnodes()), CompressionName.ZLIB))
    assert "inside a compressed" in rejected(wrapper(zlib.compress(inner))).detail


def test_the_acceptor_counts_a_bad_payload_as_a_bad_packet() -> None:
    acceptor = Acceptor("server1", ("server1", "server2"), KEYS)
    verdict = acceptor.accept(wrapper(b"\x78\x9c garbage"), PEER)
    assert not verdict.ok and verdict.reason is Reason.GARBAGE
    assert "does not decompress" in verdict.detail
    bomb = acceptor.accept(wrapper(zlib.compress(b"A" * (2 * MAX_EXPANDED))), PEER)
    assert bomb.reason is Reason.OVERSIZED
    assert len(acceptor.describe()) == 2


def test_an_unsigned_wrapper_is_refused_before_anything_is_decompressed() -> None:
    data = wrapper(zlib.compress(b"A" * (2 * MAX_EXPANDED)))
    body = packet.split(data)[1]
    assert rejected(body).reason is Reason.MISSING_SIGNATURE


# -- hbtui decode ---------------------------------------------------------------------------


def test_decode_shows_the_expanded_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keys = authkeys_file(tmp_path)
    good = tmp_path / "good.bin"
    good.write_bytes(packet.seal(repnodes(), KEYS, MsgFormat.CLASSIC, ON))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(wrapper(b"garbage"))
    assert main(["decode", "--authkeys", str(keys), str(good), str(bad)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert " repnodes " in out[0] and "compressed=zlib trailer=ok auth=ok" in out[0]
    assert "undecodable" in out[1] and "does not decompress" in out[1]
