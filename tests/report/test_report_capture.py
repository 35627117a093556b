"""``hbtui report --capture``: tcpdump really runs for a short window inside a private
network and PID namespace (``unshare``: only its loopback, gone with the test; everything
in it is killed when its first process ends) while datagrams go to udp/694, and the bundle
holds a pcap that hbtui's own reader reads."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hbtui.wire.pcap import read_datagrams
from tests.report.test_report import howto_copy

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = b"hbtui capture test"
SENDER = f"""
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + 4
while time.monotonic() < end:
    s.sendto({PAYLOAD!r}, ("127.0.0.1", 694))
    time.sleep(0.05)
"""
# $1 python, $2 the sender, then hbtui report's arguments
INSIDE = 'set -e; ip link set lo up; py="$1"; send="$2"; shift 2; "$py" -c "$send" & "$py" -m hbtui report "$@"; wait'  # noqa: E501


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root (a network namespace, tcpdump)"
    for tool in ("tcpdump", "unshare", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def test_capture_holds_the_udp_694_datagrams_sent_meanwhile(tmp_path: Path) -> None:
    reason = why_not()
    if reason:
        pytest.skip(reason)
    config = howto_copy(tmp_path)
    out = tmp_path / "bundle.tar.gz"
    argv = [
        *("unshare", "--net", "--pid", "--fork", "--kill-child"),
        *("sh", "-c", INSIDE, "sh", sys.executable, SENDER),
        *("--config-dir", str(config), "--state-dir", str(tmp_path / "state")),
        *("--node-name", "server1", "--control-socket", str(tmp_path / "none.sock")),
        *("--no-peers", "--capture", "2", "--output", str(out)),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          start_new_session=True) as proc:  # fmt: skip
        try:
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # its own group: nothing else
                proc.wait(10)
    assert proc.returncode == 0, output.decode(errors="replace")
    with tarfile.open(out) as tar:
        (member,) = [m for m in tar.getmembers() if m.name.endswith("/capture-udp694.pcap")]
        pcap = tar.extractfile(member).read()  # type: ignore[union-attr]
        readme = next(m for m in tar.getmembers() if m.name.endswith("/README.txt"))
        text = tar.extractfile(readme).read().decode()  # type: ignore[union-attr]
    datagrams = list(read_datagrams(pcap))
    ours = [d for d in datagrams if d.payload == PAYLOAD and d.dst == ("127.0.0.1", 694)]
    assert len(ours) >= 5, (len(datagrams), text)  # 2 s of one every 50 ms, tcpdump starting
    assert "captures (pcap, udp only):\n  server1/capture-udp694.pcap" in text
    assert "server1: capture:" not in text
