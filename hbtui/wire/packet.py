"""Whole datagrams: sign (``seal``) and verify (``unseal``) the netstring form.

A datagram is the netstring body, whose last field ``auth`` carries the legacy
signature, followed by the trailer ``<len>:<n> <hex>,`` signing the body bytes.

Verification decision: the real 3.0.6 daemon checks the trailer with the method of the
index named in the trailer but with its own *outbound* key. We verify with the key
configured at that index (its own method and secret). With the usual single-key
authkeys both are the same; ours also makes key rotation (two indexes configured while
peers switch ``auth N``) work. The ``auth`` field is carried but, like the real daemon,
not checked on receipt (the trailer covers it); ``auth_field_check`` reports on it.

Classic text on the wire is refused: 3.0.6 never sends it, it is unsigned by the
trailer, and accepting it would only widen what a hostile sender can try.
"""

from __future__ import annotations

import hmac
from enum import StrEnum

from hbtui.config.model import AuthKey, AuthKeys
from hbtui.wire import classic, netstring
from hbtui.wire.auth import AUTH_FIELD, digest, legacy_auth_input
from hbtui.wire.errors import DamageKind, WireError
from hbtui.wire.limits import MAX_DATAGRAM
from hbtui.wire.message import Field, FieldType, Message
from hbtui.wire.reasons import Reason

_MAX_TRAILER = 64  # "NN:NN <hex>," with at most 40 hex digits fits easily


class PacketRejected(WireError):
    """A datagram refused before decoding finished; ``reason`` is a named Reason."""

    reason: Reason  # narrower than WireError's text: still a str

    def __init__(self, reason: Reason, detail: str) -> None:
        kind: DamageKind = "garbage"
        if reason is Reason.TRUNCATED:
            kind = "truncated"
        elif reason is Reason.OVERSIZED:
            kind = "oversized"
        super().__init__(detail, kind)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.detail}"


class SignatureCheck(StrEnum):
    """The verdict on one signature, as ``hbtui decode`` prints it."""

    OK = "ok"
    BAD = "bad signature"
    NO_KEY = "no key"
    MISSING = "missing"


def sign_field(msg: Message, key: AuthKey) -> Field:
    """The ``auth`` field for ``msg`` (computed over every field but ``auth``)."""
    hexdigest = digest(key.method, key.key, legacy_auth_input(msg))
    return Field(AUTH_FIELD, f"{key.index} {hexdigest}".encode(), FieldType.STRING)


def trailer(body: bytes, key: AuthKey) -> bytes:
    """The trailer netstring that signs ``body``."""
    inner = f"{key.index} {digest(key.method, key.key, body)}".encode()
    return b"%d:%s," % (len(inner), inner)


def seal(msg: Message, keys: AuthKeys) -> bytes:
    """Sign ``msg`` with the active key: add ``auth`` last, encode, append the trailer."""
    key = keys.active_key
    msg = msg.without(AUTH_FIELD)
    body = netstring.encode(msg.with_field(sign_field(msg, key)))
    return body + trailer(body, key)


def split(data: bytes) -> tuple[Message, bytes, bytes]:
    """Decode a datagram into (message, body bytes, trailer bytes), checking nothing."""
    if len(data) > MAX_DATAGRAM:
        raise PacketRejected(Reason.OVERSIZED, f"{len(data)} bytes, the limit is {MAX_DATAGRAM}")
    if data.startswith(classic.HEAD):
        raise PacketRejected(Reason.CLASSIC_FORMAT, "classic text format is not accepted")
    try:
        msg, end = netstring.decode_prefix(data)
    except PacketRejected:
        raise
    except WireError as exc:
        raise PacketRejected(Reason(exc.kind), exc.reason) from exc
    return msg, data[:end], data[end:]


def parse_trailer(raw: bytes) -> tuple[int, str]:
    """``<len>:<n> <hex>,`` -> (n, hex); PacketRejected if absent or malformed."""
    if not raw:
        raise PacketRejected(Reason.MISSING_SIGNATURE, "no signature after %%%")
    if len(raw) > _MAX_TRAILER:
        raise PacketRejected(Reason.GARBAGE, f"{len(raw)} bytes after %%%, not a signature")
    head, colon, rest = raw.partition(b":")
    if head.isdigit() and (not colon or len(rest) < int(head) + 1):
        raise PacketRejected(Reason.TRUNCATED, f"signature trailer cut short: {raw!r}")
    if not colon or not head.isdigit() or int(head) != len(rest) - 1 or not rest.endswith(b","):
        raise PacketRejected(Reason.GARBAGE, f"malformed signature trailer {raw!r}")
    index, space, hexdigest = rest[:-1].partition(b" ")
    if not space or not index.isdigit() or not hexdigest.isalnum() or not hexdigest.isascii():
        raise PacketRejected(Reason.GARBAGE, f"malformed signature trailer {raw!r}")
    return int(index), hexdigest.decode("ascii")


def _key_for(index: int, keys: AuthKeys) -> AuthKey:
    key = keys.keys.get(index)
    if key is None:
        raise PacketRejected(
            Reason.UNKNOWN_KEY_INDEX, f"signed with key {index}, which authkeys does not have"
        )
    return key


def unseal(data: bytes, keys: AuthKeys) -> Message:
    """Verify a datagram's trailer and return its message, or raise PacketRejected."""
    msg, body, raw_trailer = split(data)
    index, received = parse_trailer(raw_trailer)
    key = _key_for(index, keys)
    expected = digest(key.method, key.key, body)
    if not hmac.compare_digest(expected, received):
        raise PacketRejected(
            Reason.BAD_SIGNATURE,
            f"signature does not match key {index} ({key.method.value})",
        )
    return msg


def trailer_check(data: bytes, keys: AuthKeys | None) -> SignatureCheck:
    """The verdict on the trailer signature alone (for display)."""
    try:
        _, body, raw_trailer = split(data)
        index, received = parse_trailer(raw_trailer)
    except PacketRejected as exc:
        missing = exc.reason is Reason.MISSING_SIGNATURE
        return SignatureCheck.MISSING if missing else SignatureCheck.BAD
    key = keys.keys.get(index) if keys is not None else None
    if key is None:
        return SignatureCheck.NO_KEY
    ok = hmac.compare_digest(digest(key.method, key.key, body), received)
    return SignatureCheck.OK if ok else SignatureCheck.BAD


def auth_field_check(msg: Message, keys: AuthKeys | None) -> SignatureCheck:
    """The verdict on the legacy ``auth`` field (for display; receivers do not need it)."""
    value = msg.get(AUTH_FIELD)
    if value is None:
        return SignatureCheck.MISSING
    index, _, received = value.partition(" ")
    if not index.isdigit() or not received:
        return SignatureCheck.BAD
    key = keys.keys.get(int(index)) if keys is not None else None
    if key is None:
        return SignatureCheck.NO_KEY
    expected = digest(key.method, key.key, legacy_auth_input(msg))
    ok = hmac.compare_digest(expected.encode(), received.encode("latin-1"))
    return SignatureCheck.OK if ok else SignatureCheck.BAD
