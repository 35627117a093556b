"""Run a RenamePlan over command runners, step by step, stopping at the first failure.

Each node's runner is a PeerLink (peer) or a LocalRunner (this node). Within a step the
nodes act concurrently, each node's commands in order; one node's failure never hides
another's result (``gather(..., return_exceptions=True)``). Checks that fail are retried,
bounded by the step's ``wait_s``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from hbtui.remote import commands
from hbtui.remote.commands import ServiceManager
from hbtui.remote.detect import PeerDaemon, probe_peer
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult, LinkError
from hbtui.rename.plan import HOSTS_FILE, Command, Membership, RenameNode, RenamePlan, Step

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """One command's result and verdict (``problem`` None means it passed)."""

    command: Command
    result: CommandResult | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """True when it ran and met its expectation."""
        return self.problem is None

    def lines(self) -> list[str]:
        """The command, its output and its verdict, for the wizard's log."""
        out = [self.command.shown()]
        if self.result is not None:
            out += [f"    {line}" for line in self.result.stdout.splitlines()[-20:]]
            out += [f"    ! {line}" for line in self.result.stderr.splitlines()[-20:]]
        out.append(f"    -> {'ok' if self.ok else self.problem}")
        return out


@dataclass
class StepOutcome:
    """What happened in one step."""

    step: Step
    number: int
    actions: list[CommandOutcome] = field(default_factory=list)
    checks: list[CommandOutcome] = field(default_factory=list)
    ok: bool = False
    done: bool = False

    @property
    def failures(self) -> list[CommandOutcome]:
        """The commands that failed."""
        return [c for c in (*self.actions, *self.checks) if not c.ok]


Progress = Callable[[StepOutcome], None]


async def _run_one(runner: CommandRunner, command: Command) -> CommandOutcome:
    try:
        result = await runner.run(
            command.argv, input_text=command.input_text, timeout=COMMAND_TIMEOUT_S
        )
    except LinkError as exc:
        return CommandOutcome(command, None, f"not run: {exc}")
    return CommandOutcome(command, result, command.expect.judge(result.exit_status, result.stdout))


async def _run_node_in_order(
    runner: CommandRunner, cmds: Sequence[Command], stop_on_failure: bool
) -> list[CommandOutcome]:
    done = []
    for command in cmds:
        outcome = await _run_one(runner, command)
        done.append(outcome)
        if stop_on_failure and not outcome.ok:
            break
    return done


async def _run_all(
    runners: Mapping[str, CommandRunner], cmds: Sequence[Command], stop_on_failure: bool
) -> list[CommandOutcome]:
    by_node: dict[str, list[Command]] = {}
    for command in cmds:
        by_node.setdefault(command.node, []).append(command)
    jobs = [_run_node_in_order(runners[n], c, stop_on_failure) for n, c in by_node.items()]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    out: list[CommandOutcome] = []
    for (node, node_cmds), result in zip(by_node.items(), results, strict=True):
        if isinstance(result, BaseException):
            out += [CommandOutcome(c, None, f"not run on {node}: {result}") for c in node_cmds]
        else:
            out += result
    return out


async def _checks(
    runners: Mapping[str, CommandRunner], step: Step, poll_s: float
) -> list[CommandOutcome]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + step.wait_s
    outcomes = await _run_all(runners, step.checks, stop_on_failure=False)
    while any(not o.ok for o in outcomes) and loop.time() + poll_s <= deadline:
        await asyncio.sleep(poll_s)
        retry = [o.command for o in outcomes if not o.ok]
        again = {id(o.command): o for o in await _run_all(runners, retry, False)}
        outcomes = [again.get(id(o.command), o) for o in outcomes]
    return outcomes


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
    done: list[StepOutcome] = []
    for number, step in enumerate(plan.steps, start=1):
        outcome = StepOutcome(step, number)
        if progress:
            progress(outcome)
        outcome.actions = await _run_all(runners, step.actions, stop_on_failure=True)
        if all(a.ok for a in outcome.actions):
            outcome.checks = await _checks(runners, step, poll_s)
        outcome.ok = not outcome.failures
        outcome.done = True
        log.info("rename step %d %s: %s", number, step.key, "ok" if outcome.ok else "FAILED")
        done.append(outcome)
        if progress:
            progress(outcome)
        if not outcome.ok:
            break
    return done


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
