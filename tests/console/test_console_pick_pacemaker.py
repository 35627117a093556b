"""``hbtui console`` finds Corosync + Pacemaker by asking crm_mon (a stand-in on PATH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.commands.console import _pacemaker_here
from tests.crm.helpers import CAPTURES


def stand_in(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crm_mon"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (f"exec /bin/cat {CAPTURES / 'placed.xml'}", True),
        ("echo 'crm_mon: Connection to cluster failed' >&2; exit 102", False),
        ("echo 'not xml <'", False),
    ],
    ids=["a cluster answers", "no cluster", "garbage"],
)
def test_pacemaker_is_found_only_when_crm_mon_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, found: bool
) -> None:
    monkeypatch.setenv("PATH", str(stand_in(tmp_path, body)))
    assert _pacemaker_here() is found
