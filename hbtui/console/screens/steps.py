"""How the wizards (hostname change, move to Pacemaker) show a procedure's steps: one line
each with its state, and each finished step's commands with their output and verdict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Button, RichLog, Static

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


class ProcedureScreen(Screen[None]):
    """What the two wizard screens share: the output pane, the step list, a plan shown with
    its problems (the run button only for a plan without), and no closing mid-run.
    Subclasses compose ``#rename-steps``, ``#rename-log`` and a run button ``RUN_ID``."""

    RUN_ID: ClassVar[str] = "rename-run"
    PLAN_ID: ClassVar[str] = "rename-plan"
    BUSY: ClassVar[str] = "a run is in progress; wait for it to finish"

    def __init__(self, screen_id: str) -> None:
        super().__init__(id=screen_id)
        self.plan: Any = None  # the plan shown (a RenamePlan or a CutoverPlan)
        self.running = False
        self.outcomes: list[StepOutcome] = []

    @property
    def log_view(self) -> RichLog:
        """The output pane."""
        return self.query_one("#rename-log", RichLog)

    def _show_steps(self) -> None:
        steps = self.plan.steps if self.plan is not None else ()
        self.query_one("#rename-steps", Static).update(steps_text(steps, self.outcomes))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The form's Plan and Run buttons, as ``p`` and ``ctrl+r``."""
        if event.button.id == self.PLAN_ID:
            self.action_plan()
        elif event.button.id == self.RUN_ID:
            self.action_run()

    def action_plan(self) -> None:
        """Read the nodes and show the plan (changes nothing; not while a run goes on)."""
        if not self.running:
            self._build_plan()

    def _build_plan(self) -> Any:
        """Read the nodes and show the plan (a worker in each wizard)."""
        raise NotImplementedError

    def action_run(self) -> None:
        """Run the plan after an explicit yes (each wizard asks its own question)."""
        raise NotImplementedError

    def show_plan(self, plan: Any) -> None:
        """The dry run in the pane; the run button only when nothing forbids the plan."""
        self.plan, self.outcomes = plan, []
        for line in plan.lines():
            self.log_view.write(Text(line, style="bold red" if "PROBLEM" in line else ""))
        ok = not plan.problems
        self.query_one(f"#{self.RUN_ID}", Button).disabled = not ok
        if not ok:
            self.log_view.write(Text("fix the problems above, then plan again", style="bold"))
        self._show_steps()

    def action_close(self) -> None:
        """Back to the dashboard (refused while a run is in progress)."""
        if self.running:
            self.log_view.write(Text(self.BUSY, style="bold"))
            return
        self.dismiss(None)
