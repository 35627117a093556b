"""The Pacemaker console (``PacemakerApp`` under Pilot) watching a lab node's cluster from a
thread of its own while the test drives the cluster: what it showed, reading by reading."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from textual.widgets import DataTable, Static

from hbtui.console.pacemaker_app import PacemakerApp
from hbtui.lab.node import Node
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import CommandResult
from hbtui.sources.pacemaker import PacemakerFeed

APPLIED_WAIT_S = 1.0  # how long one wait for the next reading lasts before checking `stop`


class NodeRunner:
    """Runs argv inside a lab node (all its namespaces), as crm_mon would run there."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.local = LocalRunner()

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """``argv`` run inside the node."""
        inside = self.node.enter_argv(argv)
        return await self.local.run(inside, input_text=input_text, timeout=timeout)


@dataclass
class Seen:
    """What the console showed: each distinct VIP line and the transitions table's rows."""

    vip_lines: list[str] = field(default_factory=list)
    transitions: list[list[str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def showed(self, text: str) -> bool:
        """Whether some VIP line held ``text``."""
        return any(text in line for line in self.vip_lines)


async def _watch(node: Node, seen: Seen, stop: threading.Event) -> None:
    feed = PacemakerFeed(NodeRunner(node), node.name, idle_s=1.0, busy_s=0.25)
    app = PacemakerApp(feed, tz=UTC)
    async with app.run_test(size=(100, 32)):
        while not stop.is_set():
            app.applied.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(app.applied.wait(), APPLIED_WAIT_S)
            line = str(app.query_one("#pcmk-vip", Static).render())
            if not seen.vip_lines or seen.vip_lines[-1] != line:
                seen.vip_lines.append(line)
            table = app.query_one("#pcmk-timeline", DataTable)
            seen.transitions = [
                [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)
            ]
        await feed.close()


@contextlib.contextmanager
def console_watching(node: Node) -> Iterator[Seen]:
    """The console on ``node`` for the duration of the block; what it showed."""
    seen, stop = Seen(), threading.Event()

    def run() -> None:
        try:
            asyncio.run(_watch(node, seen, stop))
        except Exception as exc:  # said in the test's assertion, not lost in a thread
            seen.errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=run, name=f"console-{node.name}", daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(timeout=15)
