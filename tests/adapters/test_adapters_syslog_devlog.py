"""ha.cf logfacility through a real /dev/log (issue 15): a node runtime in a private mount
namespace whose /dev/log is a datagram socket this test listens on. Root only.

Inside the namespace /dev becomes a tmpfs holding null, zero, random and urandom (bound from
the real /dev) and /dev/log (bound to the test's socket); nothing changes outside it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRIVATE_DEV = """
set -e
mount --bind /dev "$OLD_DEV"
mount -t tmpfs -o mode=755 hbtui-test-dev /dev
for n in null zero random urandom; do touch /dev/$n; mount --bind "$OLD_DEV/$n" /dev/$n; done
touch /dev/log
mount --bind "$LOG_SOCKET" /dev/log
exec "$PYTHON" -c "$NODE" "$1"
"""
NODE = """
import asyncio, dataclasses, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from rtkit import Lan, make_member

async def main() -> None:
    member = make_member("server1", Lan(), Path(tempfile.mkdtemp()))
    config = member.runtime.config
    member.runtime.config = dataclasses.replace(
        config, ha_cf=dataclasses.replace(config.ha_cf, logfacility="local0"))
    await member.runtime.start()
    member.runtime.kill()
    print(member.runtime.syslog.dropped if member.runtime.syslog else "no sink")

asyncio.run(main())
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="needs root and unshare (a private mount namespace)")  # fmt: skip
def test_the_node_logs_to_syslog_through_dev_log(tmp_path: Path) -> None:
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "log.sock"
    receiver.bind(str(path))
    (tmp_path / "old-dev").mkdir()
    env = {**os.environ, "OLD_DEV": str(tmp_path / "old-dev"), "LOG_SOCKET": str(path),
           "PYTHON": sys.executable, "NODE": NODE, "PYTHONPATH": str(REPO)}  # fmt: skip
    argv = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", PRIVATE_DEV,
            "sh", str(REPO / "tests" / "runtime")]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # nothing dropped
    receiver.setblocking(False)
    lines = []
    while True:
        try:
            lines.append(receiver.recv(65536).decode())
        except BlockingIOError:
            break
    receiver.close()
    assert lines, "nothing reached /dev/log"
    # local0 (16) * 8 + info (6) = 134; Heartbeat's tag and layout
    assert any(
        line.startswith("<134>") and " heartbeat: [" in line and "]: info: " in line
        for line in lines
    ), lines[:5]
    assert not (tmp_path / "old-dev" / "null").exists()  # the bind lived in the namespace only
