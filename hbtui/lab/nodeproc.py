"""``HbtuiProcess``: one ``hbtui node`` process inside one lab node.

Launched through the node's ``nsenter`` with its output appended to
``<node dir>/hbtui-node.out`` on the host; found by host PID (its command line names
``hbtui.cli node``), signalled by PID, never by name. ``hbtui demo`` and the lab tests
both run their nodes through it.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

import hbtui
from hbtui.lab.commands import LabError, signal_and_wait
from hbtui.lab.node import Node

PACKAGE_PARENT = str(Path(hbtui.__file__).resolve().parents[1])
CONTROL_SOCKET = "/run/hbtui/control.sock"  # inside the node: its /run is private
# this hbtui on the node's PYTHONPATH (it may be a checkout), no .pyc files written into it
NODE_ENV = {"PYTHONPATH": PACKAGE_PARENT, "PYTHONDONTWRITEBYTECODE": "1"}


class HbtuiProcess:
    """See the module docstring."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.output_path = node.directory / "hbtui-node.out"
        self.proc: subprocess.Popen[str] | None = None

    def launch(self, argv: Sequence[str]) -> None:
        """Start ``argv`` inside the node (``nsenter`` returns at once; see ``launching``)."""
        with open(self.output_path, "a") as out:
            self.proc = self.node.popen(list(argv), env=NODE_ENV, stdout=out, stderr=out)

    def launching(self) -> bool:
        """True while the launched process lives (nsenter may not have exec'd hbtui yet)."""
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> list[int]:
        """Host PIDs of the hbtui node process(es) in this lab node."""
        return self.node.processes_running("hbtui.cli", "node")

    def signal(self, signum: int, timeout: float) -> list[int]:
        """Send ``signum`` to every node process by PID and wait (bounded); the PIDs hit."""
        pids = self.pids()
        left = signal_and_wait(pids, signum, timeout)
        if left:
            raise LabError(f"{self.node.name}: hbtui node {left} still alive after signal {signum}")
        self.wait_exit(5.0)
        return pids

    def wait_exit(self, timeout: float) -> int | None:
        """Wait (bounded) for the launched process; its exit code (None: none, or still running)."""
        if self.proc is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.proc.wait(timeout=timeout)
        return None

    def output(self) -> str:
        """What the node printed (ha-log echo, errors)."""
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""
