"""``hbtui migrate --rehearse`` end to end (issue 18): a configuration with production
addresses is rehearsed in namespaces, on hbtui's node and migrated to real Corosync +
Pacemaker; both fail over on a kill of the home node and come back, with the figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hbtui.lab.pacemaker import pacemaker_unavailable
from tests.migrate.test_rehearse_config import production_like

from .conftest import lab_unavailable

pytestmark = pytest.mark.lab


def test_rehearsal_prints_both_clusters_figures(tmp_path: Path) -> None:
    reason = lab_unavailable() or pacemaker_unavailable()
    if reason:
        pytest.skip(reason)
    config = production_like(tmp_path)
    argv = [sys.executable, "-m", "hbtui.cli", "migrate", "--rehearse"]
    argv += ["--config-dir", str(config), "--node-name", "server1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VIP 10.20.30.40 rehearsed as 192.168.10.100" in done.stdout
    assert "failback.sh: a stand-in runs (your script never runs here)" in done.stdout
    rows = (
        "cold start",
        "idle CPU",
        "memory",
        "killed (-9, power cut) -> VIP away",
        "back -> VIP home",
    )
    for row in rows:
        line = next(x for x in done.stdout.splitlines() if row in x)
        assert len(re.findall(r"\d+\.\d\d (s|%|MiB)", line)) == 2, line
