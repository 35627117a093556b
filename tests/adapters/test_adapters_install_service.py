"""``hbtui install-service``: the unit runs this hbtui by absolute path and passes
``systemd-analyze verify``; the packaged copies in packaging/ are the same files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.commands.install_service import render_unit, this_program

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["hbtui.service", "hbtui.logrotate"])
def test_packaging_copies_are_the_package_data(name: str) -> None:
    assert (REPO / "packaging" / name).read_text() == (REPO / "hbtui" / "data" / name).read_text()


def test_the_unit_names_this_hbtui_by_absolute_path() -> None:
    program = this_program()
    assert program.startswith("/") and Path(program.split()[0]).exists()
    assert Path(sys.executable).parent in Path(program.split()[0]).parents
    unit = render_unit(program)
    assert f"ExecStart={program} node --config-dir /etc/ha.d" in unit
    assert "/usr/bin/env" not in unit


def test_install_writes_unit_and_logrotate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units, rotate = tmp_path / "system", tmp_path / "logrotate.d"
    argv = ["install-service", "--unit-dir", str(units), "--logrotate-dir", str(rotate)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"wrote {units / 'hbtui.service'}" in out and "systemctl enable --now hbtui" in out
    assert (units / "hbtui.service").read_text() == render_unit(this_program())
    assert (units / "hbtui.service").stat().st_mode & 0o777 == 0o644
    assert "/var/log/ha-log" in (rotate / "hbtui").read_text()


def test_a_relative_program_or_an_unwritable_dir_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-service", "--program", "hbtui", "--print"]) == 2
    assert "must be an absolute path" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["install-service", "--unit-dir", str(blocker / "x"), "--logrotate-dir", ""]
    assert main(argv) == 1
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_installed_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    assert main(["install-service", "--unit-dir", str(tmp_path), "--logrotate-dir", ""]) == 0
    unit = tmp_path / "hbtui.service"
    # the condition is about the machine's /etc/ha.d, not the unit's correctness
    unit.write_text(unit.read_text().replace("ConditionPathExists=/etc/ha.d/ha.cf\n", ""))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="no logrotate")
def test_logrotate_rotates_the_ha_log_with_the_shipped_rules(tmp_path: Path) -> None:
    log = tmp_path / "ha-log"
    log.write_text("heartbeat[1]: 2026/12/05_10:00:00 info: a line\n")
    rules = (REPO / "packaging" / "hbtui.logrotate").read_text()
    rules = rules.replace("/var/log/ha-log /var/log/ha-debug", f"{log} {tmp_path / 'ha-debug'}")
    rules = rules.replace("create 0640 root adm", "create 0640 root root")
    conf = tmp_path / "hbtui.conf"
    conf.write_text(rules)
    done = subprocess.run(
        ["logrotate", "--force", "--state", str(tmp_path / "state"), str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ha-log.1").read_text().endswith("a line\n")  # delaycompress
    assert log.exists() and log.read_text() == ""
