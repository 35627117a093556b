"""Read every node for a plan, and run a plan with its rollback (over PeerLinks and a
LocalRunner, or lab runners)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from hbtui.cutover import commands as cc
from hbtui.cutover.plan import CutoverNode, CutoverPlan
from hbtui.remote import commands
from hbtui.remote.commands import ServiceKind, ServiceManager
from hbtui.remote.detect import probe_peer
from hbtui.remote.procedure import COMMAND_TIMEOUT_S, Progress, StepOutcome, roll_back, run_steps
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError


@dataclass
class CutoverOutcome:
    """The steps run (the last one failed, if any) and, after a failure, the undo steps."""

    done: list[StepOutcome] = field(default_factory=list)
    undone: list[StepOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every step passed: the cluster runs on Pacemaker."""
        return bool(self.done) and all(o.ok for o in self.done)

    @property
    def rolled_back(self) -> bool:
        """A step failed and every undo held: the cluster runs on Heartbeat/hbtui again."""
        return not self.ok and all(o.ok for o in self.undone)

    def summary(self) -> str:
        """One sentence for the end of the run."""
        if self.ok:
            return "moved: the cluster runs on Corosync + Pacemaker"
        failed = self.done[-1] if self.done else None
        where = f"step {failed.number} ({failed.step.key})" if failed else "before any step"
        if self.rolled_back:
            return f"FAILED at {where}; rolled back: Heartbeat/hbtui runs again on every node"
        broken = ", ".join(o.step.key for o in self.undone if not o.ok)
        return f"FAILED at {where}; ROLLBACK INCOMPLETE ({broken}): finish it by hand"


def stack_for(service: ServiceManager) -> cc.ClusterStack:
    """The Pacemaker stack run the way the node runs its Heartbeat/hbtui daemon."""
    if service.kind is ServiceKind.SYSTEMD:
        return cc.systemd_stack(service.start[-1])
    if service.kind is ServiceKind.INIT_SCRIPT:
        return cc.init_script_stack(PurePosixPath(service.start[0]).name)
    raise LinkError("the node's daemon is run by hand: say how Corosync + Pacemaker are run")


async def read_cutover_node(
    name: str,
    runner: CommandRunner,
    *,
    service: ServiceManager | None = None,
    stack: cc.ClusterStack | None = None,
    config_dir: PurePosixPath = commands.ETC_HA_D,
    state_dir: PurePosixPath = commands.STATE_DIR,
    hbtui_program: commands.Argv = commands.HBTUI,
    backup_dir: PurePosixPath = cc.BACKUP_DIR,
    staging_dir: PurePosixPath = cc.STAGING_DIR,
) -> CutoverNode:
    """What a plan needs from one node: its configs, daemon, tools and health."""
    facts = await probe_peer(
        runner, config_dir=config_dir, state_dir=state_dir, hbtui_program=hbtui_program
    )
    service = service or facts.service
    if service is None:
        raise LinkError(f"{name}: neither a heartbeat/hbtui systemd unit nor an init script found")
    tools = await runner.run(cc.have_tools(*cc.TOOLS), timeout=COMMAND_TIMEOUT_S)
    missing: tuple[str, ...] = ()
    if not tools.ok:
        missing = tuple(tools.stdout.replace("missing:", "").split()) or cc.TOOLS
    return CutoverNode(
        name,
        service,
        stack or stack_for(service),
        config_dir=config_dir,
        state_dir=state_dir,
        texts=dict(facts.config_texts),
        missing_tools=missing,
        health=health(facts.hbtui_status),
        backup_dir=backup_dir,
        staging_dir=staging_dir,
    )


def health(snapshot: Mapping[str, Any] | None) -> tuple[str, ...]:
    """What in an hbtui node's snapshot forbids the move now."""
    if not snapshot:
        return ()
    found = []
    if snapshot.get("stop_failed"):
        found.append(f"a failed stop holds {', '.join(snapshot['stop_failed'])}: resolve it first")
    runtime = snapshot.get("runtime", {})
    if runtime.get("split_brain"):
        found.append("a split brain is reported: resolve it first")
    if runtime.get("scripts_running"):
        found.append("resource scripts are running: wait until the cluster is quiet")
    return tuple(found)


async def execute_cutover(
    plan: CutoverPlan,
    runners: Mapping[str, CommandRunner],
    *,
    progress: Progress | None = None,
    poll_s: float = 1.0,
) -> CutoverOutcome:
    """Run the plan; at the first failed step, undo every step run so far (newest first)."""
    if plan.problems:
        raise ValueError("the plan has problems: " + "; ".join(plan.problems))
    missing = {n.name for n in plan.nodes} - set(runners)
    if missing:
        raise ValueError(f"no runner for {', '.join(sorted(missing))}")
    outcome = CutoverOutcome()
    outcome.done = await run_steps(
        plan.steps, runners, progress=progress, poll_s=poll_s, what="cutover"
    )
    if not outcome.ok:
        outcome.undone = await roll_back(
            outcome.done, runners, progress=progress, poll_s=poll_s, what="cutover"
        )
    return outcome
