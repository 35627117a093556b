"""The generated LSB wrapper, run for real with sh against scripts in a temporary directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hbtui.migrate.lsb_wrapper import wrapper_text
from hbtui.migrate.model import LsbWrapper

SCRIPT = """#!/bin/sh
echo "$@" >> {log}
if [ "$1" = status ] || [ "$3" = status ]; then printf '%s\\n' {status}; fi
exit {rc}
"""


def make(tmp_path: Path, status: str = "''", rc: int = 0, args: tuple[str, ...] = ()) -> Path:
    """A resource script ``res`` in a fake resource.d and its wrapper; the wrapper's path."""
    resource_d = tmp_path / "resource.d"
    resource_d.mkdir()
    script = resource_d / "res"
    script.write_text(SCRIPT.format(log=tmp_path / "calls", status=status, rc=rc))
    script.chmod(0o755)
    text = wrapper_text(
        LsbWrapper("hb-res", "res", args),
        "res",
        search=(str(resource_d), str(tmp_path / "init.d")),
        state_dir=str(tmp_path / "state"),
    )
    wrapper = tmp_path / "hb-res"
    wrapper.write_text(text)
    wrapper.chmod(0o755)
    return wrapper


def rc(wrapper: Path, action: str) -> int:
    done = subprocess.run([str(wrapper), action], capture_output=True, timeout=10, check=False)
    return done.returncode


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_silent_script_is_judged_by_what_the_wrapper_did(tmp_path: Path) -> None:
    wrapper = make(tmp_path)
    assert rc(wrapper, "status") == 3  # stopped: Pacemaker's probe must not see it running
    assert rc(wrapper, "start") == 0
    assert rc(wrapper, "status") == 0
    assert rc(wrapper, "stop") == 0
    assert rc(wrapper, "status") == 3
    assert calls(tmp_path) == ["status", "start", "status", "stop", "status"]


def test_arguments_come_first_as_heartbeat_passed_them(tmp_path: Path) -> None:
    wrapper = make(tmp_path, args=("one", "two words"))
    assert rc(wrapper, "start") == 0
    assert calls(tmp_path) == ["one two words start"]


@pytest.mark.parametrize(
    ("status", "expected"), [("running", 0), ("OK", 0), ("'not running'", 3), ("stopped", 3)]
)
def test_status_words_decide_like_heartbeat(tmp_path: Path, status: str, expected: int) -> None:
    assert rc(make(tmp_path, status=status), "status") == expected


def test_a_script_saying_not_running_is_stopped_even_after_start(tmp_path: Path) -> None:
    wrapper = make(tmp_path, status="'not running'")
    assert rc(wrapper, "start") == 0
    assert rc(wrapper, "status") == 3  # a monitor failure Pacemaker acts on


def test_failing_start_is_an_lsb_error_and_leaves_it_stopped(tmp_path: Path) -> None:
    wrapper = make(tmp_path, rc=1)
    assert rc(wrapper, "start") == 1
    assert rc(wrapper, "status") == 3


def test_missing_script(tmp_path: Path) -> None:
    text = wrapper_text(
        LsbWrapper("hb-gone", "gone", ()),
        "gone",
        search=(str(tmp_path),),
        state_dir=str(tmp_path / "state"),
    )
    wrapper = tmp_path / "hb-gone"
    wrapper.write_text(text)
    wrapper.chmod(0o755)
    assert rc(wrapper, "status") == 3
    assert rc(wrapper, "stop") == 0
    assert rc(wrapper, "start") == 1
    assert rc(wrapper, "bogus") == 2
