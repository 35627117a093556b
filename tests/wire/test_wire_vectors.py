"""Every datagram recorded from the real daemon decodes, verifies and re-encodes exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from wirevec import DATAGRAMS, VECTORS, WRONG_KEY_VECTOR, datagram_vectors, make_keys, secret_for

from hbtui.config.model import AuthMethod
from hbtui.wire import netstring, packet
from hbtui.wire.auth import legacy_auth_input
from hbtui.wire.packet import PacketRejected, SignatureCheck
from hbtui.wire.reasons import Reason

PARAMS = [pytest.param(p, id=p.stem[:2]) for p in datagram_vectors()]


def test_every_recorded_datagram_is_committed() -> None:
    assert len(PARAMS) == DATAGRAMS


@pytest.mark.parametrize("path", PARAMS)
def test_vector_decodes_and_reencodes_byte_identical(path: Path) -> None:
    data = path.read_bytes()
    msg, body, trailer = packet.split(data)
    assert netstring.encode(msg) == body
    assert netstring.decode(body) == msg
    assert trailer.startswith(b"42:1 ") and trailer.endswith(b",")
    assert msg.type and msg.get("src") and msg.field("srcuuid") is not None
    assert len(msg.get_bytes("srcuuid") or b"") == 16
    assert msg.fields[-1].name == "auth"


@pytest.mark.parametrize("path", PARAMS)
def test_vector_both_signatures_verify_with_the_recorded_key(path: Path) -> None:
    data = path.read_bytes()
    keys = make_keys(secret_for(path.name))
    msg = packet.unseal(data, keys)
    assert packet.trailer_check(data, keys) is SignatureCheck.OK
    assert packet.auth_field_check(msg, keys) is SignatureCheck.OK
    assert b"auth=" not in legacy_auth_input(msg)


@pytest.mark.parametrize("path", PARAMS)
def test_vector_fails_with_a_wrong_key(path: Path) -> None:
    data = path.read_bytes()
    wrong = make_keys(b"not-" + secret_for(path.name))
    with pytest.raises(PacketRejected) as info:
        packet.unseal(data, wrong)
    assert info.value.reason is Reason.BAD_SIGNATURE
    assert info.value.detail == "signature does not match key 1 (sha1)"
    msg, _, _ = packet.split(data)
    assert packet.auth_field_check(msg, wrong) is SignatureCheck.BAD
    assert packet.trailer_check(data, wrong) is SignatureCheck.BAD


@pytest.mark.parametrize("path", PARAMS)
def test_seal_of_the_stripped_message_reproduces_the_vector(path: Path) -> None:
    data = path.read_bytes()
    msg, _, _ = packet.split(data)
    assert packet.seal(msg.without("auth"), make_keys(secret_for(path.name))) == data
    # seal() also replaces a stale auth field rather than adding a second one
    assert packet.seal(msg, make_keys(secret_for(path.name))) == data


def test_the_wrong_key_vector_is_rejected_by_the_howto_key() -> None:
    data = (VECTORS / WRONG_KEY_VECTOR).read_bytes()
    with pytest.raises(PacketRejected, match="key 1 \\(sha1\\)"):
        packet.unseal(data, make_keys())


@pytest.mark.parametrize("path", [p for p in datagram_vectors() if p.name != WRONG_KEY_VECTOR])
def test_md5_and_crc_reseal_round_trip(path: Path) -> None:
    msg, _, _ = packet.split(path.read_bytes())
    for method, secret in ((AuthMethod.MD5, b"k"), (AuthMethod.CRC, b"")):
        keys = make_keys(secret, index=2, method=method)
        sealed = packet.seal(msg, keys)
        assert packet.unseal(sealed, keys) == packet.split(sealed)[0]
        assert packet.trailer_check(sealed, keys) is SignatureCheck.OK


def _value_spans(body: bytes) -> list[range]:
    """Byte ranges of every field value in a netstring body."""
    spans = []
    pos = 4
    for f in netstring.decode(body):
        assert isinstance(f.value, bytes)
        head = b"(%d)%s=" % (f.type, f.name.encode("latin-1"))
        digits = str(len(head) + len(f.value)).encode()
        start = pos + len(digits) + 1 + len(head)
        spans.append(range(start, start + len(f.value)))
        pos = start + len(f.value) + 1
    return spans


@pytest.mark.parametrize("name", ["03-status-active-server1.bin", "12-ns_ackmsg-server2.bin"])
def test_every_changed_byte_is_rejected_with_the_right_reason(name: str) -> None:
    data = (VECTORS / name).read_bytes()
    keys = make_keys()
    _, body, trailer = packet.split(data)
    values = {i for span in _value_spans(body) for i in span}
    index_at = len(body) + trailer.index(b":") + 1
    hex_at = range(index_at + 2, len(data) - 1)
    for pos in range(len(data)):
        for bit in (0x01, 0x10, 0x80):
            changed = bytearray(data)
            changed[pos] ^= bit
            with pytest.raises(PacketRejected) as info:
                packet.unseal(bytes(changed), keys)
            reason = info.value.reason
            if pos in values:
                assert reason is Reason.BAD_SIGNATURE, (pos, bit)
            elif pos == index_at and chr(changed[pos]).isdigit():
                assert reason is Reason.UNKNOWN_KEY_INDEX, (pos, bit)
            elif pos in hex_at:
                assert reason in (Reason.BAD_SIGNATURE, Reason.GARBAGE), (pos, bit)
            else:
                assert reason in (Reason.GARBAGE, Reason.TRUNCATED, Reason.BAD_SIGNATURE)


@pytest.mark.parametrize("cut", [0, 1, 4, 100, -50, -46, -45, -43, -1])
def test_truncated_vector_is_rejected(cut: int) -> None:
    data = (VECTORS / "03-status-active-server1.bin").read_bytes()
    with pytest.raises(PacketRejected) as info:
        packet.unseal(data[:cut], make_keys())
    expected = {
        0: Reason.TRUNCATED, 1: Reason.TRUNCATED, 4: Reason.TRUNCATED, 100: Reason.TRUNCATED,
        -50: Reason.TRUNCATED, -46: Reason.MISSING_SIGNATURE, -45: Reason.TRUNCATED,
        -43: Reason.TRUNCATED, -1: Reason.TRUNCATED,
    }  # fmt: skip
    assert info.value.reason is expected[cut]
