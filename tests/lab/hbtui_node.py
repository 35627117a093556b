"""`HbtuiNode`: hbtui's own node (`python -m hbtui.cli node`) as a lab node kind.

It runs inside every namespace of the lab node with the node's private /etc/ha.d,
/var/lib/heartbeat, /var/log and /run, so the paths are the classic ones. Its stdout/stderr
go to `<node dir>/hbtui-node.out` on the host. Stop = SIGTERM to the hbtui process (found
by PID in the node's PID namespace), crash = the harness's kill of every process.
`HbtuiByInitScript` runs the same node through hbtui's own SysV init script instead.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import Any

from hbtui.lab.commands import LabError, wait_gone
from hbtui.lab.node import Node
from hbtui.lab.nodeproc import CONTROL_SOCKET, NODE_ENV, HbtuiProcess
from hbtui.remote.commands import HBTUI_INIT_SCRIPT

from .cluster import LabNodeProcess
from .haconfig import HaSetup

HBTUI = [sys.executable, "-m", "hbtui.cli"]
ENV = NODE_ENV  # the checkout on PYTHONPATH, no .pyc files in it
INIT = str(HBTUI_INIT_SCRIPT)


class HbtuiNode(LabNodeProcess):
    """hbtui's node in a lab node; same interface as `RealHeartbeat`."""

    kind = "hbtui"

    def __init__(self, node: Node) -> None:
        super().__init__(node)
        self.process = HbtuiProcess(node)
        self.output_path = self.process.output_path
        self.authkeys_mode = 0o600

    def prepare(self, setup: HaSetup) -> None:
        self.setup = setup
        setup.write(self.node.etc_dir, authkeys_mode=self.authkeys_mode)

    def argv(self) -> list[str]:
        """The command line run inside the node."""
        return [
            *HBTUI,
            "node",
            "--config-dir",
            "/etc/ha.d",
            "--state-dir",
            "/var/lib/heartbeat",
            "--node-name",
            self.node.name,
            "--control-socket",
            CONTROL_SOCKET,
        ]

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.process.launch(self.argv())

    def node_pids(self) -> list[int]:
        """Host PIDs of the hbtui node processes inside the lab node."""
        return self.process.pids()

    def wait_exit(self, timeout: float) -> int | None:
        """Wait (bounded) for the launched process to end; its exit code (None: still running)."""
        return self.process.wait_exit(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        self.process.signal(signal.SIGTERM, timeout)

    def running(self) -> bool:
        return bool(self.node_pids())

    def output(self) -> str:
        """What the node printed (ha-log echo, errors)."""
        return self.process.output()

    def status(self, *args: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
        """`hbtui status ARGS` run inside the node."""
        argv = [*HBTUI, "status", "--control-socket", CONTROL_SOCKET, *args]
        return self.node.run(argv, timeout=timeout, env=ENV)

    def snapshot(self) -> dict[str, Any]:
        """`hbtui status --json`, parsed."""
        done = self.status("--json")
        if done.returncode != 0:
            raise LabError(
                f"{self.node.name}: hbtui status --json rc={done.returncode}: {done.stderr.strip()}"
            )
        result: dict[str, Any] = json.loads(done.stdout)
        return result


class HbtuiByInitScript(HbtuiNode):
    """hbtui's node as a machine runs it: ``/etc/init.d/hbtui start|stop`` inside the node."""

    kind = "hbtui-init"

    def _init(self, verb: str, timeout: float) -> str:
        done = self.node.run([INIT, verb], timeout=timeout)
        if done.returncode != 0:
            detail = done.stdout + done.stderr
            raise LabError(f"{self.node.name}: {INIT} {verb} rc={done.returncode}: {detail}")
        return done.stdout

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._init("start", timeout=40.0)

    def stop(self, timeout: float = 30.0) -> None:
        pids = self.node_pids()
        self._init("stop", timeout=timeout + 5.0)
        left = wait_gone(pids, 5.0)
        if left:
            raise LabError(f"{self.node.name}: hbtui still running after stop: {left}")

    def output(self) -> str:
        """The node's stderr, which the init script sends to /var/log/hbtui-node.log."""
        path = self.node.host_path("/var/log/hbtui-node.log")
        return path.read_text(errors="replace") if path.exists() else ""
