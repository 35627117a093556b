"""Netstring and classic codecs, and the auth methods, on hand-made inputs."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from hbtui.config.model import AuthMethod
from hbtui.wire import classic, netstring
from hbtui.wire.auth import crc32_msb, digest, legacy_auth_input
from hbtui.wire.errors import WireError
from hbtui.wire.limits import MAX_DEPTH
from hbtui.wire.message import Field, FieldType, Message

UUID = b"\xf2K\xf0\x90\xca%O$\xb2\x98=\x80\xf3^L]"


def sample() -> Message:
    return Message.of(("t", "status"), ("st", "up"), ("srcuuid", UUID), ("ld", ""))


def test_netstring_layout() -> None:
    body = netstring.encode(Message.of(("t", "status"), ("srcuuid", UUID)))
    assert body == b"###\n11:(0)t=status,27:(1)srcuuid=" + UUID + b",%%%\n"
    assert netstring.decode(body) == Message.of(("t", "status"), ("srcuuid", UUID))


def test_empty_message() -> None:
    assert netstring.decode(b"###\n%%%\n") == Message()
    assert classic.decode(b">>>\n<<<\n") == Message()


def test_binary_values_may_hold_delimiters() -> None:
    msg = Message.of(("x", b",=\n%%%\n###\n\x00"))
    assert netstring.decode(netstring.encode(msg)) == msg


def test_nested_struct_round_trip() -> None:
    inner = sample()
    msg = Message((Field("t", b"x"), Field("sub", inner, FieldType.STRUCT)))
    body = netstring.encode(msg)
    assert netstring.decode(body) == msg
    assert classic.decode(classic.encode(msg)) == msg


def test_nesting_depth_is_limited() -> None:
    msg = Message()
    for _ in range(MAX_DEPTH + 2):
        msg = Message((Field("n", msg, FieldType.STRUCT),))
    with pytest.raises(WireError):
        netstring.encode(msg)
    body = b"###\n%%%\n"
    for _ in range(MAX_DEPTH + 2):
        content = b"(2)n=" + body
        body = b"###\n%d:%s,%%%%%%\n" % (len(content), content)
    with pytest.raises(WireError, match="nested"):
        netstring.decode(body)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"###\n011:(0)t=status,%%%\n", "garbage"),  # leading zero: not canonical
        (b"###\n+11:(0)t=status,%%%\n", "garbage"),
        (b"###\n11:(9)t=status,%%%\n", "garbage"),
        (b"###\n11:(0)t_status;%%%\n", "garbage"),
        (b"###\n9:t=status,%%%\n", "garbage"),
        (b"###\n11:(0)t=status,%%%\nextra", "garbage"),
        (b"###\n99999999999:(0)t=status,%%%\n", "garbage"),
        (b"###\n262143:(0)t=", "truncated"),
        (b"###\n11:(0)t=status,%%", "truncated"),
        (b"###\n11:(0)t=status,1", "truncated"),
        (b"###", "truncated"),
        (b"x" * 262144, "oversized"),
    ],
)
def test_netstring_rejects(data: bytes, kind: str) -> None:
    with pytest.raises(WireError) as info:
        netstring.decode(data)
    assert info.value.kind == kind and info.value.reason


@pytest.mark.parametrize(
    "msg",
    [
        Message((Field("a=b", b"x"),)),
        Message((Field("\u20ac", b"x"),)),
        Message((Field("s", b"x", FieldType.STRUCT),)),
        Message((Field("s", Message(), FieldType.BINARY),)),
    ],
)
def test_netstring_encode_refuses_what_it_cannot_write(msg: Message) -> None:
    with pytest.raises(WireError):
        netstring.encode(msg)


def test_classic_layout() -> None:
    data = classic.encode(sample())
    assert data == b">>>\nt=status\nst=up\n(1)srcuuid=8kvwkMolTySymD2A815MXQ==\nld=\n<<<\n"
    assert classic.decode(data) == sample()


@pytest.mark.parametrize(
    "data",
    [
        b">>>\nt=status\n",
        b">>>\nnovalue\n<<<\n",
        b">>>\n(1)x=not base64!\n<<<\n",
        b">>>\n(1)x=QR==\n<<<\n",  # non-canonical padding bits
        b">>>\n(0)x=y\n<<<\n",
        b">>>\n(7)x=y\n<<<\n",
        b">>>\nt=status<<<\n",
        b"###\n%%%\n",
    ],
)
def test_classic_rejects(data: bytes) -> None:
    with pytest.raises(WireError):
        classic.decode(data)


def test_classic_refuses_newlines_in_strings() -> None:
    with pytest.raises(WireError):
        classic.encode(Message.of(("t", "a\nb")))


def test_crc_is_crc32_posix_without_length() -> None:
    assert crc32_msb(b"123456789") == 0x765E7680  # the catalogued CRC-32/POSIX check value
    assert crc32_msb(b"") == 0xFFFFFFFF
    assert digest(AuthMethod.CRC, b"", b"123456789") == "765e7680"


def test_crc_prints_without_leading_zeros() -> None:
    # find a short input whose crc has a leading zero nibble
    pairs = (bytes([i, j]) for i in range(256) for j in range(256))
    data = next(d for d in pairs if crc32_msb(d) < 1 << 28)
    assert len(digest(AuthMethod.CRC, b"", data)) < 8


def test_hmac_methods_match_rfc2202() -> None:
    key = b"\x0b" * 20
    assert digest(AuthMethod.SHA1, key, b"Hi There") == "b617318655057264e28bc0b6fb378c8ef146be00"
    assert digest(AuthMethod.MD5, b"\x0b" * 16, b"Hi There") == "9294727a3638bb1c13f48ef8158bfc9d"
    expected = hmac.new(b"k", b"d", hashlib.md5).hexdigest()
    assert digest(AuthMethod.MD5, b"k", b"d") == expected


def test_legacy_auth_input() -> None:
    msg = sample().with_field(Field("auth", b"1 abc"))
    assert legacy_auth_input(msg) == b"t=status\nst=up\n(1)srcuuid=8kvwkMolTySymD2A815MXQ==\nld=\n"
