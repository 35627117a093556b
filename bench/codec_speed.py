"""Time the wire codec on a typical keepalive (vector 03, a 312-byte status).

    python3 bench/codec_speed.py [--rounds 20000]

Prints microseconds per call for netstring decode, encode, unseal (decode + HMAC-SHA1
check of the trailer), seal, and Acceptor.accept. The goal for decode is well under 50 µs.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.wire import netstring, packet
from hbtui.wire.accept import Acceptor

VECTOR = Path(__file__).resolve().parent.parent / "tests/wire/vectors/03-status-active-server1.bin"
KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, b"PutYourSuperSecretKeyHere")})


def best_us(func: object, rounds: int) -> float:
    """Best of five runs, microseconds per call."""
    timer = timeit.Timer(func)  # type: ignore[arg-type]
    return min(timer.repeat(repeat=5, number=rounds)) / rounds * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    rounds = parser.parse_args().rounds
    data = VECTOR.read_bytes()
    msg, body, _ = packet.split(data)
    stripped = msg.without("auth")

    def accept() -> None:
        Acceptor("server2", ("server1", "server2"), KEYS).accept(data, ("192.168.10.1", 694))

    figures = {
        "netstring.decode (body)": lambda: netstring.decode(body),
        "netstring.encode": lambda: netstring.encode(msg),
        "packet.unseal (decode + sha1 trailer)": lambda: packet.unseal(data, KEYS),
        "packet.seal (auth field + trailer)": lambda: packet.seal(stripped, KEYS),
        "Acceptor.accept (fresh acceptor)": accept,
    }
    print(f"keepalive: {len(data)} bytes, {len(msg.fields)} fields; best of 5 x {rounds}")
    for name, func in figures.items():
        print(f"  {name:40s} {best_us(func, rounds):7.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
