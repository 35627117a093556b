"""ha.cf ``respawn`` clients in a node runtime (issue 16): started when the node goes active,
run as their user with the daemon's environment, output and exits in ha-log, respawned by
Heartbeat's rule until it gives up, stopped last first at shutdown (SIGTERM, then SIGKILL),
never left behind."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rtkit import Lan, Member, make_member, wait_for

from hbtui.adapters.childio import group_alive
from hbtui.commands import status as status_cmd
from hbtui.config.model import RespawnClient
from hbtui.engine.respawn import RespawnRule

ME = pwd.getpwuid(os.geteuid()).pw_name
RULE = RespawnRule(max_quick_runs=2, quick_pause_ms=50)  # Heartbeat's: 10 and 1000 ms
WAIT_S = 8.0


def script(where: Path, name: str, body: str) -> Path:
    path = where / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def member(tmp_path: Path, *clients: RespawnClient, **options: Any) -> Member:
    runtime_options = {"respawn_rule": RULE, "client_stop_s": 0.3, **options}
    return make_member(
        "server1", Lan(), tmp_path, runtime_options=runtime_options, ha_cf={"respawn": clients}
    )


def clients(m: Member) -> list[dict[str, Any]]:
    return list(m.runtime.snapshot()["respawn"])


def ha_log(m: Member) -> str:
    return (m.logdir / "ha-log").read_text()


def pid_in(path: Path) -> int | None:
    text = path.read_text().strip() if path.exists() else ""
    return int(text) if text.isdigit() else None


async def test_a_client_that_exits_is_respawned_logged_and_given_up(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    body = 'echo $$ >> "$1"\necho "hello from $$ on $HA_CURHOST"\necho "trouble $$" >&2\nexit 3\n'
    flaky = RespawnClient(ME, f"{script(tmp_path, 'flaky', body)} {pids}", 16)
    one = member(tmp_path, flaky)
    await one.runtime.start()
    try:
        assert clients(one)[0]["state"] == "waiting" and not pids.exists()
        await wait_for(lambda: clients(one)[0]["state"] == "given-up", WAIT_S)
        ran = pids.read_text().split()
        assert len(ran) == 3 and len(set(ran)) == 3  # the first run and two respawns
        text = ha_log(one)
        assert text.index("Comm_now_up()") < text.index(f'Starting child client "{flaky.command}"')
        for pid in ran:
            assert f"Managed {flaky.command} process {pid} exited with return code 3." in text
            assert f"flaky({pid})[{one.runtime.pid}]:    info: hello from {pid} on server1" in text
            assert f"flaky({pid})[{one.runtime.pid}]:    WARN: trouble {pid}" in text
            assert f'Starting "{flaky.command}" as uid {os.geteuid()}  gid ' in text
        assert text.count(f'ERROR: Respawning client "{flaky.command}":') == 2
        assert text.count(f'ERROR: Client {flaky.command} "respawning too fast"') == 1
        entry = clients(one)[0]
        assert entry["restarts"] == 2 and entry["pid"] is None and entry["line"] == 16
        assert entry["last_exit"] == "return code 3" and entry["user"] == ME
        line = f"respawn {flaky.command} (as {ME}): given-up (respawning too fast), 2 restarts"
        assert line + ", last exit: return code 3" in status_cmd.render(one.runtime.snapshot())
    finally:
        one.runtime.kill()


async def test_a_program_that_cannot_run_is_given_up_at_once(tmp_path: Path) -> None:
    plain = script(tmp_path, "plain", "exit 0\n")
    plain.chmod(0o644)  # made unusable after the configuration was checked
    one = member(tmp_path, RespawnClient(ME, str(plain), 16))
    await one.runtime.start()
    try:
        await wait_for(lambda: clients(one)[0]["state"] == "given-up", WAIT_S)
        assert f"ERROR: Cannot exec {plain}: Permission denied" in ha_log(one)
        assert clients(one)[0]["restarts"] == 0
    finally:
        one.runtime.kill()


async def test_node_stop_terminates_clients_last_first(tmp_path: Path) -> None:
    obeys = script(tmp_path, "sleeper", 'echo $$ > "$1"\nexec sleep 1000\n')
    stubborn = script(tmp_path, "stubborn", "trap '' TERM\necho $$ > \"$1\"\nsleep 1000 &\nwait\n")
    first = RespawnClient(ME, f"{obeys} {tmp_path / 'first.pid'}", 16)
    second = RespawnClient(ME, f"{stubborn} {tmp_path / 'second.pid'}", 17)
    one = member(tmp_path, first, second)
    await one.runtime.start()
    try:
        files = (tmp_path / "first.pid", tmp_path / "second.pid")
        await wait_for(lambda: None not in [pid_in(f) for f in files], WAIT_S)
        one_pid, two_pid = pid_in(files[0]), pid_in(files[1])
        await wait_for(lambda: [c["pid"] for c in clients(one)] == [one_pid, two_pid], WAIT_S)
        assert [c["state"] for c in clients(one)] == ["running", "running"]
        await wait_for(lambda: one.runtime.snapshot().get("rsc_hold") == "all", WAIT_S)
        assert "graceful" in await one.runtime.stop(graceful=True, timeout_s=WAIT_S)
        assert one_pid is not None and two_pid is not None
        # the sleep left by the stubborn one dies with its group
        await wait_for(lambda: not group_alive(one_pid) and not group_alive(two_pid), WAIT_S)
        text = ha_log(one)
        kills = [
            f"killing {second.command} process group {two_pid} with signal 15",
            f"killing {second.command} process group {two_pid} with signal 9",
            f"killing {first.command} process group {one_pid} with signal 15",
            "server1 Heartbeat shutdown complete.",
        ]
        at = [text.index(k) for k in kills]
        assert text.index("All HA resources relinquished.") < at[0] and at == sorted(at)
        assert f"{first.command} process group {one_pid} with signal 9" not in text
        assert "Respawning client" not in text
        assert [c["state"] for c in clients(one)] == ["stopped", "stopped"]
    finally:
        one.runtime.kill()


async def test_a_crash_drill_kill_leaves_no_client_behind(tmp_path: Path) -> None:
    sleeper = script(tmp_path, "sleeper", 'echo $$ > "$1"\nsleep 1000 &\nwait\n')
    one = member(tmp_path, RespawnClient(ME, f"{sleeper} {tmp_path / 'pid'}", 16))
    await one.runtime.start()
    try:
        await wait_for(lambda: pid_in(tmp_path / "pid") is not None, WAIT_S)
    finally:
        one.runtime.kill()
    pid = pid_in(tmp_path / "pid")
    assert pid is not None
    await wait_for(lambda: not group_alive(pid), WAIT_S)
    assert f"process group {pid} with signal 9" in ha_log(one)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user can reach and write (pytest's tmp_path is root's only)."""
    path = Path(tempfile.mkdtemp(prefix="hbtui-respawn-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="running a client as another user needs root")
async def test_a_client_runs_as_nobody_with_its_groups(tmp_path: Path, shared_dir: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    body = 'echo "$(id -u) $(id -g) $(id -G | tr " " ,) $HA_CURHOST $OCF_ROOT" > "$1/answer"\n'
    who = script(shared_dir, "who", body + "exec sleep 1000\n")
    one = member(tmp_path, RespawnClient("nobody", f"{who} {shared_dir}", 16))
    await one.runtime.start()
    try:
        await wait_for(lambda: (shared_dir / "answer").exists(), WAIT_S)
        await wait_for(lambda: (shared_dir / "answer").read_text().endswith("\n"), WAIT_S)
        uid, gid, groups, host, ocf = (shared_dir / "answer").read_text().split()
        assert (int(uid), int(gid)) == (nobody.pw_uid, nobody.pw_gid)
        expected = os.getgrouplist("nobody", nobody.pw_gid)
        assert sorted(int(g) for g in groups.split(",")) == sorted(set(expected))
        assert (host, ocf) == ("server1", "/usr/lib/ocf")
        assert clients(one)[0]["user"] == "nobody" and clients(one)[0]["state"] == "running"
        await one.runtime.stop(graceful=True, timeout_s=WAIT_S)
        assert clients(one)[0]["state"] == "stopped"
    finally:
        one.runtime.kill()
