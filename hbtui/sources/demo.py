"""``DemoSource``: one node of ``hbtui demo`` (an ``hbtui node`` in a namespace).

It reads the node like ``AttachedSource`` does (its control socket is a host path), and
acts on it through the lab: ``k`` SIGKILLs the node's process by host PID (crash drill),
``s`` sends SIGTERM (graceful), ``r`` starts it again in the same namespaces and follows
the new process, ``u`` removes its hb_uuid. Standby/takeover go over the control socket.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from hbtui.config.loader import load_config
from hbtui.control import client
from hbtui.engine import events as ev
from hbtui.lab.commands import LabError
from hbtui.sources.attach import AttachedSource
from hbtui.sources.embedded import config_extras
from hbtui.stream.source import Outcome, SourceMode

if TYPE_CHECKING:
    from hbtui.lab.demo import DemoCluster, DemoNode

START_TIMEOUT_S = 15.0


class DemoSource(AttachedSource):
    """See the module docstring."""

    mode: SourceMode = "demo"

    def __init__(self, node: DemoNode, snapshot: dict[str, Any]) -> None:
        # after the wizard renamed it, the node's name is the one it answers with
        name = str(snapshot.get("node") or node.name)
        config, _problems = load_config(node.config_dir, name)
        extras = config_extras(config) if config is not None else {}
        super().__init__(node.control_socket, snapshot, extras)
        self.node = node
        self.state_dir = node.state_dir  # named in the delete-uuid dialog

    async def _signal(
        self, verb: str, act: Callable[[], list[int]], state: str, sig: str
    ) -> tuple[list[int], Outcome | None]:
        """Run the node's kill/stop off the loop: the PIDs signalled, or the failure."""
        try:
            pids = await asyncio.to_thread(act)
        except LabError as exc:
            return [], Outcome(False, f"{verb}: {exc}")
        if not pids:
            return [], Outcome(False, f"{verb}: the node is not running")
        self._state = state
        self._queue.put(ev.NodeStateChanged(self.now_ms(), self.node_name, "?", state, sig))
        return pids, None

    async def kill(self) -> Outcome:
        pids, failed = await self._signal("kill", self.node.kill, "killed", "SIGKILL")
        if failed:
            return failed
        return Outcome(
            True,
            f"sent SIGKILL to {self.node_name}'s hbtui node (host pid {', '.join(map(str, pids))})"
            ": nothing released, the VIP stays on its eth0; the peer takes over after deadtime",
        )

    async def stop(self) -> Outcome:
        _, failed = await self._signal("stop", self.node.stop, "stopped", "SIGTERM")
        if failed:
            return failed
        return Outcome(True, f"SIGTERM to {self.node_name}: released its resources and exited")

    async def start(self) -> Outcome:
        # running() scans every host process (psutil): off the loop, like the other lab calls
        if await asyncio.to_thread(self.node.running):
            return Outcome(False, "start: the node is already running")
        await asyncio.to_thread(self.node.start)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                snap = await asyncio.to_thread(client.request, self.path, "snapshot", 1.0)
                break
            except (client.NoNodeRunning, client.ControlError, OSError):
                gone = not await asyncio.to_thread(self.node.running)
                if time.monotonic() > deadline or gone:
                    return Outcome(False, f"start: no answer; see {self.node.output_path}")
                await asyncio.sleep(0.1)  # the socket appears once the node has bound it
        self._snapshot = snap
        self._state = "running"
        self._start_following()
        return Outcome(True, f"started hbtui node in {self.node_name}'s namespaces")

    async def delete_uuid(self) -> Outcome:
        try:
            done = await asyncio.to_thread(self.node.delete_uuid)
        except LabError as exc:
            return Outcome(False, f"delete hb_uuid: {exc}")
        return Outcome(True, done)


def demo_sources(cluster: DemoCluster) -> list[DemoSource]:
    """One source per demo node (server1 first), named as each node answers now."""
    return [
        DemoSource(node, client.request(node.control_socket, "snapshot", 5.0))
        for node in cluster.nodes.values()
    ]


def demo_reopener(cluster: DemoCluster) -> Callable[[str, str], Awaitable[Any]]:
    """After the wizard: every demo node read again under the name it now has."""
    from hbtui.lab.demo_rename import demo_rename_backend

    async def reopen(old: str, new: str) -> tuple[Any, list[Any], Any]:
        sources = await asyncio.to_thread(demo_sources, cluster)
        return sources[0], sources[1:], demo_rename_backend(cluster)

    return reopen
