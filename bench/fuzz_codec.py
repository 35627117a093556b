"""Fuzz the wire codec with mutated real datagrams; count exceptions that are not WireError.

    python3 bench/fuzz_codec.py [--cases 1000000] [--seed 1] [--workers N]

Seeds: the recorded vectors (datagrams, bodies, classic re-encodings, and each sealed
compressed, zlib and bz2 in turn, so that re-signed mutants reach the decompressors;
docs/protocol.md §2.4). Each case gets
one to four edits (bit flips, byte sets, inserts, deletes, truncation, inserted digits,
duplicated runs) and goes through netstring.decode, classic.decode, packet.unseal and
Acceptor.accept. Prints cases/s and the number of non-WireError exceptions (must be 0);
exits 1 if there was any, showing the first few inputs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hbtui.config.model import (
    AuthKey,
    AuthKeys,
    AuthMethod,
    Compression,
    CompressionName,
    MsgFormat,
)
from hbtui.wire import classic, netstring, packet
from hbtui.wire.accept import Acceptor
from hbtui.wire.errors import WireError

VECTORS = Path(__file__).resolve().parent.parent / "tests" / "wire" / "vectors"
KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, b"PutYourSuperSecretKeyHere")})
NODES = ("server1", "server2")


def seeds() -> list[bytes]:
    """Datagrams, bare bodies and classic forms of every vector."""
    out = []
    for i, path in enumerate(sorted(VECTORS.glob("*.bin"))):
        data = path.read_bytes()
        msg, body, _ = packet.split(data)
        squeeze = Compression(list(CompressionName)[i % 2], 1, traditional=True)
        out += [data, body, classic.encode(msg), packet.seal(msg, KEYS, MsgFormat.CLASSIC, squeeze)]
    return out


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to four random edits."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(buf))
        kind = rng.randrange(7)
        if kind == 0 and pos < len(buf):
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and pos < len(buf):
            buf[pos] = rng.randrange(256)
        elif kind == 2:
            buf[pos:pos] = bytes([rng.randrange(256)])
        elif kind == 3:
            del buf[pos : pos + rng.randint(1, 8)]
        elif kind == 4:
            del buf[pos:]
        elif kind == 5:
            buf[pos:pos] = str(rng.randrange(10**7)).encode()
        else:
            buf[pos:pos] = buf[pos : pos + rng.randrange(64)]
    return bytes(buf)


def _unseal(_: Acceptor, data: bytes) -> None:
    packet.unseal(data, KEYS)


def _accept(acceptor: Acceptor, data: bytes) -> None:
    acceptor.accept(data, ("192.168.10.2", 694))


def _accept_resealed(acceptor: Acceptor, data: bytes) -> None:
    """Re-signed, a mutant that still parses reaches the seq/generation rules."""
    acceptor.accept(packet.seal(netstring.decode_prefix(data)[0], KEYS), ("10.0.0.2", 1))


def run(args: tuple[int, int]) -> tuple[int, int, list[str]]:
    """Fuzz ``cases`` inputs from ``seed``; return (cases, bad, examples)."""
    cases, seed = args
    rng = random.Random(seed)
    pool = seeds()
    acceptor = Acceptor("server1", (*NODES, "server3"), KEYS)
    bad = 0
    examples: list[str] = []
    for _ in range(cases):
        data = mutate(rng, rng.choice(pool))
        for step in (netstring.decode, classic.decode):
            try:
                step(data)
            except WireError:
                pass
            except Exception as exc:  # the point of the bench: anything else is a bug
                bad += 1
                if len(examples) < 5:
                    examples.append(f"{step.__module__}: {exc!r} on {data!r}")
        for step in (_unseal, _accept, _accept_resealed):
            try:
                step(acceptor, data)
            except WireError:
                pass
            except Exception as exc:
                bad += 1
                if len(examples) < 5:
                    examples.append(f"{step.__name__}: {exc!r} on {data!r}")
    return cases, bad, examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    opts = parser.parse_args()
    workers = max(1, min(opts.workers, opts.cases))
    shares = [(opts.cases // workers + (i < opts.cases % workers), opts.seed * 1000 + i)
              for i in range(workers)]  # fmt: skip
    start = time.perf_counter()
    if workers == 1:
        results = [run(shares[0])]
    else:
        with multiprocessing.Pool(workers) as pool:
            results = pool.map(run, shares)
    elapsed = time.perf_counter() - start
    cases = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    rate = cases / elapsed
    print(f"{cases} cases in {elapsed:.1f} s with {workers} worker(s): {rate:,.0f} cases/s")
    print(f"non-WireError exceptions: {bad}")
    for example in [e for r in results for e in r[2]][:5]:
        print("  " + example[:300])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
