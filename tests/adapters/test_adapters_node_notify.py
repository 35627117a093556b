"""A real ``hbtui node`` in a network namespace notifies a socket the test creates (sd_notify)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (ip netns)"),
]


def _ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True, timeout=30)


def _until(listener: socket.socket, word: bytes) -> bytes:
    """The next message that carries ``word`` (STATUS= lines in between are skipped)."""
    while True:
        message = listener.recv(4096)
        if word in message.split(b"\n"):
            return message
        assert message.startswith(b"STATUS="), message


def _written(path: Path, words: str, timeout_s: float = 30.0) -> bool:
    """Whether ``words`` reach ``path`` within ``timeout_s`` (a bounded poll)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and words in path.read_text():
            return True
        time.sleep(0.05)
    return False


def test_ready_reloading_stopping_reach_the_notify_socket(tmp_path: Path) -> None:
    netns = f"hbtui-notify-{os.getpid()}"
    config = tmp_path / "ha.d"
    shutil.copytree(REPO / "hbtui" / "data" / "howto", config)
    (config / "authkeys").chmod(0o600)
    hacf = config / "ha.cf"
    text = hacf.read_text().replace("/var/log/ha-log", str(tmp_path / "ha-log"))
    hacf.write_text(text.replace("/var/log/ha-debug", str(tmp_path / "ha-debug")))
    notify = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(notify))
        listener.settimeout(60)
        _ip("netns", "add", netns)
        try:
            _ip("-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
            _ip("-n", netns, "addr", "add", "192.168.10.1/24", "dev", "eth0")
            for dev in ("lo", "eth0", "eth1"):
                _ip("-n", netns, "link", "set", dev, "up")
            node = subprocess.Popen(
                ["ip", "netns", "exec", netns, sys.executable, "-m", "hbtui.cli", "node",
                 "--config-dir", str(config), "--state-dir", str(tmp_path / "state"),
                 "--node-name", "server1", "--control-socket", str(tmp_path / "c.sock"),
                 "--quiet"],
                env={**os.environ, "NOTIFY_SOCKET": str(notify), "PYTHONPATH": str(REPO)},
            )  # fmt: skip
            try:
                # READY once active (alone: after initdead, 10 s), with the state line
                first = _until(listener, b"READY=1")
                assert b"STATUS=server1 active; 192.168.10.10 on server1" in first
                node.send_signal(signal.SIGUSR1)  # issue 15: debug up, as the daemon
                node.send_signal(signal.SIGHUP)
                assert _until(listener, b"RELOADING=1") == b"RELOADING=1"
                assert _until(listener, b"READY=1") == b"READY=1"
                assert _written(tmp_path / "ha-debug", "]: debug: debug now set to 1 [pid ")
                node.send_signal(signal.SIGTERM)
                assert _until(listener, b"STOPPING=1").startswith(b"STOPPING=1\n")
                assert node.wait(120) == 0
            finally:
                if node.poll() is None:
                    node.kill()
                    node.wait(30)
        finally:
            subprocess.run(["ip", "netns", "del", netns], timeout=30)
