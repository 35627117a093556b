"""Fixtures for the configuration tests: a private copy of the bundled HOWTO cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


def copy_howto(dest: Path) -> Path:
    """The HOWTO configuration copied to ``dest`` with authkeys at mode 600."""
    shutil.copytree(HOWTO, dest)
    (dest / "authkeys").chmod(0o600)
    return dest


@pytest.fixture
def howto(tmp_path: Path) -> Path:
    """A writable copy of the HOWTO configuration directory."""
    return copy_howto(tmp_path / "ha.d")
