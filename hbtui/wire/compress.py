"""Whole-message compression, as cluster-glue 1.0.12 puts it on the wire (docs/protocol.md §2.4).

A compressed datagram is an ordinary signed netstring message of two fields: the binary
``_compressed_payload`` (the original message, encoded without its trailer, then compressed)
and the string ``_compression_algorithm`` (``zlib`` or ``bz2``). The original is the classic
text with its C string's NUL under ``msgfmt classic``, the netstring body under ``msgfmt
netstring``. ``expand`` undoes it with a bound on the expanded size; ``pack`` does it
(``packet.seal`` decides when, by ha.cf's ``Compression``). Every failure is a WireError
(kind ``oversized`` past the bound, else ``garbage``).
"""

from __future__ import annotations

import bz2
import zlib

from hbtui.config.model import CompressionName as Algorithm
from hbtui.wire import classic, netstring
from hbtui.wire.errors import WireError
from hbtui.wire.limits import MAX_DATAGRAM
from hbtui.wire.message import Field, FieldType, Message

PAYLOAD_FIELD = "_compressed_payload"
ALGORITHM_FIELD = "_compression_algorithm"
# The expanded message may be at most a datagram's size: R1 traffic never comes near, the
# daemon's own bound (2 MiB) only matters to Pacemaker-sized messages.
MAX_EXPANDED = MAX_DATAGRAM
BZ2_LEVEL = 1  # the bz2 plugin's block size (100 kB units)


def is_compressed(msg: Message) -> bool:
    """Whether ``msg`` is a compressed wrapper (it has the payload field)."""
    return PAYLOAD_FIELD in msg


def expand(msg: Message) -> Message:
    """The message a compressed wrapper carries; WireError if anything is wrong."""
    payload = msg.field(PAYLOAD_FIELD)
    if payload is None or payload.type is not FieldType.BINARY:
        raise WireError(f"{PAYLOAD_FIELD} missing or not binary")
    name = msg.get(ALGORITHM_FIELD)
    if name is None:
        raise WireError(f"compressed message without {ALGORITHM_FIELD}")
    if name not in tuple(Algorithm):
        raise WireError(f"unknown compression algorithm {name[:40]!r}")
    assert isinstance(payload.value, bytes)  # BINARY fields hold bytes
    raw = _inflate(Algorithm(name), payload.value)
    if raw.startswith(classic.HEAD):
        inner = classic.decode(raw[:-1] if raw.endswith(b"\0") else raw)
    else:
        inner = netstring.decode(raw)
    if is_compressed(inner):
        raise WireError("a compressed message inside a compressed message")
    return inner


def _inflate(algorithm: Algorithm, data: bytes) -> bytes:
    """Decompress one complete stream, never producing more than MAX_EXPANDED + 1 bytes."""
    engine: zlib._Decompress | bz2.BZ2Decompressor
    engine = zlib.decompressobj() if algorithm is Algorithm.ZLIB else bz2.BZ2Decompressor()
    try:
        out = engine.decompress(data, MAX_EXPANDED + 1)
    except (zlib.error, OSError, EOFError, ValueError) as exc:
        raise WireError(f"{algorithm} payload does not decompress: {exc}") from exc
    if len(out) > MAX_EXPANDED:
        raise WireError(f"{algorithm} payload expands past {MAX_EXPANDED} bytes", "oversized")
    if not engine.eof:
        raise WireError(f"{algorithm} payload ends inside its stream")
    if engine.unused_data:
        raise WireError(f"{len(engine.unused_data)} byte(s) after the {algorithm} stream")
    return out


def _deflate(algorithm: Algorithm, data: bytes) -> bytes:
    """Compress as the plugin does (zlib's default level; bz2 with 100 kB blocks)."""
    if algorithm is Algorithm.ZLIB:
        return zlib.compress(data)
    return bz2.compress(data, BZ2_LEVEL)


def pack(encoded: bytes, algorithm: Algorithm) -> Message:
    """The wrapper carrying ``encoded`` (a message already in its untrailered wire form)."""
    return Message(
        (
            Field(PAYLOAD_FIELD, _deflate(algorithm, encoded), FieldType.BINARY),
            Field(ALGORITHM_FIELD, algorithm.value.encode()),
        )
    )
