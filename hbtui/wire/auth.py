"""The three authkeys methods and the input of the legacy ``auth`` field.

* sha1 / md5: HMAC (RFC 2104) with the key, lowercase hex.
* crc: CRC-32 processed most significant bit first, polynomial 0x04C11DB7, initial value
  0, no reflection, no length appended, result inverted; printed like ``%lx`` (no
  leading zeros). This is the catalogued CRC-32/POSIX without cksum's length suffix.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from hbtui.config.model import AuthMethod
from hbtui.wire import netstring
from hbtui.wire.message import FieldType, Message

AUTH_FIELD = "auth"


def _crc_table() -> tuple[int, ...]:
    """The 256-entry table for the MSB-first polynomial 0x04C11DB7."""
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
        table.append(crc & 0xFFFFFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc32_msb(data: bytes) -> int:
    """CRC-32 as the ``crc`` method computes it (see the module docstring)."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return ~crc & 0xFFFFFFFF


def digest(method: AuthMethod, key: bytes, data: bytes) -> str:
    """The lowercase hex digest of ``data`` for one authkeys method."""
    if method is AuthMethod.SHA1:
        return hmac.new(key, data, hashlib.sha1).hexdigest()
    if method is AuthMethod.MD5:
        return hmac.new(key, data, hashlib.md5).hexdigest()
    if method is AuthMethod.CRC:
        return f"{crc32_msb(data):x}"
    raise ValueError(f"unknown auth method {method!r}")


def legacy_auth_input(msg: Message) -> bytes:
    """What the ``auth`` field signs: every field but ``auth``, one per line.

    Strings give ``name=value\\n``; other types ``(<type>)name=<base64>\\n`` (a nested
    message is base64 of its netstring body, our choice: R1 traffic has none).
    """
    parts = []
    for f in msg.fields:
        if f.name == AUTH_FIELD:
            continue
        name = f.name.encode("latin-1", "replace")
        if isinstance(f.value, Message):
            raw = netstring.encode(f.value)
            parts.append(b"(%d)%s=%s\n" % (f.type, name, base64.b64encode(raw)))
        elif f.type is FieldType.STRING:
            parts.append(b"%s=%s\n" % (name, f.value))
        else:
            parts.append(b"(%d)%s=%s\n" % (f.type, name, base64.b64encode(f.value)))
    return b"".join(parts)
