"""How the wizards (hostname change, move to Pacemaker) show a procedure's steps: one line
each with its state, and each finished step's commands with their output and verdict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:  # the procedure runs elsewhere: the console only shows its outcomes
    from hbtui.remote.procedure import Step, StepOutcome

MARKS = {"waiting": ("  ", "dim"), "running": ("..", "bold yellow"),
         "ok": ("ok", "green"), "failed": ("!!", "bold red")}  # fmt: skip


def steps_text(steps: Sequence[Step], outcomes: Iterable[StepOutcome]) -> Text:
    """Every step, numbered, marked waiting, running, ok or failed."""
    done = {o.number: o for o in outcomes}
    text = Text()
    for number, step in enumerate(steps, start=1):
        outcome = done.get(number)
        if outcome is None:
            state = "waiting"
        elif not outcome.done:
            state = "running"
        else:
            state = "ok" if outcome.ok else "failed"
        mark, style = MARKS[state]
        text.append(f"{mark} {number}. {step.title}\n", style=style)
    return text


def outcome_lines(outcome: StepOutcome) -> list[str]:
    """A finished step's commands, their output and their verdicts."""
    return [line for command in (*outcome.actions, *outcome.checks) for line in command.lines()]
