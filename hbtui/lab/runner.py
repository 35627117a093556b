"""``NodeRunner``: runs argv inside one lab node's namespaces (nsenter), for the rename
wizard and the peer probes where a lab node stands in for a machine."""

from __future__ import annotations

from collections.abc import Sequence

from hbtui.lab.node import Node
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import CommandResult


class NodeRunner(LocalRunner):
    """A ``CommandRunner`` whose commands run in every namespace of ``node``."""

    def __init__(self, node: Node) -> None:
        self.node = node

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run ``argv`` inside the node (no shell); the result names the argv as given."""
        done = await super().run(self.node.enter_argv(argv), input_text=input_text, timeout=timeout)
        return CommandResult(tuple(argv), done.exit_status, done.stdout, done.stderr)
