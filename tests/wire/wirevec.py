"""Helpers for the wire tests: the recorded vectors and the HOWTO keys (import as ``wirevec``).

Every file in ``tests/wire/vectors`` was recorded from the real Heartbeat 3.0.6 daemon
(see that folder's README); ``EXPECTED_FILES`` pins how many there are, so a lost file
fails a test instead of shrinking a parametrisation.
"""

from __future__ import annotations

import re
from pathlib import Path

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.wire.message import FieldType

VECTORS = Path(__file__).resolve().parent / "vectors"
SECRET = b"PutYourSuperSecretKeyHere"
WRONG_KEY_VECTOR = "23-status-wrongkey-server2.bin"
WRONG_KEY_SECRET = b"SomethingElseEntirely"
DATAGRAMS = 24  # NN-*.bin, each with its NN-*.txt description
MSGFMT_NETSTRING = 2  # msgfmt-netstring-*.bin (a daemon configured so), with a .txt each
COMPRESSED = 1  # compressed-*.bin (traditional_compression yes), with a .txt each
HA_LOGS = 23
INIT_SCRIPT_OUTPUTS = 3
STATE_FILES = 6
PCAPS = 3
DESCRIBED = 2 * (DATAGRAMS + MSGFMT_NETSTRING + COMPRESSED)  # each datagram with its .txt
EXPECTED_FILES = DESCRIBED + HA_LOGS + INIT_SCRIPT_OUTPUTS + STATE_FILES + PCAPS + 1


def make_keys(
    secret: bytes = SECRET, index: int = 1, method: AuthMethod = AuthMethod.SHA1
) -> AuthKeys:
    """An AuthKeys with a single active key."""
    return AuthKeys(Path("authkeys"), index, {index: AuthKey(index, method, secret)})


def authkeys_file(folder: Path) -> Path:
    """An authkeys file in ``folder`` with the HOWTO's key (for ``hbtui decode --authkeys``)."""
    path = folder / "authkeys"
    path.write_text(f"auth 1\n1 sha1 {SECRET.decode()}\n")
    return path


def secret_for(name: str) -> bytes:
    """The key that signed a vector file."""
    return WRONG_KEY_SECRET if name == WRONG_KEY_VECTOR else SECRET


def datagram_vectors() -> list[Path]:
    """The recorded datagrams (``NN-*.bin``)."""
    return sorted(VECTORS.glob("[0-9][0-9]-*.bin"))


def msgfmt_netstring_vectors() -> list[Path]:
    """Datagrams of a daemon configured ``msgfmt netstring`` (no ``auth`` field)."""
    return sorted(VECTORS.glob("msgfmt-netstring-*.bin"))


FIELD = re.compile(r"^  \((\d)\) ([^=]+)=(.*)$")


def described_fields(text: str) -> list[tuple[FieldType, str, str]]:
    """The ``(type) name=value`` lines of a ``.txt`` description, in wire order."""
    fields = []
    for line in text.splitlines():
        if m := FIELD.match(line):
            fields.append((FieldType(int(m.group(1))), m.group(2), m.group(3)))
    return fields


def compressed_vectors() -> list[Path]:
    """Datagrams a daemon sent compressed (``traditional_compression yes``)."""
    return sorted(VECTORS.glob("compressed-*.bin"))


def ha_logs() -> list[Path]:
    """The real daemon's ha-log excerpts."""
    return sorted(VECTORS.glob("ha-log-*.txt"))
