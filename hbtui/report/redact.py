"""authkeys without its keys: each key replaced by the first 12 hex of its sha256.

The digest says whether two nodes share a key (and which one) without revealing it. Lines
that are not key lines (``auth N``, comments) are kept; anything that does not parse as a
key line is dropped and counted, so a malformed file can never leak a secret.
"""

from __future__ import annotations

import hashlib

DIGEST_HEX = 12
METHODS = ("sha1", "md5", "crc")


def redact_authkeys(text: str) -> tuple[str, int]:
    """(``text`` with every key replaced, how many lines were dropped)."""
    out, dropped = [], 0
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            out.append(line)
        elif words[0] == "auth" and len(words) == 2 and words[1].isdigit():
            out.append(f"auth {words[1]}")
        elif len(words) >= 2 and words[0].isdigit() and words[1].lower() in METHODS:
            key = " ".join(words[2:]).encode("utf-8", "surrogateescape")
            digest = hashlib.sha256(key).hexdigest()[:DIGEST_HEX] if key else "(no key)"
            out.append(f"{words[0]} {words[1]} sha256:{digest}")
        else:
            dropped += 1
            out.append("# (a line that is not a key line was left out)")
    return "\n".join(out) + ("\n" if out else ""), dropped


def key_texts(text: str) -> set[str]:
    """The key strings of an authkeys text (to scrub from everything else)."""
    keys = set()
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0].isdigit() and words[1].lower() in METHODS:
            keys.add(" ".join(words[2:]))
    return {k for k in keys if len(k) >= 4}  # a 1-3 character "key" would scrub everything


def scrub(text: str, secrets: set[str]) -> str:
    """``text`` with every secret replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "[key removed]")
    return text
