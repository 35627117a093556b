"""A procedure run over command runners on several nodes: steps of per-node commands, each
with checks (retried up to a bound) and the commands that undo it (rollback).

Within a step the nodes act concurrently, each node's commands in order; one node's failure
never hides another's result (``gather(..., return_exceptions=True)``). The hostname wizard
(``hbtui.rename``) and the move to Pacemaker (``hbtui.cutover``) are procedures.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hbtui.remote.commands import Argv
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult, LinkError

log = logging.getLogger(__name__)
T = TypeVar("T")

COMMAND_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Expect:
    """What a check command must show; whitespace-normalised text comparisons."""

    exit_ok: bool | None = True  # True: exit 0; False: non-zero; None: any
    equals: str | None = None
    contains: str | None = None
    differs_from: str | None = None  # and not empty

    def judge(self, exit_status: int | None, stdout: str) -> str | None:
        """None when satisfied, else why not."""
        ok = exit_status == 0
        if self.exit_ok is not None and ok != self.exit_ok:
            want = "exit 0" if self.exit_ok else "a non-zero exit"
            return f"wanted {want}, got exit {exit_status}"
        text = " ".join(stdout.split())
        if self.equals is not None and text != " ".join(self.equals.split()):
            return "content differs from what was expected"
        if self.contains is not None and self.contains not in stdout:
            return f"output does not mention {self.contains!r}"
        if self.differs_from is not None and (not text or text == self.differs_from):
            return "unchanged" if text else "empty"
        return None


@dataclass(frozen=True, slots=True)
class Command:
    """One argv to run on one node (``input_text`` goes to its stdin)."""

    node: str
    argv: Argv
    input_text: str | None = None
    expect: Expect = Expect()

    def shown(self) -> str:
        """``node$ shell line`` (with a note when stdin carries a file)."""
        note = f"  < ({len(self.input_text)} bytes)" if self.input_text is not None else ""
        return f"{self.node}$ {shlex.join(self.argv)}{note}"


@dataclass(frozen=True, slots=True)
class Step:
    """One stage of the procedure, and how to undo it when it or a later one fails."""

    key: str
    title: str
    actions: tuple[Command, ...]
    checks: tuple[Command, ...]
    on_failure: str
    wait_s: float = 0.0  # checks are retried until they pass or this bound passes
    rollback: tuple[Command, ...] = ()  # run newest step first, every command tried
    rollback_checks: tuple[Command, ...] = ()  # what must hold once it is undone
    undoing: bool = False  # this step undoes another (built by ``undo``)

    def undo(self) -> Step | None:
        """The step that undoes this one (None: nothing to undo)."""
        if not self.rollback and not self.rollback_checks:
            return None
        return Step(
            f"undo-{self.key}",
            f"Undo: {self.title}",
            self.rollback,
            self.rollback_checks,
            "the rollback did not complete: finish it by hand (the commands are above)",
            wait_s=self.wait_s,
            undoing=True,
        )


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


async def _run_step(
    step: Step,
    number: int,
    runners: Mapping[str, CommandRunner],
    progress: Progress | None,
    poll_s: float,
    what: str,
    *,
    undoing: bool,
) -> StepOutcome:
    """One step: its actions (an undo tries every one), then its checks if they all ran."""
    outcome = StepOutcome(step, number)
    if progress:
        progress(outcome)
    outcome.actions = await _run_all(runners, step.actions, stop_on_failure=not undoing)
    if undoing or all(a.ok for a in outcome.actions):
        outcome.checks = await _checks(runners, step, poll_s)
    outcome.ok = not outcome.failures
    outcome.done = True
    log.info("%s step %d %s: %s", what, number, step.key, "ok" if outcome.ok else "FAILED")
    if progress:
        progress(outcome)
    return outcome


def step_lines(steps: Sequence[Step]) -> list[str]:
    """The dry run of ``steps``: each with its commands, checks, bound, undo and advice."""
    out: list[str] = []
    for number, step in enumerate(steps, start=1):
        out.append(f"{number}. {step.title}")
        out += [f"     run   {c.shown()}" for c in step.actions]
        out += [f"     check {c.shown()}" for c in step.checks]
        if step.wait_s:
            out.append(f"     (checks retried for up to {step.wait_s:g} s)")
        out += [f"     undo  {c.shown()}" for c in step.rollback]
        out += [f"     then  {c.shown()}" for c in step.rollback_checks]
        out.append(f"     if it fails: {step.on_failure}")
    return out


async def _run_sequence(
    steps: Sequence[Step],
    runners: Mapping[str, CommandRunner],
    progress: Progress | None,
    poll_s: float,
    what: str,
    *,
    undoing: bool,
) -> list[StepOutcome]:
    """``steps`` in order, stopping after the first that does not hold (the last outcome)."""
    done: list[StepOutcome] = []
    for number, step in enumerate(steps, start=1):
        outcome = await _run_step(step, number, runners, progress, poll_s, what, undoing=undoing)
        done.append(outcome)
        if not outcome.ok:
            break
    return done


async def run_steps(
    steps: Sequence[Step],
    runners: Mapping[str, CommandRunner],
    *,
    progress: Progress | None = None,
    poll_s: float = 1.0,
    what: str = "procedure",
) -> list[StepOutcome]:
    """Run ``steps`` in order, stopping at the first that fails (the last outcome)."""
    return await _run_sequence(steps, runners, progress, poll_s, what, undoing=False)


async def roll_back(
    done: Sequence[StepOutcome],
    runners: Mapping[str, CommandRunner],
    *,
    progress: Progress | None = None,
    poll_s: float = 1.0,
    what: str = "procedure",
) -> list[StepOutcome]:
    """Undo the steps of ``done`` (the failed one included), newest first, each with all its
    commands tried. It stops at an undo whose checks do not hold: the next one may depend on
    it (Heartbeat must not start again while Pacemaker may still run the VIP)."""
    steps = [undo for o in reversed(done) if (undo := o.step.undo()) is not None]
    return await _run_sequence(steps, runners, progress, poll_s, what, undoing=True)


async def read_every(names: Sequence[str], read: Callable[[str], Awaitable[T]]) -> list[T]:
    """``read(name)`` for every node at once, in order; one LinkError naming every node that
    could not be read (one unreachable node never hangs the others)."""
    results = await asyncio.gather(*(read(n) for n in names), return_exceptions=True)
    failed = [
        f"{name}: {result}"
        for name, result in zip(names, results, strict=True)
        if isinstance(result, BaseException)
    ]
    if failed:
        raise LinkError("cannot read every node: " + "; ".join(failed))
    return [r for r in results if not isinstance(r, BaseException)]
