"""The netstring format Heartbeat 3.0.6 sends: ``###\\n`` fields ``%%%\\n``.

Each field is ``<len>:(<type>)name=value,`` where ``len`` counts the bytes between ``:``
and ``,``. Parsing is strict (no leading zeros, known type digits, exact end), so that
anything that decodes re-encodes to the identical bytes. Every length prefix is checked
against the bytes that remain before anything is sliced, so memory stays bounded.
"""

from __future__ import annotations

from hbtui.wire.errors import WireError
from hbtui.wire.limits import MAX_DATAGRAM, MAX_DEPTH, check_start
from hbtui.wire.message import Field, FieldType, Message

HEAD = b"###\n"
TAIL = b"%%%\n"
_MAX_LEN_DIGITS = len(str(MAX_DATAGRAM))
_TYPES = {ord(str(int(t))): t for t in FieldType}
_PLAIN_TYPES = {k: t for k, t in _TYPES.items() if t is not FieldType.STRUCT}


def decode(data: bytes) -> Message:
    """Decode one body, ``###\\n ... %%%\\n`` exactly, into a Message."""
    msg, end = decode_prefix(data)
    if end != len(data):
        raise WireError(f"{len(data) - end} unexpected byte(s) after %%%")
    return msg


def decode_prefix(data: bytes, depth: int = 0) -> tuple[Message, int]:
    """Decode the body at the start of ``data``; return it and the offset just past ``%%%\\n``."""
    check_start(data, depth, HEAD)
    size = len(data)
    pos = 4
    fields: list[Field] = []
    while True:
        if data.startswith(TAIL, pos):
            return Message(tuple(fields)), pos + 4
        colon = data.find(b":", pos, pos + _MAX_LEN_DIGITS + 1)
        if colon < 0:
            rest = data[pos:]
            if size - pos <= _MAX_LEN_DIGITS and (rest.isdigit() or TAIL.startswith(rest)):
                raise WireError(f"datagram ends before %%% at byte {pos}", "truncated")
            raise WireError(f"no length prefix at byte {pos}")
        digits = data[pos:colon]
        if not digits.isdigit() or (digits[0] == 0x30 and len(digits) > 1):
            raise WireError(f"bad length prefix {digits[:12]!r} at byte {pos}")
        length = int(digits)
        start = colon + 1
        end = start + length
        if end >= size:
            raise WireError(
                f"field at byte {pos} claims {length} bytes, {size - start} remain", "truncated"
            )
        if data[end] != 0x2C:  # ","
            raise WireError(f"field at byte {pos} is not closed by a comma")
        kind = _PLAIN_TYPES.get(data[start + 1]) if end - start >= 4 else None
        eq = data.find(b"=", start + 3, end) if kind is not None else -1
        if kind is not None and eq >= 0 and data[start] == 0x28 and data[start + 2] == 0x29:
            # "(" d ")": every type but STRUCT inlined here, the same Field as _field builds
            fields.append(Field(data[start + 3 : eq].decode("latin-1"), data[eq + 1 : end], kind))
        else:
            fields.append(_field(data, start, end, depth))
        pos = end + 1


def _field(data: bytes, start: int, end: int, depth: int) -> Field:
    """Parse ``(<type>)name=value`` in ``data[start:end]``."""
    if end - start < 4 or data[start] != 0x28 or data[start + 2] != 0x29:  # "(" d ")"
        raise WireError(f"field at byte {start} has no (type) prefix")
    ftype = _TYPES.get(data[start + 1])
    if ftype is None:
        raise WireError(f"field at byte {start} has unknown type {data[start + 1]:#04x}")
    eq = data.find(b"=", start + 3, end)
    if eq < 0:
        raise WireError(f"field at byte {start} has no '='")
    name = data[start + 3 : eq].decode("latin-1")
    if ftype is FieldType.STRUCT:
        nested, used = decode_prefix(data[eq + 1 : end], depth + 1)
        if used != end - eq - 1:
            raise WireError(f"nested message {name!r} has trailing bytes")
        return Field(name, nested, ftype)
    return Field(name, data[eq + 1 : end], ftype)


def encode(msg: Message, depth: int = 0) -> bytes:
    """Encode a Message as a body (no trailer), exactly as Heartbeat lays it out."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    parts = [HEAD]
    for f in msg.fields:
        content = b"(%d)%s=%s" % (f.type, _name_bytes(f.name), _value_bytes(f, depth))
        parts.append(b"%d:%s," % (len(content), content))
    parts.append(TAIL)
    return b"".join(parts)


def _name_bytes(name: str) -> bytes:
    """A field name as wire bytes; it must not contain ``=``."""
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise WireError(f"field name {name!r} is not Latin-1") from exc
    if b"=" in raw:
        raise WireError(f"field name {name!r} contains '='")
    return raw


def _value_bytes(f: Field, depth: int) -> bytes:
    """A field's value as wire bytes; STRUCT values are encoded recursively."""
    if isinstance(f.value, Message):
        if f.type is not FieldType.STRUCT:
            raise WireError(f"field {f.name!r} holds a message but has type {f.type.name}")
        return encode(f.value, depth + 1)
    if f.type is FieldType.STRUCT:
        raise WireError(f"STRUCT field {f.name!r} holds bytes, not a message")
    return f.value
