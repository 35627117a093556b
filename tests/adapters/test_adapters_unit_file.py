"""The packaged unit (hbtui/data/hbtui.service) passes systemd-analyze verify and never
SIGKILLs a node."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "hbtui.service"


def test_unit_never_kills_and_starts_after_drbd() -> None:
    text = UNIT.read_text()
    assert "SendSIGKILL=no" in text
    assert "drbd.service" in text
    assert "EnvironmentFile=-/etc/default/hbtui" in text
    stop = next(int(x.split("=")[1]) for x in text.splitlines() if x.startswith("TimeoutStopSec"))
    assert stop > 2 * 121


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    unit = tmp_path / "hbtui.service"
    text = UNIT.read_text().replace("/usr/local/bin/hbtui", "/bin/true")
    unit.write_text(text.replace("ConditionPathExists=/etc/ha.d/ha.cf\n", ""))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
