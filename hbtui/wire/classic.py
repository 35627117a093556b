"""The classic text format: ``>>>\\n`` ``name=value\\n``... ``<<<\\n``.

Heartbeat uses it on local IPC and accepts it on input, authenticated by its ``auth``
field (``hbtui.wire.packet``); 3.0.6 never sends it on the wire, daemons on cluster-glue
up to 1.0.9 did (docs/protocol.md §2.2). String values are raw (they cannot hold a
newline); every other type is written ``(<type>)name=<base64>``. A STRUCT value is the
base64 of the nested message in this same classic form (our choice: R1 traffic never
carries one). Parsing is strict so that whatever decodes re-encodes to the identical bytes.
"""

from __future__ import annotations

import base64
import binascii

from hbtui.wire.errors import WireError
from hbtui.wire.limits import MAX_DEPTH, check_start
from hbtui.wire.message import Field, FieldType, Message

HEAD = b">>>\n"
TAIL = b"<<<\n"
_TYPES = {str(int(t)): t for t in FieldType}


def decode(data: bytes, depth: int = 0) -> Message:
    """Decode one classic message (exactly, nothing after ``<<<\\n``)."""
    check_start(data, depth, HEAD)
    if not data.endswith(TAIL):
        if b"\n" + TAIL in data:  # no field line holds it: bytes follow the end
            raise WireError("unexpected bytes after <<<")
        raise WireError("datagram does not end with <<<", "truncated")
    body = data[4:-4]
    if not body:
        return Message()
    if not body.endswith(b"\n"):
        raise WireError("last field is not terminated by a newline")
    fields = [_line(line, depth) for line in body[:-1].split(b"\n")]
    return Message(tuple(fields))


def _line(line: bytes, depth: int) -> Field:
    """One ``name=value`` or ``(<type>)name=<base64>`` line."""
    eq = line.find(b"=")
    if eq < 0:
        raise WireError(f"line {line[:40]!r} has no '='")
    name = line[:eq].decode("latin-1")
    value = line[eq + 1 :]
    if len(name) >= 3 and name[0] == "(" and name[2] == ")" and name[1] in _TYPES:
        ftype = _TYPES[name[1]]
        name = name[3:]
        if ftype is FieldType.STRING:
            raise WireError(f"field {name!r}: strings carry no (0) prefix in classic form")
        raw = _unbase64(value, name)
        if ftype is FieldType.STRUCT:
            return Field(name, decode(raw, depth + 1), ftype)
        return Field(name, raw, ftype)
    if name.startswith("(") and ")" in name:
        raise WireError(f"field {name!r} has an unknown type prefix")
    return Field(name, value, FieldType.STRING)


def _unbase64(value: bytes, name: str) -> bytes:
    """Strict base64: only the canonical spelling is accepted."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireError(f"field {name!r} is not valid base64") from exc
    if base64.b64encode(raw) != value:
        raise WireError(f"field {name!r} is not canonical base64")
    return raw


def encode(msg: Message, depth: int = 0) -> bytes:
    """Encode a Message in the classic form."""
    return HEAD + b"".join(field_line(f, depth) for f in msg.fields) + TAIL


def field_line(f: Field, depth: int = 0) -> bytes:
    """One field as its classic line, newline included (also the legacy ``auth`` input)."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        name = f.name.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise WireError(f"field name {f.name!r} is not Latin-1") from exc
    if b"=" in name or b"\n" in name:
        raise WireError(f"field name {f.name!r} contains '=' or a newline")
    if isinstance(f.value, Message):
        if f.type is not FieldType.STRUCT:
            raise WireError(f"field {f.name!r} holds a message but has type {f.type.name}")
        return b"(2)%s=%s\n" % (name, base64.b64encode(encode(f.value, depth + 1)))
    if f.type is FieldType.STRUCT:
        raise WireError(f"STRUCT field {f.name!r} holds bytes, not a message")
    if f.type is FieldType.STRING:
        if b"\n" in f.value:
            raise WireError(f"string field {f.name!r} contains a newline")
        if name.startswith(b"(") and b")" in name:
            raise WireError(f"string field name {f.name!r} looks like a type prefix")
        return b"%s=%s\n" % (name, f.value)
    return b"(%d)%s=%s\n" % (f.type, name, base64.b64encode(f.value))
