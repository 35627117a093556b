"""ha.cf ``msgfmt`` and the classic text form on the wire (issue 16, docs/protocol.md §2).

Facts the tests hold hbtui to: the daemon sends netstring plus trailer under either
``msgfmt``, with the legacy ``auth`` field under ``classic`` (the default) and without it
under ``netstring`` (recorded: ``msgfmt-netstring-*.bin``); a classic text datagram is
accepted when its ``auth`` field verifies, and rejected with a named reason otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wirevec import WRONG_KEY_VECTOR, datagram_vectors, make_keys, msgfmt_netstring_vectors

from hbtui.config.model import AuthKeys, AuthMethod, MsgFormat
from hbtui.wire import classic, packet
from hbtui.wire.accept import Acceptor
from hbtui.wire.limits import MAX_DATAGRAM
from hbtui.wire.message import Field, FieldType, Message
from hbtui.wire.packet import PacketRejected, SignatureCheck
from hbtui.wire.reasons import Reason

PEER = ("192.168.10.2", 40000)
RECORDED = [p for p in datagram_vectors() if p.name != WRONG_KEY_VECTOR]


def status(seq: int = 1, **extra: str) -> Message:
    return Message.of(
        ("t", "status"), ("st", "active"), ("dt", "1b58"), ("protocol", "1"), ("src", "server2"),
        ("srcuuid", bytes(range(16))), ("seq", f"{seq:x}"), ("hg", "6b06000d"),
        ("ts", "6b06000c"), ("ld", "0.00 0.00 0.00 1/100 1"), ("ttl", "3"), *extra.items(),
    )  # fmt: skip


def rejected(data: bytes, keys: AuthKeys) -> PacketRejected:
    with pytest.raises(PacketRejected) as info:
        packet.unseal(data, keys)
    return info.value


# -- sending: what each msgfmt puts on the wire ------------------------------------------


@pytest.mark.parametrize("path", msgfmt_netstring_vectors(), ids=lambda p: p.stem[17:])
def test_seal_under_msgfmt_netstring_reproduces_the_daemons_datagram(path: Path) -> None:
    data = path.read_bytes()
    msg = packet.unseal(data, make_keys())
    assert "auth" not in msg
    assert packet.seal(msg, make_keys(), MsgFormat.NETSTRING) == data
    classic_form = packet.seal(msg, make_keys(), MsgFormat.CLASSIC)
    assert classic_form != data
    assert packet.unseal(classic_form, make_keys()).fields[-1].name == "auth"


@pytest.mark.parametrize("path", RECORDED[:3], ids=lambda p: p.stem[:2])
def test_seal_under_msgfmt_classic_is_the_default_and_the_recorded_form(path: Path) -> None:
    data = path.read_bytes()
    msg = packet.split(data)[0]
    assert packet.seal(msg, make_keys(), MsgFormat.CLASSIC) == data == packet.seal(msg, make_keys())
    # msgfmt netstring drops the auth field (also a stale one) and signs with the trailer
    bare = packet.seal(msg, make_keys(), MsgFormat.NETSTRING)
    assert packet.unseal(bare, make_keys()) == msg.without("auth")


# -- receiving classic text --------------------------------------------------------------


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem[:2])
def test_the_daemons_own_auth_field_authenticates_the_classic_form(path: Path) -> None:
    """The real daemon's ``auth`` field covers the classic lines of the same fields: the
    recorded messages written as classic text (as glue <= 1.0.9 sent them) verify."""
    msg = packet.split(path.read_bytes())[0]
    text = classic.encode(msg)
    for data in (text, text + b"\0"):
        assert packet.unseal(data, make_keys()) == msg
        assert packet.split(data) == (msg, text, b"")


@pytest.mark.parametrize(
    ("method", "secret"), [(AuthMethod.SHA1, b"s"), (AuthMethod.MD5, b"m"), (AuthMethod.CRC, b"")]
)
def test_seal_classic_round_trips_through_the_receive_path(
    method: AuthMethod, secret: bytes
) -> None:
    keys = make_keys(secret, index=3, method=method)
    data = packet.seal_classic(status(), keys)
    assert data.startswith(b">>>\nt=status\n") and data.endswith(b"<<<\n\0")
    msg = packet.unseal(data, keys)
    assert msg.without("auth") == status() and msg.fields[-1].name == "auth"
    assert msg.get("auth", "").startswith("3 ")
    assert packet.auth_field_check(msg, keys) is SignatureCheck.OK
    # the same code path as a received datagram: the acceptor takes it
    verdict = Acceptor("server1", ("server1", "server2"), keys).accept(data, PEER)
    assert verdict.ok and verdict.node == "server2" and verdict.message == msg


def test_a_classic_datagram_sealed_by_hbtui_carries_the_daemons_auth_field() -> None:
    """seal_classic and seal sign the same fields the same way: the auth lines agree."""
    keys = make_keys()
    text = packet.unseal(packet.seal_classic(status(), keys), keys)
    netstring_form = packet.unseal(packet.seal(status(), keys), keys)
    assert text == netstring_form


def tamper(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def test_tampered_classic_datagrams_are_rejected_with_the_right_reason() -> None:
    keys = make_keys()
    good = packet.seal_classic(status(), keys)
    auth = good.split(b"auth=")[1].split(b"\n")[0]
    cases = {
        tamper(good, b"st=active", b"st=standby"): Reason.BAD_SIGNATURE,
        tamper(good, b"seq=1\n", b"seq=2\n"): Reason.BAD_SIGNATURE,
        tamper(good, b"ttl=3\n", b"ttl=3\nextra=1\n"): Reason.BAD_SIGNATURE,
        tamper(good, auth, auth[:-1] + b"0" if not auth.endswith(b"0") else auth[:-1] + b"1"): (
            Reason.BAD_SIGNATURE
        ),
        tamper(good, auth, auth.upper()): Reason.BAD_SIGNATURE,  # the daemon compares exactly
        tamper(good, b"auth=1 ", b"auth=7 "): Reason.UNKNOWN_KEY_INDEX,
        tamper(good, b"auth=1 ", b"auth=1"): Reason.BAD_SIGNATURE,  # malformed
        tamper(good, b"auth=" + auth + b"\n", b""): Reason.MISSING_SIGNATURE,
        tamper(good, b"auth=", b"auth=" + auth + b"\nauth="): Reason.BAD_SIGNATURE,  # twice
        classic.encode(status()): Reason.MISSING_SIGNATURE,
        good + b"\0": Reason.GARBAGE,  # one NUL ends a C string; more is not Heartbeat
        good + b"x": Reason.GARBAGE,
        good[:-6]: Reason.TRUNCATED,  # cut before <<<
        good[:3]: Reason.TRUNCATED,
        tamper(good, b"ttl=3\n", b"ttl=3\n\n"): Reason.GARBAGE,  # strict: no blank line
        good + bytes(MAX_DATAGRAM): Reason.OVERSIZED,
    }
    acceptor = Acceptor("server1", ("server1", "server2"), keys)
    for data, reason in cases.items():
        assert rejected(data, keys).reason is reason, data
        verdict = acceptor.accept(data, PEER)
        assert not verdict.ok and verdict.reason is reason
    counted = {r: n for (r, ip), n in acceptor.counters.items() if ip == PEER[0]}
    assert sum(counted.values()) == len(cases)
    assert counted[Reason.MISSING_SIGNATURE] == 2
    detail = rejected(classic.encode(status()), keys).detail
    assert detail == "classic message: no auth field"


def test_a_classic_datagram_signed_with_another_key_names_it() -> None:
    data = packet.seal_classic(status(), make_keys(b"other"))
    error = rejected(data, make_keys())
    assert error.reason is Reason.BAD_SIGNATURE
    assert error.detail == "classic message: auth field does not match key 1 (sha1)"
    assert packet.auth_field_check(packet.split(data)[0], None) is SignatureCheck.NO_KEY


def test_a_binary_auth_field_is_refused() -> None:
    keys = make_keys()
    msg = packet.split(packet.seal_classic(status(), keys))[0]
    fields = tuple(Field(f.name, f.value, FieldType.BINARY) if f.name == "auth" else f for f in msg)
    assert rejected(classic.encode(Message(fields)), keys).reason is Reason.BAD_SIGNATURE
