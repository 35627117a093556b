"""The hostname wizard in ``hbtui demo``: each node's "machine" is its namespaces.

``DemoRunner`` runs the wizard's argv inside a demo node with nsenter, with two
stand-ins: the service manager is ``hbtui-demo-service stop|start|status`` (answered
here by stopping/starting that node's ``hbtui node``, as systemd would), and ``hbtui``
is this Python's ``-m hbtui.cli``. The host name lives in the node's UTS namespace; the
file the wizard writes it to is in the node's private /var/log (the demo's /etc/hostname
is the machine's own), and /etc/hosts is left alone (a bind-mounted file).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from hbtui.lab.demo import DemoCluster, DemoNode
from hbtui.lab.runner import NodeRunner
from hbtui.remote.commands import custom_service
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult
from hbtui.rename.execute import Progress, StepOutcome
from hbtui.rename.plan import RenamePlan
from hbtui.rename.wizard import Execute, MakePlan, wizard_backend

SERVICE = "hbtui-demo-service"
DEMO_SERVICE = custom_service(
    stop=(SERVICE, "stop"), start=(SERVICE, "start"), status=(SERVICE, "status")
)
HOSTNAME_FILE = "/var/log/hostname"  # inside the node (private /var/log)
START_WAIT_S = 15.0


class DemoRunner(NodeRunner):
    """See the module docstring."""

    def __init__(self, demo: DemoNode) -> None:
        super().__init__(demo.lab_node)
        self.demo = demo

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run ``argv`` in the node (the two stand-ins are answered here)."""
        if tuple(argv[:1]) == (SERVICE,):
            return await self._service(tuple(argv), timeout)
        real = list(argv)
        if real[:1] == ["hbtui"]:
            real = [sys.executable, "-m", "hbtui.cli", *real[1:]]
        done = await NodeRunner.run(self, real, input_text=input_text, timeout=timeout)
        return CommandResult(tuple(argv), done.exit_status, done.stdout, done.stderr)

    async def _service(self, argv: tuple[str, ...], timeout: float) -> CommandResult:
        verb = argv[1] if len(argv) > 1 else ""
        if verb == "status":
            running = await asyncio.to_thread(self.demo.running)  # a /proc scan
            return CommandResult(argv, 0 if running else 3, "running\n" if running else "", "")
        if verb == "stop":
            pids = await asyncio.to_thread(self.demo.stop, timeout)
            return CommandResult(argv, 0, f"stopped pid {pids}\n", "")
        if verb == "start":
            await asyncio.to_thread(self.demo.start)
            return CommandResult(argv, 0, "started\n", "")
        return CommandResult(argv, 2, "", f"{SERVICE}: unknown verb {verb!r}\n")


def demo_rename_backend(cluster: DemoCluster) -> tuple[MakePlan, Execute]:
    """``(make_plan, execute)`` over every demo node, by its current name (``uname -n``)."""
    planned: list[Execute] = []

    async def make_plan(old: str, new: str) -> RenamePlan:
        runners: dict[str, CommandRunner] = {}
        options: dict[str, dict[str, Any]] = {}
        for node in cluster.nodes.values():
            runner = DemoRunner(node)
            name = (await runner.run(["uname", "-n"])).stdout.strip() or node.name
            runners[name] = runner
            options[name] = {
                "service": DEMO_SERVICE,
                "config_dir": PurePosixPath(node.config_dir),
                "state_dir": PurePosixPath(node.state_dir),
                "hosts_file": None,
                "hostname_file": PurePosixPath(HOSTNAME_FILE),
            }
        plan_with, execute_with = wizard_backend(runners, options)
        planned[:] = [execute_with]
        return await plan_with(old, new)

    async def execute(plan: RenamePlan, progress: Progress) -> list[StepOutcome]:
        if not planned:
            raise ValueError("make a plan first")
        return await planned[0](plan, progress)

    return make_plan, execute
