"""hbtui node's start checks and --quiet stderr: non-root refusal, warnings with priorities."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hbtui.adapters.stderrlog import quiet_echo

REPO = Path(__file__).resolve().parents[2]
HOWTO = REPO / "hbtui" / "data" / "howto"


def test_quiet_echo_passes_warnings_and_worse_with_priority_prefixes() -> None:
    out = io.StringIO()
    echo = quiet_echo(out, {"JOURNAL_STREAM": "8:1"})
    for level in ("info", "WARN", "ERROR", "CRIT", "debug"):
        print(f"Dec 05 02:00:00 s1 heartbeat: [7]: {level}: x", file=echo, flush=True)
    print("2026/12/05_02:00:00  ResourceManager(default)[7]:    ERROR: stop failed", file=echo)
    assert out.getvalue().splitlines() == [
        "<4>Dec 05 02:00:00 s1 heartbeat: [7]: WARN: x",
        "<3>Dec 05 02:00:00 s1 heartbeat: [7]: ERROR: x",
        "<2>Dec 05 02:00:00 s1 heartbeat: [7]: CRIT: x",
        "<3>2026/12/05_02:00:00  ResourceManager(default)[7]:    ERROR: stop failed",
    ]


def test_quiet_echo_without_systemd_has_no_prefix() -> None:
    out = io.StringIO()
    print("a heartbeat: [7]: WARN: x", file=quiet_echo(out, {}))
    assert out.getvalue() == "a heartbeat: [7]: WARN: x\n"


NOBODY = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
NO_CAPS = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]


def _nobody_can_import() -> bool:
    probe = [*NOBODY, sys.executable, "-c", "import pyroute2, hbtui.cli"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(probe, capture_output=True, env=env, timeout=60).returncode == 0


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root")
@pytest.mark.parametrize("as_user", ["nobody", "root-without-caps"])
def test_unprivileged_node_says_it_needs_root_once(tmp_path: Path, as_user: str) -> None:
    if as_user == "nobody" and not _nobody_can_import():
        pytest.skip("the Python environment is not readable by nobody")
    drop = NOBODY if as_user == "nobody" else NO_CAPS
    config = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    os.chmod(tmp_path, 0o755)
    done = subprocess.run(
        [
            *drop,
            sys.executable,
            "-m",
            "hbtui.cli",
            "node",
            "--config-dir",
            str(config),
            "--state-dir",
            str(tmp_path / "state"),
            "--node-name",
            "server1",
            "--control-socket",
            str(tmp_path / "c.sock"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1, done.stderr
    refusals = [line for line in done.stderr.splitlines() if "cannot start:" in line]
    assert len(refusals) == 1, done.stderr
    assert "needs root" in refusals[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="hbtui node checks for root first")
def test_a_broken_hbtui_conf_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """hbtui.conf is checked with ha.cf, before a socket or the state dir is touched (it
    used to raise from inside the runtime's start)."""
    from hbtui.cli import main

    config = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    (config / "hbtui.conf").write_text("split_brain_probe = sometimes\n")
    state = tmp_path / "state"
    argv = ["node", "--config-dir", str(config), "--state-dir", str(state), "--node-name",
            "server1", "--control-socket", str(tmp_path / "c.sock")]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{config / 'hbtui.conf'}:1: error: split_brain_probe is off or a time" in err
    assert "1 error(s) in hbtui.conf; node not started" in err
    assert not state.exists() and not (tmp_path / "c.sock").exists()
