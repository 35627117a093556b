"""Resource scripts run for real: line-by-line output, exit codes, timeouts, missing scripts."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import psutil
import pytest

from hbtui.adapters.scripts import (
    EXIT_NOT_EXECUTABLE,
    EXIT_NOT_FOUND,
    SubprocessScriptRunner,
    heartbeat_env,
)


def make_script(tmp_path: Path, name: str, body: str, mode: int = 0o755) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(mode)
    return path


async def test_output_lines_in_order_with_stderr_and_exit_code(tmp_path: Path) -> None:
    script = make_script(
        tmp_path,
        "res.sh",
        'echo "one $1 $2"\necho oops >&2\necho two\nprintf "no newline"\nexit 3\n',
    )
    seen: list[tuple[str, str]] = []
    result = await SubprocessScriptRunner().run(
        [str(script), "a b", "start"], "start", on_line=lambda s, line: seen.append((s, line))
    )
    assert result.argv == (str(script), "a b", "start")
    assert result.exit_code == 3 and result.rc == 3 and not result.ok and not result.timed_out
    assert result.stdout_text == "one a b start\ntwo\nno newline\n"
    assert result.stdout == ("one a b start", "two", "no newline")
    assert result.stderr == ("oops",)
    assert [line for s, line in seen if s == "stdout"] == list(result.stdout)
    assert ("stderr", "oops") in seen
    assert result.duration_ms >= 0 and result.error is None


async def test_success_and_environment(tmp_path: Path) -> None:
    script = make_script(tmp_path, "env.sh", 'echo "$HA_CURHOST $HA_DIR $LANG $1"\n')
    runner = SubprocessScriptRunner(extra_env=heartbeat_env(Path("/etc/ha.d"), "server1"))
    result = await runner.run([str(script), "status"], "status")
    assert result.ok
    assert result.stdout == ("server1 /etc/ha.d C status",)


REAL_IPADDR = Path("/etc/ha.d/resource.d/IPaddr")


@pytest.mark.skipif(not REAL_IPADDR.exists(), reason="Debian heartbeat package not installed")
async def test_real_heartbeat_ipaddr_script_runs_with_our_environment(tmp_path: Path) -> None:
    logfile = tmp_path / "ha-log"
    env = heartbeat_env(Path("/etc/ha.d"), "server1", logfile=logfile)
    runner = SubprocessScriptRunner(extra_env=env)
    # TEST-NET-1: never configured here, so the real script must say it is stopped
    result = await runner.run([str(REAL_IPADDR), "192.0.2.123/24", "status"], "status")
    assert result.error is None and not result.timed_out
    assert any("stopped" in line for line in result.stdout), result
    assert "Resource is stopped" in logfile.read_text()


async def test_lines_arrive_while_the_script_runs(tmp_path: Path) -> None:
    flag = tmp_path / "go"
    script = make_script(
        tmp_path,
        "slow.sh",
        f"echo first\nwhile [ ! -e {flag} ]; do sleep 0.02; done\necho second\n",
    )
    seen: list[str] = []

    def on_line(stream: str, line: str) -> None:
        seen.append(line)
        if line == "first":
            flag.touch()  # only possible if "first" reached us before the script ended

    result = await SubprocessScriptRunner().run([str(script), "start"], "start", on_line=on_line)
    assert result.ok and seen == ["first", "second"]


async def test_hanging_script_is_killed_with_partial_output(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = make_script(
        tmp_path,
        "hang.sh",
        f"echo starting\necho half >&2\nsleep 300 &\necho $! > {pidfile}\nwait\necho never\n",
    )
    start = time.monotonic()
    result = await SubprocessScriptRunner(kill_grace_s=0.2).run(
        [str(script), "start"], "start", timeout_s=0.5
    )
    elapsed = time.monotonic() - start
    assert result.timed_out and not result.ok
    assert result.stdout == ("starting",) and result.stderr == ("half",)
    assert 0.5 <= elapsed < 3.0
    assert 500 <= result.duration_ms < 3000
    assert "timed out" in result.describe()
    child = int(pidfile.read_text())
    # the background sleep was in the script's process group: it is gone (or a zombie)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"


async def test_term_ignoring_script_gets_sigkill(tmp_path: Path) -> None:
    script = make_script(tmp_path, "stubborn.sh", "trap '' TERM\necho up\nsleep 300\n")
    result = await SubprocessScriptRunner(kill_grace_s=0.2).run(
        [str(script), "stop"], "stop", timeout_s=0.3
    )
    assert result.timed_out and result.stdout == ("up",)
    assert result.signal == 9 and result.rc == 137 and result.exit_code is None


async def test_daemonising_start_does_not_block(tmp_path: Path) -> None:
    pidfile = tmp_path / "daemon.pid"
    script = make_script(tmp_path, "daemon.sh", f"sleep 30 &\necho $! > {pidfile}\necho ok\n")
    try:
        start = time.monotonic()
        result = await SubprocessScriptRunner().run([str(script), "start"], "start", timeout_s=10)
        assert result.ok and result.stdout == ("ok",)
        assert time.monotonic() - start < 3.0
    finally:
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), 9)


async def test_missing_and_non_executable_scripts_fail_cleanly(tmp_path: Path) -> None:
    runner = SubprocessScriptRunner()
    missing = await runner.run([str(tmp_path / "nope.sh"), "start"], "start")
    assert missing.exit_code == EXIT_NOT_FOUND and not missing.ok
    assert missing.error is not None and "not found" in missing.error
    plain = make_script(tmp_path, "plain.sh", "echo hi\n", mode=0o644)
    result = await runner.run([str(plain), "status"], "status")
    assert result.exit_code == EXIT_NOT_EXECUTABLE and "not executable" in (result.error or "")
    (tmp_path / "dir").mkdir()
    result = await runner.run([str(tmp_path / "dir"), "status"], "status")
    assert result.exit_code == EXIT_NOT_EXECUTABLE


async def test_bad_interpreter_is_a_failed_result(tmp_path: Path) -> None:
    script = tmp_path / "bad.sh"
    script.write_text("#!/nonexistent/interpreter\necho hi\n")
    script.chmod(0o755)
    result = await SubprocessScriptRunner().run([str(script), "start"], "start")
    assert not result.ok and result.error is not None


async def test_timeout_is_chosen_by_operation(tmp_path: Path) -> None:
    script = make_script(tmp_path, "slowstatus.sh", "sleep 300\n")
    runner = SubprocessScriptRunner(timeouts_s={"status": 0.3, "start": 60}, kill_grace_s=0.1)
    result = await runner.run([str(script), "status"], "status")
    assert result.timed_out and result.duration_ms < 3000


async def test_cancelling_the_call_kills_the_script(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = make_script(tmp_path, "forever.sh", f"echo $$ > {pidfile}\nexec sleep 300\n")
    task = asyncio.create_task(SubprocessScriptRunner().run([str(script), "start"], "start"))
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.01)
    pid = int(pidfile.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
