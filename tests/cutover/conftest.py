"""The HOWTO configuration, copied with authkeys at 0600 as the reader wants it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


@pytest.fixture
def howto(tmp_path: Path) -> Path:
    """A copy of the HOWTO /etc/ha.d."""
    copy = tmp_path / "ha.d"
    shutil.copytree(HOWTO, copy)
    (copy / "authkeys").chmod(0o600)
    return copy
