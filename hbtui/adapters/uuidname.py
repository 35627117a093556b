"""``uuidfrom nodename``: the uuid Heartbeat 3.0.6 derives from the node name (no hb_uuid file).

The daemon hashes the name (h = first byte, then h * 31 + byte for the rest, in 32 bits,
bytes read as C's signed ``char``), seeds glibc's ``rand()`` with the hash, draws 32 numbers
and writes each one modulo 16 as a hex digit: those 32 digits are the uuid's 16 bytes in order
(docs/protocol.md §8). glibc's generator is reproduced here (its TYPE_3 additive feedback
state of 34 words, the first 310 outputs thrown away), so every machine gets the same bytes.
"""

from __future__ import annotations

_MASK = 0xFFFFFFFF
_DISCARD = 310  # glibc throws away ten times its degree (31) at srand()


def name_hash(name: str) -> int:
    """The daemon's 32-bit string hash of ``name`` (as an unsigned seed)."""
    data = name.encode("latin-1", "replace")
    if not data:
        return 0
    signed = [b - 256 if b >= 128 else b for b in data]
    h = signed[0] & _MASK
    for byte in signed[1:]:
        h = (h * 31 + byte) & _MASK
    return h


def glibc_rand(seed: int, count: int) -> list[int]:
    """The first ``count`` values of glibc's ``rand()`` after ``srand(seed)``."""
    seed = (seed & _MASK) or 1
    state = [seed]
    word = seed - (1 << 32) if seed >= 1 << 31 else seed  # glibc keeps it in an int32_t
    for _ in range(30):
        hi = abs(word) // 127773 * (1 if word >= 0 else -1)  # C division truncates
        lo = word - hi * 127773
        word = 16807 * lo - 2836 * hi
        if word < 0:
            word += 2147483647
        state.append(word)
    state += state[:3]  # r[31..33] = r[0..2]
    out: list[int] = []
    while len(out) < count + _DISCARD:
        value = (state[-31] + state[-3]) & _MASK
        state.append(value)
        out.append(value >> 1)
        del state[0]
    return out[_DISCARD:]


def uuid_from_name(name: str) -> bytes:
    """The 16 uuid bytes the daemon uses for ``name`` under ``uuidfrom nodename``."""
    digits = "".join(f"{value % 16:x}" for value in glibc_rand(name_hash(name), 32))
    return bytes.fromhex(digits)
