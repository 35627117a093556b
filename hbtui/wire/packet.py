"""Whole datagrams: sign (``seal``) and verify (``unseal``) them, in either wire form.

Facts (Heartbeat 3.0.6 with cluster-glue 1.0.12, Debian's build; docs/protocol.md §2):

* Sending. The daemon always sends a cluster message in the netstring form followed by the
  trailer ``<len>:<n> <hex>,`` that signs the body bytes: glue's wire encoder turns every
  message that needs authentication into a netstring, whatever ``msgfmt`` says. ``msgfmt``
  (ha.cf; ``classic`` by default) decides only whether the daemon first adds the legacy
  ``auth`` field, computed over the message's classic lines: ``classic`` adds it (every
  recorded vector has it), ``netstring`` leaves it out. ``seal`` does the same.
* Receiving. A datagram starting ``###\\n`` is checked by its trailer alone; the ``auth``
  field, if any, is carried but not checked (the trailer covers it). A datagram starting
  ``>>>\\n`` is a classic text message: the daemon still accepts it, authenticated by its
  ``auth`` field checked with the key of the index that field names. Daemons built on
  cluster-glue up to 1.0.9 sent that form under ``msgfmt classic``, followed by the C
  string's NUL (so one trailing NUL is allowed; nothing else is). ``seal_classic`` builds
  one; the real 3.0.6 daemon accepts it and logs ``string2msg_ll: node [x] failed
  authentication`` when it does not verify *(recorded, tests/lab/test_msgfmt.py)*.

Verification decision: for the trailer the real daemon takes the method of the index
named there but its own *outbound* key. We verify with the key configured at that index
(its own method and secret), as the daemon does for the ``auth`` field. With the usual
single-key authkeys both are the same; ours also makes key rotation (two indexes
configured while peers switch ``auth N``) work. ``trailer_check`` and
``auth_field_check`` give the verdict on each signature for display (``hbtui decode``).
"""

from __future__ import annotations

import hmac
from enum import StrEnum

from hbtui.config.model import AuthKey, AuthKeys, Compression, MsgFormat
from hbtui.wire import classic, compress, netstring
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


def seal(
    msg: Message,
    keys: AuthKeys,
    msgfmt: MsgFormat = MsgFormat.CLASSIC,
    compression: Compression | None = None,
) -> bytes:
    """Sign ``msg`` with the active key as the daemon sends it under ``msgfmt``: the
    netstring body (with ``auth`` last for ``classic``), then the trailer. When ha.cf's
    ``compression`` wants it, the body is the compressed wrapper of the message instead (§2.4)."""
    key = keys.active_key
    msg = msg.without(AUTH_FIELD)
    if msgfmt is MsgFormat.CLASSIC:
        msg = msg.with_field(sign_field(msg, key))
    body = netstring.encode(msg)
    if compression is not None and compression.traditional:
        # the daemon measures the form the message would take unsigned: classic text with
        # its NUL under msgfmt classic, the netstring body under netstring
        inner = classic.encode(msg) + b"\0" if msgfmt is MsgFormat.CLASSIC else body
        if compression.wants(len(inner)):
            body = netstring.encode(compress.pack(inner, compression.algorithm))
    return body + trailer(body, key)


def seal_classic(msg: Message, keys: AuthKeys) -> bytes:
    """``msg`` as a classic text datagram signed by its ``auth`` field, the form daemons on
    cluster-glue up to 1.0.9 sent (with the NUL ending their C string)."""
    msg = msg.without(AUTH_FIELD)
    return classic.encode(msg.with_field(sign_field(msg, keys.active_key))) + b"\0"


def split(data: bytes) -> tuple[Message, bytes, bytes]:
    """Decode a datagram into (message, signed bytes, trailer bytes), checking nothing.

    A classic datagram has no trailer: its signed part is the text itself (its ``auth``
    field signs the fields)."""
    if len(data) > MAX_DATAGRAM:
        raise PacketRejected(Reason.OVERSIZED, f"{len(data)} bytes, the limit is {MAX_DATAGRAM}")
    try:
        if data[:4] == classic.HEAD[: len(data)]:  # classic, or cut inside its header
            text = data[:-1] if data.endswith(b"\0") else data
            return classic.decode(text), text, b""
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


def _key_for(index: int, keys: AuthKeys | None) -> AuthKey:
    key = keys.keys.get(index) if keys is not None else None
    if key is None:
        raise PacketRejected(
            Reason.UNKNOWN_KEY_INDEX, f"signed with key {index}, which authkeys does not have"
        )
    return key


def unseal(data: bytes, keys: AuthKeys) -> Message:
    """Verify a datagram (netstring: its trailer; classic: its ``auth`` field) and return
    its message, expanded if it came compressed, or raise PacketRejected."""
    msg, body, raw_trailer = split(data)
    if data.startswith(classic.HEAD):
        try:
            _check_auth_field(msg, keys)
        except PacketRejected as exc:
            raise PacketRejected(exc.reason, f"classic message: {exc.detail}") from None
        return expanded(msg)
    index, received = parse_trailer(raw_trailer)
    key = _key_for(index, keys)
    expected = digest(key.method, key.key, body)
    if not hmac.compare_digest(expected, received):
        raise PacketRejected(
            Reason.BAD_SIGNATURE,
            f"signature does not match key {index} ({key.method.value})",
        )
    return expanded(msg)


def expanded(msg: Message) -> Message:
    """``msg``, or the message it carries compressed; PacketRejected if that fails. The
    carried message's own ``auth`` field is not checked: the wrapper's signature covers it,
    and the daemon does not check it either."""
    if not compress.is_compressed(msg):
        return msg
    try:
        return compress.expand(msg)
    except WireError as exc:
        raise PacketRejected(Reason(exc.kind), f"compressed message: {exc.reason}") from exc


def _check_auth_field(msg: Message, keys: AuthKeys | None) -> None:
    """The ``auth`` field, ``"<n> <hex>"`` over the other fields' classic lines, checked
    with the key at index n (how the daemon authenticates classic input); PacketRejected
    when it is missing, malformed, of an unknown index or does not match."""
    found = [f for f in msg if f.name == AUTH_FIELD]
    if not found:
        raise PacketRejected(Reason.MISSING_SIGNATURE, "no auth field")
    value = found[0].value
    if len(found) > 1 or found[0].type is not FieldType.STRING or not isinstance(value, bytes):
        raise PacketRejected(Reason.BAD_SIGNATURE, "more than one auth field, or not a string")
    index, space, received = value.partition(b" ")
    if not space or not index.isdigit() or len(index) > 2 or not received.isalnum():
        raise PacketRejected(Reason.BAD_SIGNATURE, f"malformed auth field {value[:80]!r}")
    key = _key_for(int(index), keys)
    expected = digest(key.method, key.key, legacy_auth_input(msg)).encode()
    if not hmac.compare_digest(expected, received):
        raise PacketRejected(
            Reason.BAD_SIGNATURE,
            f"auth field does not match key {key.index} ({key.method.value})",
        )


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
    """The verdict on the ``auth`` field (what a receiver checks on classic input)."""
    try:
        _check_auth_field(msg, keys)
    except PacketRejected as exc:
        return _FIELD_VERDICTS[exc.reason]
    return SignatureCheck.OK


_FIELD_VERDICTS = {
    Reason.MISSING_SIGNATURE: SignatureCheck.MISSING,
    Reason.UNKNOWN_KEY_INDEX: SignatureCheck.NO_KEY,
    Reason.BAD_SIGNATURE: SignatureCheck.BAD,
}
