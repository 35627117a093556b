"""Run a RenamePlan over command runners (a procedure, :mod:`hbtui.remote.procedure`),
step by step, stopping at the first failure. Each node's runner is a PeerLink (peer) or a
LocalRunner (this node)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from hbtui.remote import commands
from hbtui.remote.commands import ServiceManager
from hbtui.remote.detect import PeerDaemon, probe_peer
from hbtui.remote.procedure import COMMAND_TIMEOUT_S, Progress, StepOutcome, run_steps
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError
from hbtui.rename.plan import HOSTS_FILE, Membership, RenameNode, RenamePlan

__all__ = ["Progress", "StepOutcome", "execute_plan", "read_rename_node"]


async def execute_plan(
    plan: RenamePlan,
    runners: Mapping[str, CommandRunner],
    *,
    progress: Progress | None = None,
    poll_s: float = 1.0,
) -> list[StepOutcome]:
    """Run the plan; the last outcome is the failed step, if any. Refuses a plan with problems."""
    if plan.problems:
        raise ValueError("the plan has problems: " + "; ".join(plan.problems))
    missing = {n.name for n in plan.nodes} - set(runners)
    if missing:
        raise ValueError(f"no runner for {', '.join(sorted(missing))}")
    return await run_steps(plan.steps, runners, progress=progress, poll_s=poll_s, what="rename")


async def read_rename_node(
    name: str,
    runner: CommandRunner,
    *,
    service: ServiceManager | None = None,
    config_dir: PurePosixPath = commands.ETC_HA_D,
    state_dir: PurePosixPath = commands.STATE_DIR,
    hosts_file: PurePosixPath | None = HOSTS_FILE,
    hbtui_program: commands.Argv = commands.HBTUI,
    **options: object,
) -> RenameNode:
    """What a plan needs from one node, read through its runner (service detected if unset)."""
    facts = await probe_peer(
        runner, config_dir=config_dir, state_dir=state_dir, hbtui_program=hbtui_program
    )
    service = service or facts.service
    if service is None:
        raise LinkError(f"{name}: neither a heartbeat systemd unit nor an init script found")
    hosts_text = None
    if hosts_file is not None:
        read = await runner.run(commands.read_file(hosts_file), timeout=COMMAND_TIMEOUT_S)
        hosts_text = read.stdout if read.ok else None
    node = RenameNode(
        name,
        service,
        config_dir=config_dir,
        state_dir=state_dir,
        hosts_file=hosts_file,
        texts=dict(facts.config_texts),
        hosts_text=hosts_text,
        old_uuid=facts.hb_uuid,
        membership=Membership.HBTUI if facts.daemon is PeerDaemon.HBTUI else Membership.CL_STATUS,
        hbtui_program=hbtui_program,
    )
    return replace(node, **options)  # type: ignore[arg-type]
