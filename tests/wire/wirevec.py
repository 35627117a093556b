"""Helpers for the wire tests: the recorded vectors and the HOWTO keys (import as ``wirevec``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod

REPO = Path(__file__).resolve().parents[2]
SHARED_VECTORS = (REPO / "../shared/vectors/heartbeat-3.0.6").resolve()
LOCAL_VECTORS = Path(__file__).resolve().parent / "vectors"
SECRET = b"PutYourSuperSecretKeyHere"
WRONG_KEY_VECTOR = "23-status-wrongkey-server2.bin"
WRONG_KEY_SECRET = b"SomethingElseEntirely"


def make_keys(
    secret: bytes = SECRET, index: int = 1, method: AuthMethod = AuthMethod.SHA1
) -> AuthKeys:
    """An AuthKeys with a single active key."""
    return AuthKeys(Path("authkeys"), index, {index: AuthKey(index, method, secret)})


def secret_for(name: str) -> bytes:
    """The key that signed a vector file."""
    return WRONG_KEY_SECRET if name == WRONG_KEY_VECTOR else SECRET


def local_vectors() -> list[Path]:
    """The .bin vectors committed beside the tests (never absent)."""
    return sorted(LOCAL_VECTORS.glob("*.bin"))


def vector_params() -> list[object]:
    """Every vector, committed copies and the shared folder (skipped when absent)."""
    params: list[object] = [pytest.param(p, id=f"local-{p.stem[:2]}") for p in local_vectors()]
    if SHARED_VECTORS.is_dir():
        params += [
            pytest.param(p, id=f"shared-{p.stem[:2]}") for p in sorted(SHARED_VECTORS.glob("*.bin"))
        ]
    else:
        params.append(
            pytest.param(
                None,
                id="shared-absent",
                marks=pytest.mark.skip(reason=f"shared vectors not found at {SHARED_VECTORS}"),
            )
        )
    return params
