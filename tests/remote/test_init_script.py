"""hbtui's SysV init script: LSB exit codes, pidfile, bounded graceful stop.

The script under test is the packaged one with only its settings file moved into the test's
directory. The node it starts is a stand-in (``fake-hbtui.py node``: a control socket that
answers snapshots, a slow graceful exit on SIGTERM); its ``status`` is the real
``hbtui status``, so the script's checks meet hbtui's real exit codes (0 / 3 / 1).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "hbtui" / "data" / "hbtui.init"
PACKAGED = REPO / "packaging" / "hbtui.init"

FAKE_HBTUI = f"""
import json, os, signal, socket, sys, time
args = sys.argv[1:]
if args[0] == "status":
    sys.path.insert(0, {str(REPO)!r})
    from hbtui.cli import main
    sys.exit(main(args))
here = os.path.dirname(os.path.abspath(__file__))
behaviour = open(os.path.join(here, "behaviour")).read().split()
if behaviour[0] == "fail":
    print("fake-hbtui: 1 configuration error(s); node not started", file=sys.stderr)
    sys.exit(1)
path = args[args.index("--control-socket") + 1]
os.makedirs(os.path.dirname(path), exist_ok=True)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(5)
print("listening", flush=True)

def graceful(signum, frame):
    time.sleep(float(behaviour[1]))  # resources being released
    os.unlink(path)
    os._exit(0)

signal.signal(signal.SIGTERM, graceful)
while True:
    conn, _ = server.accept()
    conn.recv(4096)
    conn.sendall(json.dumps({{"ok": True, "snapshot": {{"node": "fake"}}}}).encode() + b"\\n")
    conn.close()
"""


class InitScript:
    """The packaged script with its settings in ``root`` (and a stand-in node)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.etc = root / "etc"
        self.pidfile = root / "run" / "hbtui.pid"
        self.socket = root / "run" / "hbtui" / "control.sock"
        self.log = root / "log" / "hbtui-node.log"
        fake = root / "fake-hbtui.py"
        fake.write_text(FAKE_HBTUI)
        self.behave("run 1")
        # a stand-in cl_status first on the script's PATH: "running" only while the test says
        # the heartbeat daemon runs (never whatever runs on this host)
        self.bin = root / "bin"
        self.bin.mkdir()
        cl_status = self.bin / "cl_status"
        cl_status.write_text(f'#!/bin/sh\n[ "$1" = hbstatus ] && [ -e {root}/heartbeat-runs ]\n')
        cl_status.chmod(0o755)
        defaults = root / "default-hbtui"
        defaults.write_text(
            f"HBTUI='{sys.executable} {fake}'\nCONFIG_DIR={self.etc}\n"
            f"PIDFILE={self.pidfile}\nCONTROL_SOCKET={self.socket}\nLOGFILE={self.log}\n"
            "START_WAIT=15\nSTOP_WAIT=${TEST_STOP_WAIT:-10}\n"
            f"PATH={self.bin}:$PATH\n"
        )
        self.path = root / "hbtui.init"
        self.path.write_text(SCRIPT.read_text().replace("/etc/default/hbtui", str(defaults)))
        self.path.chmod(0o755)
        self.started: set[int] = set()

    def behave(self, words: str) -> None:
        """``run SECONDS_TO_STOP`` or ``fail``."""
        (self.root / "behaviour").write_text(words)

    def configure(self) -> None:
        self.etc.mkdir(exist_ok=True)
        (self.etc / "ha.cf").write_text("node server1 server2\n")

    def __call__(self, verb: str, stop_wait: int | None = None) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if stop_wait is not None:
            env["TEST_STOP_WAIT"] = str(stop_wait)
        done = subprocess.run(
            [str(self.path), verb], capture_output=True, text=True, timeout=60, env=env
        )
        if self.pidfile.exists() and self.pidfile.read_text().strip().isdigit():
            self.started.add(int(self.pidfile.read_text()))
        return done

    def pid(self) -> int:
        return int(self.pidfile.read_text())


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:\tZ") for line in status)
    except OSError:
        return False


@pytest.fixture
def script(tmp_path: Path) -> Iterator[InitScript]:
    made = InitScript(tmp_path)
    try:
        yield made
    finally:
        for pid in made.started:  # only what this test started, by PID
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_packaged_copy_is_the_installed_one() -> None:
    assert PACKAGED.resolve() == SCRIPT.resolve()  # one source: packaging/ links to it
    assert PACKAGED.read_bytes() == SCRIPT.read_bytes()
    assert os.access(PACKAGED, os.X_OK) and os.access(SCRIPT, os.X_OK)
    assert subprocess.run(["sh", "-n", str(SCRIPT)], timeout=10).returncode == 0


def test_start_status_stop_with_lsb_exit_codes(script: InitScript) -> None:
    status = script("status")
    assert (status.returncode, status.stdout) == (3, "hbtui node is not running\n")
    assert script("start").returncode == 6  # no ha.cf: not configured
    script.configure()
    started = script("start")
    assert started.returncode == 0, started.stderr
    pid = script.pid()
    assert _alive(pid) and started.stdout == f"hbtui node started (pid {pid})\n"
    assert script("status").stdout == f"hbtui node is running (pid {pid})\n"
    again = script("start")
    assert (again.returncode, again.stdout) == (0, f"hbtui node is already running (pid {pid})\n")

    began = time.monotonic()
    stopped = script("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert time.monotonic() - began >= 1.0  # it waited for the graceful exit
    assert not _alive(pid) and not script.pidfile.exists()
    assert script("status").returncode == 3
    assert (script("stop").returncode, script("stop").stdout) == (0, "hbtui node is not running\n")
    usage = script("bogus")
    assert usage.returncode == 2 and "usage:" in usage.stderr


def test_restart_gives_a_new_process(script: InitScript) -> None:
    script.configure()
    assert script("start").returncode == 0
    first = script.pid()
    restarted = script("restart")
    assert restarted.returncode == 0, restarted.stderr
    assert script.pid() != first and not _alive(first) and _alive(script.pid())


def test_a_stale_pidfile_and_a_node_started_by_hand(script: InitScript) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=10)
    script.pidfile.parent.mkdir(parents=True)
    script.pidfile.write_text(f"{gone.pid}\n")
    stale = script("status")
    assert stale.returncode == 1 and "pidfile" not in stale.stderr
    assert "not running, but" in stale.stdout

    script.pidfile.unlink()
    script.configure()
    fake = [sys.executable, str(script.root / "fake-hbtui.py")]
    by_hand = subprocess.Popen(
        [*fake, "node", "--control-socket", str(script.socket)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert by_hand.stdout is not None
        ready, _, _ = select.select([by_hand.stdout], [], [], 15)
        assert ready and by_hand.stdout.readline() == "listening\n"
        status = script("status")
        assert status.returncode == 0 and "not started by this script" in status.stdout
        assert script("start").returncode == 1  # never a second node
        assert script("stop").returncode == 1  # and never a stop it cannot do
    finally:
        by_hand.kill()
        by_hand.communicate(timeout=10)  # reaps it and closes its pipe


def test_a_failed_start_and_a_stop_that_outlasts_its_bound(script: InitScript) -> None:
    script.configure()
    script.behave("fail")
    failed = script("start")
    assert failed.returncode == 1
    assert "configuration error" in failed.stderr and not script.pidfile.exists()

    script.behave("run 30")
    assert script("start").returncode == 0
    pid = script.pid()
    began = time.monotonic()
    slow = script("stop", stop_wait=1)
    assert slow.returncode == 1 and "not killed" in slow.stderr
    assert 1.0 <= time.monotonic() - began < 10.0
    assert _alive(pid)  # never killed behind the resources' back


def test_no_start_while_the_heartbeat_daemon_runs(script: InitScript) -> None:
    script.configure()
    (script.root / "heartbeat-runs").touch()
    refused = script("start")
    assert refused.returncode == 1 and "the heartbeat daemon runs here" in refused.stderr
    assert not script.pidfile.exists()
    (script.root / "heartbeat-runs").unlink()
    assert script("start").returncode == 0
    assert script("stop").returncode == 0
