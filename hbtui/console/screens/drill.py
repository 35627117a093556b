"""The failover drill (``D``): preflight, a yes, the moves with their times, the result.

The screen runs ``hbtui.drill.driver`` (the sequence ``hbtui drill`` runs) over the
target it is given (the app's ``Relay`` of the focused source) and keeps the report
through the ``DrillSetup.keep`` it is given, after ``DrillSetup.peer_scripts`` read the
peer's script calls into it: it opens no file itself. It dismisses with
the ``Outcome`` the app writes into the log pane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from hbtui.drill.driver import Drill, DrillSetup, DrillTarget, plan
from hbtui.drill.report import DrillReport
from hbtui.stream.source import MODE_SHORT_TITLES, NodeSource, Outcome

# sources that can move a group (watch: with the real daemon's hb_standby / hb_takeover)
DRILL_MODES = ("embedded", "attached", "demo", "watch")

CONFIRM_TEXT = (
    "The group ({vips}) is on {holder}. The drill moves it to {other} ({away} on {node}) "
    "and back ({back}), timing each move until every address is on the target and no "
    "script runs. At the first anomaly (a script failing or timing out, a stop failure, "
    "a node declared dead, a split brain, a move over {timeout:g} s) it stops and puts the "
    "group back on {holder} (not during a split brain: it says where the group is)."
)


def refusal(source: NodeSource) -> str | None:
    """Why the console cannot drill ``source`` (None: it can try; the preflight decides).
    A source watching the real daemon, here or on a peer over SSH, drills it with the
    daemon's own tools (its ``drill_target()``)."""
    make = getattr(source, "drill_target", None)
    daemon = make is not None and make() is not None
    if source.read_only and not daemon:
        return "this console only watches; nothing can move here"
    if getattr(source, "session", None) is not None and not daemon:
        return f"{source.node_name} is a peer over SSH: run the drill on that node"
    if source.mode not in DRILL_MODES:
        return f"nothing can move in a {MODE_SHORT_TITLES.get(source.mode, source.mode)}"
    return None


def moves_text(drill: Drill | None, report: DrillReport) -> str:
    """One line per move: its command, where to, the time it took (or so far)."""
    lines = []
    for move in report.moves:
        if move.ok:
            took, state = f"{move.seconds or 0:6.2f} s", "done"
        elif drill is not None and move is drill.current:
            took, state = f"{drill.elapsed():6.2f} s", "moving..."
        else:
            took, state = "     - s", "did not complete"
        lines.append(f"{move.name:8} {move.command:8} -> {move.to_node:10} {took}  {state}")
    return "\n".join(lines)


def summary(report: DrillReport, kept: str) -> str:
    """The log pane's line for a finished drill."""
    times = ", ".join(
        f"{m.name} {m.seconds:.2f} s" if m.seconds is not None else f"{m.name} incomplete"
        for m in report.moves
    )
    stopped = f" at {report.anomaly}" if report.anomaly else ""
    return f"drill {report.result}{stopped} ({times}); {kept}"


class DrillScreen(ModalScreen[Outcome]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "run", "Run"),
        Binding("a", "abort", "Abort"),
        Binding("n", "close", "Cancel"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(
        self, node: str, target: DrillTarget, started: Callable[[], str], setup: DrillSetup
    ) -> None:
        super().__init__()
        self.node, self.target, self.started, self.setup = node, target, started, setup
        self.report: DrillReport | None = None
        self.drill: Drill | None = None
        self.state = "checking"  # checking / confirm / refused / running / done
        self.outcome = Outcome(True, "cancelled, nothing done")

    @property
    def running(self) -> bool:
        return self.state == "running"

    def compose(self) -> ComposeResult:
        with Vertical(id="drill-box"):
            yield Static(f"Failover drill on {self.node}", id="drill-title")
            yield Static("Checking whether a drill is safe now...", id="drill-text")
            yield Static("", id="drill-moves")
            with Horizontal(id="drill-buttons"):
                yield Button("Run the drill (y)", variant="error", id="drill-run")
                yield Button("Abort (a)", variant="error", id="drill-abort")
                yield Button("Cancel (n)", variant="primary", id="drill-close")
        # the footer is the dashboard's, dimmed: the buttons say the keys

    def on_mount(self) -> None:
        self._show("checking")
        self.preflight()

    def _show(self, state: str, text: str | None = None) -> None:
        self.state = state
        if text is not None:
            self.query_one("#drill-text", Static).update(text)
        self.query_one("#drill-moves").display = state in ("running", "done")
        self.query_one("#drill-run").display = state == "confirm"
        self.query_one("#drill-abort").display = state == "running"
        close = self.query_one("#drill-close", Button)
        close.display = state != "running"
        close.label = "Cancel (n)" if state in ("checking", "confirm") else "Close (esc)"
        if state != "running":
            close.focus()

    @work(group="drill", exclusive=True)
    async def preflight(self) -> None:
        try:
            snap = await self.target.snapshot()
            silent = "" if snap else "it gave no snapshot (not running?)"
            if snap and self.setup.reads is not None:
                snap = await self.setup.reads(snap)  # both nodes' configs, the ha-log
        except Exception as exc:  # said in the dialog, never fatal
            snap, silent = {}, str(exc)
        self.report = report = plan(snap, self.started())
        if silent:
            report.refused = [f"{self.node} does not answer: {silent}"]
        if report.refused:
            reasons = "\n".join(f"  - {why}" for why in report.refused)
            self.outcome = Outcome(False, "drill refused: " + "; ".join(report.refused))
            self._show("refused", f"Not now; nothing was done. The preflight found:\n{reasons}")
            return
        me = report.node
        vips = ", ".join(str(v.get("ip")) for v in snap.get("vips", []))
        other = report.peer if report.holder == me else me
        away, back = ("standby", "takeover") if report.holder == me else ("takeover", "standby")
        text = CONFIRM_TEXT.format(vips=vips, holder=report.holder, other=other, node=me,
                                   away=away, back=back, timeout=self.setup.timeout_s)  # fmt: skip
        where = "kept in the state directory" if self.setup.keep else "not kept (no state dir)"
        noted = "".join(f"\n  - {note}" for note in report.notes)
        noted = f"\nThe preflight notes:{noted}" if noted else ""
        self._show("confirm", f"{text} The report is {where}.{noted}")

    def action_run(self) -> None:
        if self.state == "confirm" and self.report is not None:
            self.report.started = self.started()  # the drill's time, not the dialog's
            self._show("running", "Running: the group moves away and back. a aborts it (the "
                       "group is put back).")  # fmt: skip
            self.run_drill(self.report)

    def _progress(self, drill: Drill) -> None:
        for moves in self.query("#drill-moves").results(Static):  # none while it closes
            moves.update(moves_text(drill, drill.report))

    @work(group="drill", exclusive=True)
    async def run_drill(self, report: DrillReport) -> None:
        self.drill = Drill(self.target, report, timeout_s=self.setup.timeout_s,
                           clock=self.setup.clock, on_change=self._progress)  # fmt: skip
        await self.drill.run()
        if self.setup.peer_scripts is not None:
            try:
                await self.setup.peer_scripts(report)  # the peer's scripts, its ha-log
            except Exception as exc:  # said in the report, never fatal
                report.peer_unread = f"{report.peer}: {exc}"
        kept = "report not kept (no state dir)"
        if self.setup.keep is not None:
            try:
                kept = f"report: {await self.setup.keep(report)}"
            except Exception as exc:  # a full disk must not hide the result
                kept = f"report not kept: {exc}"
        self.outcome = Outcome(report.result == "passed", summary(report, kept))
        result = "Passed." if report.result == "passed" else f"Aborted at {report.anomaly}."
        if report.not_restored:
            result += f" NOT put back: {report.not_restored}."
        elif report.anomaly and report.moves and report.moves[-1].name == "restore":
            back = "put back" if report.moves[-1].ok else "NOT put back"
            result += f" The group was {back} on {report.holder}."
        self._show("done", f"{result}\n{report.scripts_line()}\n{kept}")

    def action_abort(self) -> None:
        if self.running and self.drill is not None:
            self.drill.stop()
            self.query_one("#drill-text", Static).update(
                "Aborting: the move under way ends, then the group is put back where it was..."
            )

    def action_close(self) -> None:
        if self.running:
            self.notify("the drill is running: a aborts it (the group is put back)", timeout=3)
            return
        self.dismiss(self.outcome)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"drill-run": self.action_run, "drill-abort": self.action_abort}
        actions.get(event.button.id or "", self.action_close)()
