"""`HbtuiNode`: hbtui's own node (`python -m hbtui.cli node`) as a lab node kind.

It runs inside every namespace of the lab node with the node's private /etc/ha.d,
/var/lib/heartbeat, /var/log and /run, so the paths are the classic ones. Its stdout/stderr
go to `<node dir>/hbtui-node.out` on the host. Stop = SIGTERM to the hbtui process (found
by PID in the node's PID namespace), crash = the harness's kill of every process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hbtui.lab.demo import CONTROL_SOCKET, NODE_ENV

from .cluster import LabNodeProcess
from .commands import LabError, signal_and_wait
from .haconfig import HaSetup
from .node import Node

HBTUI = [sys.executable, "-m", "hbtui.cli"]
ENV = NODE_ENV  # the checkout on PYTHONPATH, no .pyc files in it


class HbtuiNode(LabNodeProcess):
    """hbtui's node in a lab node; same interface as `RealHeartbeat`."""

    kind = "hbtui"

    def __init__(self, node: Node) -> None:
        super().__init__(node)
        self.proc: subprocess.Popen[str] | None = None
        self.authkeys_mode = 0o600

    @property
    def output_path(self) -> Path:
        """Host path of the node process's stdout+stderr."""
        return self.node.directory / "hbtui-node.out"

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
        with open(self.output_path, "a") as out:
            self.proc = self.node.popen(self.argv(), env=ENV, stdout=out, stderr=out)

    def node_pids(self) -> list[int]:
        """Host PIDs of the hbtui node processes inside the lab node."""
        return self.node.processes_running("hbtui.cli", "node")

    def wait_exit(self, timeout: float) -> int | None:
        """Wait (bounded) for the launched process to end; its exit code (None: still running)."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 30.0) -> None:
        pids = self.node_pids()
        left = signal_and_wait(pids, signal.SIGTERM, timeout)
        if left:
            raise LabError(f"{self.node.name}: hbtui node still running after SIGTERM: {left}")
        self.wait_exit(5.0)

    def running(self) -> bool:
        return bool(self.node_pids())

    def output(self) -> str:
        """What the node printed (ha-log echo, errors)."""
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

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
