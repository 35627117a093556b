"""What the console's move-to-Pacemaker screen needs, built from its runners (this node and
one per peer): ``make_plan()`` reads every node and plans the move with a new authkey;
``execute(plan, progress)`` runs it with its rollback."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from hbtui.config.model import ClusterConfig
from hbtui.cutover.execute import CutoverOutcome, execute_cutover, read_cutover_node
from hbtui.cutover.plan import CutoverNode, CutoverPlan, plan_cutover
from hbtui.migrate.corosync import AUTHKEY_BYTES
from hbtui.migrate.plan import Migration
from hbtui.remote.procedure import Progress, read_every
from hbtui.remote.runner import CommandRunner

MakeCutoverPlan = Callable[[], Awaitable[CutoverPlan]]
ExecuteCutover = Callable[[CutoverPlan, Progress], Awaitable[CutoverOutcome]]


def cutover_backend(
    config: ClusterConfig,
    migrate: Callable[[], Migration],
    runners: Mapping[str, CommandRunner],
    node_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[MakeCutoverPlan, ExecuteCutover]:
    """``(make_plan, execute)`` over ``runners`` (node name -> runner, ours included);
    ``migrate()`` builds the migration of ``config`` (MigrationError says why it cannot)."""
    options = node_options or {}

    async def make_plan() -> CutoverPlan:
        migration = await asyncio.to_thread(migrate)  # resolves names: off the loop
        names = [n for n in config.ha_cf.nodes if n in runners]

        async def read(name: str) -> CutoverNode:
            return await read_cutover_node(name, runners[name], **dict(options.get(name, {})))

        nodes = await read_every(names, read)
        key = secrets.token_bytes(AUTHKEY_BYTES)
        return plan_cutover(nodes, migration, key, config.ha_cf.nodes)

    async def execute(plan: CutoverPlan, progress: Progress) -> CutoverOutcome:
        return await execute_cutover(plan, runners, progress=progress)

    return make_plan, execute
