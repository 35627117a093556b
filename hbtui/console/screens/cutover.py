"""The move to Corosync + Pacemaker (``M``): read every node, show the plan, run it.

Like the hostname wizard, the screen runs nothing itself: ``make_plan()`` reads every node
and plans the move, ``execute(plan, progress)`` runs it with its rollback; both come from
``hbtui.cutover.wizard.cutover_backend``. The plan is read when the screen opens (``p``
reads it again); ``ctrl+r`` runs it after an explicit yes. The result says whether the
cluster now runs on Pacemaker, was rolled back to Heartbeat/hbtui, or needs a hand. The
screen posts ``Planned`` once a read ends and ``Ended`` once a run ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, RichLog, Static

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.steps import ProcedureScreen, outcome_lines

if TYPE_CHECKING:  # the backend is injected: the console imports nothing that does I/O
    from hbtui.cutover.plan import CutoverPlan
    from hbtui.cutover.wizard import ExecuteCutover, MakeCutoverPlan
    from hbtui.remote.procedure import StepOutcome

RUN_TEXT = (
    "Writes the Corosync and Pacemaker configuration on every node, stops {daemon} on ALL "
    "nodes, starts Corosync + Pacemaker, loads the CIB and checks that every group runs on "
    "its home node. The VIP is down from the stop until Pacemaker starts it. A failed step "
    "is undone back to {daemon}; /etc/ha.d is kept in the backup directory."
)


class CutoverScreen(ProcedureScreen):
    """See the module docstring."""

    class Planned(Message):
        """A read of every node ended: ``plan`` is shown, or None when it failed."""

        def __init__(self, plan: CutoverPlan | None) -> None:
            super().__init__()
            self.plan = plan

    class Ended(Message):
        """A run ended: ``summary`` says moved, rolled back or needing a hand (None: aborted)."""

        def __init__(self, summary: str | None) -> None:
            super().__init__()
            self.summary = summary

    CSS_PATH = Path(__file__).with_name("rename.tcss")  # the same layout as the rename wizard
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "plan", "Plan again"),
        Binding("ctrl+r", "run", "Run"),
        Binding("escape", "close", "Close"),
    ]

    RUN_ID = "cutover-run"
    PLAN_ID = "cutover-plan"
    BUSY = "the move is running; wait for it to finish"

    def __init__(self, make_plan: MakeCutoverPlan, execute: ExecuteCutover) -> None:
        super().__init__("cutover-screen")
        self.make_plan = make_plan
        self.execute = execute
        self.summary: str | None = None  # the last run's result (tests read it)

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box"):
            yield Static("Move this cluster to Corosync + Pacemaker", id="rename-title")
            with Horizontal(id="rename-form"):
                yield Button("Plan again (p)", id="cutover-plan")
                yield Button("Run (ctrl+r)", variant="error", id="cutover-run", disabled=True)
            yield Static("", id="rename-steps")
            yield RichLog(id="rename-log", wrap=False, markup=False, max_lines=4000)
        yield Footer()

    def on_mount(self) -> None:
        self.action_plan()

    @work(exclusive=True, group="cutover")
    async def _build_plan(self) -> None:
        self.log_view.write(Text("reading every node ...", style="dim"))
        try:
            plan = await self.make_plan()
        except Exception as exc:  # a failed read is shown, never fatal
            self.log_view.write(Text(f"could not build the plan: {exc}", style="bold red"))
            self.post_message(self.Planned(None))
            return
        self.show_plan(plan)
        self.post_message(self.Planned(plan))

    def action_run(self) -> None:
        """Run the plan after an explicit yes."""
        plan = self.plan
        if plan is None or plan.problems or self.running:
            self.log_view.write(Text("no plan to run yet (p)", style="yellow"))
            return
        daemon = plan.nodes[0].service.daemon if plan.nodes else "heartbeat"

        def answered(yes: bool | None) -> None:
            if yes:
                self._run_plan(plan)

        text = RUN_TEXT.format(daemon=daemon)
        self.app.push_screen(ConfirmScreen("Move to Pacemaker now?", text, "Move"), answered)

    def _progress(self, outcome: StepOutcome) -> None:
        undoing = outcome.step.undoing
        if not undoing:
            self.outcomes = [o for o in self.outcomes if o.number != outcome.number] + [outcome]
        if not outcome.done:
            self.log_view.write(Text(f"{outcome.step.title}", style="bold"))
        else:
            for line in outcome_lines(outcome):
                self.log_view.write(line)
            if not outcome.ok and not undoing:
                self.log_view.write(Text(f"FAILED: {outcome.step.on_failure}", style="bold red"))
        self._show_steps()

    @work(exclusive=True, group="cutover")
    async def _run_plan(self, plan: CutoverPlan) -> None:
        self.running = True
        self.query_one("#cutover-run", Button).disabled = True
        try:
            outcome = await self.execute(plan, self._progress)
        except Exception as exc:
            self.log_view.write(Text(f"move aborted: {exc}", style="bold red"))
            self.post_message(self.Ended(None))  # handled after ``running`` is cleared
            return
        finally:
            self.running = False
        self.summary = outcome.summary()
        style = (
            "bold green"
            if outcome.ok
            else ("bold yellow" if outcome.rolled_back else "bold white on red")
        )
        self.log_view.write(Text(self.summary, style=style))
        self.plan = None  # the next run needs a fresh read of every node
        self.post_message(self.Ended(self.summary))
