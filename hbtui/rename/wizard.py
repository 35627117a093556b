"""What the rename screen needs, built from the console's runners (local + one per peer).

``make_plan(old, new)`` reads every node concurrently (one unreachable node is reported,
never hangs the others) and builds the plan; ``execute(plan, progress)`` runs it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from hbtui.remote.procedure import read_every
from hbtui.remote.runner import CommandRunner
from hbtui.rename.execute import Progress, StepOutcome, execute_plan, read_rename_node
from hbtui.rename.plan import RenameNode, RenamePlan, plan_rename

MakePlan = Callable[[str, str], Awaitable[RenamePlan]]
Execute = Callable[[RenamePlan, Progress], Awaitable[list[StepOutcome]]]


def wizard_backend(
    runners: Mapping[str, CommandRunner],
    node_options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    verify_s: float = 60.0,
) -> tuple[MakePlan, Execute]:
    """``(make_plan, execute)`` over ``runners`` (node name -> runner, ours included).

    ``node_options`` passes per-node settings to :func:`read_rename_node` (paths, service).
    """
    options = node_options or {}

    async def make_plan(old: str, new: str) -> RenamePlan:
        async def read(name: str) -> RenameNode:
            return await read_rename_node(name, runners[name], **dict(options.get(name, {})))

        nodes = await read_every(list(runners), read)
        return plan_rename(nodes, old, new, verify_s=verify_s)

    async def execute(plan: RenamePlan, progress: Progress) -> list[StepOutcome]:
        return await execute_plan(plan, runners, progress=progress)

    return make_plan, execute
