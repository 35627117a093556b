"""Hypothesis: any bytes give a Message or WireError, never another exception.

Inputs are seeded from the recorded vectors and mutated (flips, insertions, deletions,
truncations, length-prefix edits), plus wholly generated messages and raw bytes. The
example counts add up to more than 100,000 per run (see FUZZ_TOTAL) while the file
stays well under a minute.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wirevec import compressed_vectors, datagram_vectors, make_keys

from hbtui.config.model import Compression, CompressionName, MsgFormat
from hbtui.wire import classic, netstring, packet
from hbtui.wire.accept import Acceptor
from hbtui.wire.errors import WireError
from hbtui.wire.message import Field, FieldType, Message

SEEDS = [p.read_bytes() for p in datagram_vectors()]
BODIES = [packet.split(s)[1] for s in SEEDS]
# the recorded messages as classic text: their auth field signs them (issue 16), half of
# them with the NUL that older daemons sent after the text
CLASSICS = [classic.encode(packet.split(s)[0]) + b"\0" * (i % 2) for i, s in enumerate(SEEDS)]
KEYS = make_keys()
# compressed datagrams (docs/protocol.md §2.4): the recorded ones, and every vector sealed
# compressed with zlib and bz2; re-signed mutants reach the decompressors
_SQUEEZE = [Compression(name, 1, traditional=True) for name in CompressionName]
COMPRESSED = [p.read_bytes() for p in compressed_vectors()] + [
    packet.seal(packet.split(s)[0], KEYS, MsgFormat.CLASSIC, _SQUEEZE[i % 2])
    for i, s in enumerate(SEEDS)
]
PEER = ("192.168.10.2", 694)
RESEALED = Acceptor("server1", ("server1", "server2", "server3"), KEYS)

# Shrinkable examples (one input each) and seeded batches (BATCH inputs per example:
# Hypothesis draws the seed, random.Random derives the mutants; this keeps the file fast).
EXPLICIT = 3_000
BATCH = 14
BATCH_EXAMPLES = 3_000  # per seed family: datagrams, bodies, classic
COMPRESSED_EXAMPLES = 1_000  # the compressed family: slower (each mutant decompresses)
RAW = 3_000
GENERATED = 1_500
FUZZ_TOTAL = EXPLICIT + (3 * BATCH_EXAMPLES + COMPRESSED_EXAMPLES) * BATCH + RAW + GENERATED
assert FUZZ_TOTAL >= 100_000

FAST = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}
KINDS = ["flip", "set", "insert", "delete", "truncate", "digit", "dup"]

_mutation = st.tuples(
    st.sampled_from(KINDS),
    st.integers(min_value=0, max_value=1 << 16),
    st.integers(min_value=0, max_value=255),
)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with one to four random edits."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for kind, where, value in draw(st.lists(_mutation, min_size=1, max_size=4)):
        edit(data, kind, where, value)
    return bytes(data)


def edit(data: bytearray, kind: str, where: int, value: int) -> None:
    """Apply one mutation in place."""
    pos = where % (len(data) + 1)
    if kind == "flip" and pos < len(data):
        data[pos] ^= 1 << (value % 8)
    elif kind == "set" and pos < len(data):
        data[pos] = value
    elif kind == "insert":
        data[pos:pos] = bytes([value])
    elif kind == "delete":
        del data[pos : pos + 1 + value % 8]
    elif kind == "truncate":
        del data[pos:]
    elif kind == "digit":
        data[pos:pos] = str(value * 997).encode()
    elif kind == "dup":
        data[pos:pos] = data[pos : pos + value]


def batch(seeds: list[bytes], seed: int) -> list[bytes]:
    """BATCH mutants derived deterministically from ``seed``."""
    rng = random.Random(seed)
    out = []
    for _ in range(BATCH):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            edit(data, rng.choice(KINDS), rng.getrandbits(16), rng.getrandbits(8))
        out.append(bytes(data))
    return out


def check_all(data: bytes) -> None:
    """Every entry point on the same bytes: Message/verdict or WireError only."""
    for decode in (netstring.decode, classic.decode):
        try:
            msg = decode(data)
        except WireError as exc:
            assert exc.reason
        else:
            encode = netstring.encode if decode is netstring.decode else classic.encode
            assert encode(msg) == data
    try:
        packet.unseal(data, KEYS)
    except packet.PacketRejected as exc:
        assert exc.detail
    verdict = Acceptor("server1", ("server1", "server2"), KEYS).accept(data, PEER)
    assert verdict.ok or verdict.reason is not None
    try:
        msg = netstring.decode_prefix(data)[0]
    except WireError:
        return
    # re-signed, the mutant reaches the sequence/generation rules of a long-lived acceptor
    verdict = RESEALED.accept(packet.seal(msg, KEYS), PEER)
    assert verdict.ok or verdict.reason is not None


@settings(max_examples=EXPLICIT, **FAST)  # type: ignore[arg-type]
@given(mutated(SEEDS + BODIES + CLASSICS))
def test_mutated_inputs(data: bytes) -> None:
    check_all(data)


@pytest.mark.parametrize("family", ["datagrams", "bodies", "classic", "compressed"])
def test_mutation_batches(family: str) -> None:
    families = {"datagrams": SEEDS, "bodies": BODIES, "classic": CLASSICS}
    seeds = {**families, "compressed": COMPRESSED}[family]
    examples = COMPRESSED_EXAMPLES if family == "compressed" else BATCH_EXAMPLES

    @settings(max_examples=examples, **FAST)  # type: ignore[arg-type]
    @given(st.integers(min_value=0, max_value=2**32))
    def run(seed: int) -> None:
        for data in batch(seeds, seed):
            check_all(data)

    run()


@settings(max_examples=RAW, **FAST)  # type: ignore[arg-type]
@given(st.binary(max_size=64).map(lambda b: b"###\n" + b) | st.binary(max_size=64))
def test_raw_bytes(data: bytes) -> None:
    check_all(data)


_names = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="=()"),
    max_size=8,
)
_leaf = st.builds(
    Field,
    _names,
    st.binary(max_size=24),
    st.sampled_from([t for t in FieldType if t is not FieldType.STRUCT]),
)
_messages = st.recursive(
    st.lists(_leaf, max_size=5).map(lambda fs: Message(tuple(fs))),
    lambda inner: st.lists(
        _leaf | st.builds(Field, _names, inner, st.just(FieldType.STRUCT)), max_size=4
    ).map(lambda fs: Message(tuple(fs))),
    max_leaves=12,
)


@settings(max_examples=GENERATED, **FAST)  # type: ignore[arg-type]
@given(_messages)
def test_generated_messages_round_trip(msg: Message) -> None:
    body = netstring.encode(msg)
    assert netstring.decode(body) == msg
    sealed = packet.seal(msg, KEYS)
    assert packet.unseal(sealed, KEYS) == packet.split(sealed)[0]
    try:
        text = classic.encode(msg)
    except WireError:
        return  # newlines in strings: classic cannot carry them
    assert classic.decode(text) == msg
