"""Helpers for the wire tests: the recorded vectors and the HOWTO keys (import as ``wirevec``).

Every file in ``tests/wire/vectors`` was recorded from the real Heartbeat 3.0.6 daemon
(see that folder's README); ``EXPECTED_FILES`` pins how many there are, so a lost file
fails a test instead of shrinking a parametrisation.
"""

from __future__ import annotations

from pathlib import Path

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod

VECTORS = Path(__file__).resolve().parent / "vectors"
SECRET = b"PutYourSuperSecretKeyHere"
WRONG_KEY_VECTOR = "23-status-wrongkey-server2.bin"
WRONG_KEY_SECRET = b"SomethingElseEntirely"
DATAGRAMS = 24  # NN-*.bin, each with its NN-*.txt description
HA_LOGS = 17
INIT_SCRIPT_OUTPUTS = 3
STATE_FILES = 6
PCAPS = 3
EXPECTED_FILES = 2 * DATAGRAMS + HA_LOGS + INIT_SCRIPT_OUTPUTS + STATE_FILES + PCAPS + 1


def make_keys(
    secret: bytes = SECRET, index: int = 1, method: AuthMethod = AuthMethod.SHA1
) -> AuthKeys:
    """An AuthKeys with a single active key."""
    return AuthKeys(Path("authkeys"), index, {index: AuthKey(index, method, secret)})


def secret_for(name: str) -> bytes:
    """The key that signed a vector file."""
    return WRONG_KEY_SECRET if name == WRONG_KEY_VECTOR else SECRET


def datagram_vectors() -> list[Path]:
    """The recorded datagrams (``NN-*.bin``)."""
    return sorted(VECTORS.glob("[0-9][0-9]-*.bin"))


def ha_logs() -> list[Path]:
    """The real daemon's ha-log excerpts."""
    return sorted(VECTORS.glob("ha-log-*.txt"))
