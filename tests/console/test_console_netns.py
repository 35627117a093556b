"""The console on a real two-node cluster in network namespaces (root only).

server2 runs as ``hbtui node`` in one namespace; the console runs server1 embedded in
the other (``netns_driver.py``, started with ``ip netns exec``), kills it with ``k``,
restarts it with ``r`` and quits, checking the VIP on both sides at each step.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
DRIVER = Path(__file__).with_name("netns_driver.py")


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """Two namespaces joined by a veth: 192.168.10.1 (server1), 192.168.10.2 (server2)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 (network namespaces)")
    tag = f"hbc{os.getpid() % 100000}"
    one, two = f"{tag}a", f"{tag}b"
    made: list[str] = []
    try:
        for ns in (one, two):
            if run("ip", "netns", "add", ns).returncode != 0:
                pytest.skip(f"`ip netns add` fails here: {run('ip', 'netns', 'add', ns).stderr}")
            made.append(ns)
        steps = [
            ("ip", "link", "add", f"{tag}x", "type", "veth", "peer", "name", f"{tag}y"),
            ("ip", "link", "set", f"{tag}x", "netns", one),
            ("ip", "link", "set", f"{tag}y", "netns", two),
            ("ip", "-n", one, "link", "set", f"{tag}x", "name", "eth0"),
            ("ip", "-n", two, "link", "set", f"{tag}y", "name", "eth0"),
            ("ip", "-n", one, "addr", "add", "192.168.10.1/24", "dev", "eth0"),
            ("ip", "-n", two, "addr", "add", "192.168.10.2/24", "dev", "eth0"),
        ]
        for ns in (one, two):
            steps += [
                ("ip", "-n", ns, "link", "set", "lo", "up"),
                ("ip", "-n", ns, "link", "set", "eth0", "up"),
            ]
        for argv in steps:
            done = run(*argv)
            assert done.returncode == 0, (argv, done.stderr)
        for n in (1, 2):
            etc = tmp_path / f"etc{n}"
            shutil.copytree(HOWTO, etc)
            (etc / "authkeys").chmod(0o600)
            cf = etc / "ha.cf"
            text = cf.read_text().replace("/var/log/ha-log", str(tmp_path / f"ha-log-{n}"))
            cf.write_text(text.replace("/var/log/ha-debug", str(tmp_path / f"ha-debug-{n}")))
        yield one, two, tmp_path
    finally:
        for ns in made:
            run("ip", "netns", "del", ns)


def test_kill_failover_restart_failback_from_the_console(pair: tuple[str, str, Path]) -> None:
    one, two, tmp = pair
    node2 = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            two,
            sys.executable,
            "-m",
            "hbtui.cli",
            "node",
            "--config-dir",
            str(tmp / "etc2"),
            "--state-dir",
            str(tmp / "s2"),
            "--node-name",
            "server2",
            "--control-socket",
            str(tmp / "s2.sock"),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                one,
                sys.executable,
                str(DRIVER),
                str(tmp / "etc1"),
                str(tmp / "s1"),
                two,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        print(seen)
        assert seen["VIP still here after kill (nothing released)"] is True
        assert seen["log has the kill result"] is True
        assert "quit stopped the node" in seen
    finally:
        node2.send_signal(signal.SIGTERM)
        try:
            node2.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node2.kill()
            node2.wait(timeout=10)
