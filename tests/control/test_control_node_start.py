"""`hbtui node` start errors about its state dir and control socket: one "cannot start:" line
naming the path and what to do, never a bare errno (issue 13 item 5)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from hbtui.commands import node as node_cmd
from hbtui.commands.node_checks import state_dir_problem

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


def node_args(tmp_path: Path, state_dir: Path, socket: Path) -> argparse.Namespace:
    config = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    parser = argparse.ArgumentParser()
    node_cmd.add_arguments(parser)
    return parser.parse_args(
        ["--config-dir", str(config), "--state-dir", str(state_dir), "--node-name", "server1",
         "--control-socket", str(socket)]
    )  # fmt: skip


@pytest.fixture(autouse=True)
def privileged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(node_cmd, "privilege_problem", lambda _state_dir: None)


def start_error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if "warning" not in line]
    assert len(lines) == 1, lines
    assert "Errno" not in lines[0]
    return lines[0]


def test_a_state_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    state.write_text("not a dir")
    assert node_cmd.run(node_args(tmp_path, state, tmp_path / "c.sock")) == 1
    assert start_error(capsys) == (
        f"hbtui node: cannot start: {state}: is not a directory; remove or move it,"
        " or give another --state-dir"
    )
    assert state.read_text() == "not a dir" and not (tmp_path / "c.sock").exists()


def test_a_state_dir_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lib").write_text("")
    state = tmp_path / "lib" / "heartbeat"
    assert node_cmd.run(node_args(tmp_path, state, tmp_path / "c.sock")) == 1
    line = start_error(capsys)
    assert line.startswith(f"hbtui node: cannot start: {state}: is under {tmp_path / 'lib'}")


def test_a_control_socket_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "run").write_text("")
    socket = tmp_path / "run" / "control.sock"
    assert node_cmd.run(node_args(tmp_path, tmp_path / "state", socket)) == 1
    line = start_error(capsys)
    assert line.startswith(f"hbtui node: cannot start: control socket {socket}: ")
    assert line.endswith("give another --control-socket")


def test_state_dir_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert state_dir_problem(tmp_path / "a" / "b") is None  # made at start
    assert state_dir_problem(tmp_path) is None
    monkeypatch.setattr("os.access", lambda _path, _mode: False)
    problem = state_dir_problem(tmp_path / "new")
    assert problem is not None and f"cannot be made in {tmp_path}, which is not writable" in problem
