"""The guided hostname change (``h``): choose node and new name, see the plan, run it.

The screen runs nothing itself: it is given ``make_plan(old, new)`` (reads every node and
builds the plan) and ``execute(plan, progress)`` (the executor over the links); both come
from ``hbtui.rename.wizard.wizard_backend(runners)``. Enter in the name field (or ``p``
elsewhere) shows the dry run; ``ctrl+r``
runs it after an explicit yes; it stops at the first failed step and shows what to do next.
A complete run posts ``RenameScreen.Renamed`` so the app can reopen its sources under the
new names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, RichLog, Select, Static

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.steps import ProcedureScreen, outcome_lines

if TYPE_CHECKING:  # the backend is injected: the console imports nothing that does I/O
    from hbtui.rename.execute import StepOutcome
    from hbtui.rename.plan import RenamePlan
    from hbtui.rename.wizard import Execute, MakePlan

RUN_TEXT = (
    "Stops heartbeat on ALL nodes, deletes every hb_uuid, renames {old} to {new} and "
    "rewrites the node lines on every node, then starts them all again. The cluster is "
    "down while this runs. Each changed file is kept as FILE.hbtui-bak."
)


class RenameScreen(ProcedureScreen):
    """See the module docstring."""

    class Renamed(Message):
        """Every step of a run passed: ``old`` is now called ``new`` on every node."""

        def __init__(self, old: str, new: str) -> None:
            super().__init__()
            self.old = old
            self.new = new

    CSS_PATH = Path(__file__).with_name("rename.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "plan", "Plan (dry run)"),
        Binding("ctrl+r", "run", "Run"),
        Binding("escape", "close", "Close"),
    ]

    BUSY = "a rename is running; wait for it to finish"

    def __init__(self, nodes: Sequence[str], make_plan: MakePlan, execute: Execute) -> None:
        super().__init__("rename-screen")
        self.nodes = list(nodes)
        self.make_plan = make_plan
        self.execute = execute

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box"):
            yield Static("Change a node's hostname (Heartbeat HOWTO procedure)", id="rename-title")
            with Horizontal(id="rename-form"):
                options = [(n, n) for n in self.nodes]
                first = self.nodes[-1] if self.nodes else Select.BLANK
                yield Select(options, value=first, allow_blank=False, id="rename-node")
                yield Input(placeholder="new name, Enter = plan", id="rename-new")
                yield Button("Plan (p)", id="rename-plan")
                yield Button("Run (ctrl+r)", variant="error", id="rename-run", disabled=True)
            yield Static("", id="rename-steps")
            yield RichLog(id="rename-log", wrap=False, markup=False, max_lines=2000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rename-new", Input).focus()  # typing goes into the name

    def _chosen(self) -> tuple[str, str]:
        old = self.query_one("#rename-node", Select).value
        new = self.query_one("#rename-new", Input).value.strip().lower()
        return (str(old) if old is not Select.BLANK else ""), new

    @on(Input.Submitted, "#rename-new")
    def _name_entered(self) -> None:
        self.action_plan()

    @work(exclusive=True, group="rename")
    async def _build_plan(self) -> None:
        old, new = self._chosen()
        if not old or not new:
            self.log_view.write(Text("choose the node and type its new name", style="yellow"))
            return
        self.log_view.write(Text(f"reading {', '.join(self.nodes)} ...", style="dim"))
        try:
            plan = await self.make_plan(old, new)
        except Exception as exc:  # a failed read is shown, never fatal
            self.log_view.write(Text(f"could not build the plan: {exc}", style="bold red"))
            return
        self.show_plan(plan)

    def action_run(self) -> None:
        """Run the plan after an explicit yes."""
        plan = self.plan
        if plan is None or plan.problems or self.running:
            self.log_view.write(Text("make a plan first (p)", style="yellow"))
            return
        text = RUN_TEXT.format(old=plan.old, new=plan.new)

        def answered(yes: bool | None) -> None:
            if yes:
                self._run_plan(plan)

        self.app.push_screen(
            ConfirmScreen(f"Rename {plan.old} to {plan.new}?", text, "Rename"), answered
        )

    def _progress(self, outcome: StepOutcome) -> None:
        self.outcomes = [o for o in self.outcomes if o.number != outcome.number] + [outcome]
        if outcome.done:
            for line in outcome_lines(outcome):
                self.log_view.write(line)
            if not outcome.ok:
                self.log_view.write(
                    Text(f"STOPPED at step {outcome.number}: {outcome.step.on_failure}",
                         style="bold red")
                )  # fmt: skip
        else:
            self.log_view.write(Text(f"{outcome.number}. {outcome.step.title}", style="bold"))
        self._show_steps()

    @work(exclusive=True, group="rename")
    async def _run_plan(self, plan: RenamePlan) -> None:
        self.running = True
        self.query_one("#rename-run", Button).disabled = True
        try:
            outcomes = await self.execute(plan, self._progress)
        except Exception as exc:
            self.log_view.write(Text(f"rename aborted: {exc}", style="bold red"))
            return
        finally:
            self.running = False
        if outcomes and all(o.ok for o in outcomes) and len(outcomes) == len(plan.steps):
            self.log_view.write(Text(f"done: {plan.old} is now {plan.new}", style="bold green"))
            self.nodes = [plan.new if n == plan.old else n for n in self.nodes]
            chooser = self.query_one("#rename-node", Select)
            chooser.set_options([(n, n) for n in self.nodes])
            chooser.value = plan.new
            self.plan = None  # the next run needs a plan over the new names
            self.post_message(self.Renamed(plan.old, plan.new))
