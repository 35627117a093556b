"""The support bundle (``B``): the log window and the opt-in capture asked, then every
node collected (as ``hbtui report``) and where the tar.gz went, with what could not be
collected.

The screen calls the ``BundleSetup.make`` it is given (the command's, over the console's
own SSH links) in a worker: it opens no link and no file itself. It dismisses with the
``Outcome`` the app writes into the log pane (None: nothing was made).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from hbtui.report.ask import BundleAsk, Bundled, BundleSetup, parse_span
from hbtui.stream.source import Outcome

ABOUT = (
    "Collects from {nodes} over the console's SSH links: ha.cf, haresources, authkeys "
    "(keys as sha256 prefixes), hb_uuid, the window's ha-log, status, versions, addresses, "
    "and a post-mortem. One tar.gz (mode 600) in {directory}."
)


def result_text(done: Bundled) -> str:
    """Where the bundle went and what it lacks, for the dialog."""
    lines = [f"Written: {done.path}", f"From: {', '.join(done.nodes) or 'no node'}"]
    if done.missing:
        lines.append("Not collected:")
        lines += [f"  - {why}" for why in done.missing]
    else:
        lines.append("Everything was collected.")
    return "\n".join(lines)


class ReportScreen(ModalScreen[Outcome | None]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, nodes: list[str], setup: BundleSetup) -> None:
        super().__init__()
        self.nodes, self.setup = nodes, setup
        self.state = "ask"  # ask / collecting / done / failed
        self.outcome: Outcome | None = None
        self.asked = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="report-box"):
            yield Static("Support bundle (hbtui report)", id="report-title")
            about = ABOUT.format(nodes=", ".join(self.nodes), directory=self.setup.directory)
            yield Static(about, id="report-about")
            with Horizontal(classes="report-row"):
                yield Label("Logs of the last ")
                yield Input("1h", id="report-window")
                yield Label(" (30m, 2h, 1d)")
            with Horizontal(classes="report-row"):
                yield Checkbox("capture udp/694 here for", id="report-capture")
                yield Input("30", id="report-seconds")
                yield Label(" s")
            yield Static("", id="report-text")
            with Horizontal(id="report-buttons"):
                yield Button("Make the bundle (enter)", variant="primary", id="report-run")
                yield Button("Cancel (esc)", id="report-close")

    def on_mount(self) -> None:
        self.query_one("#report-window", Input).focus()

    def ask(self) -> BundleAsk | str:
        """The window and capture from the form, or what is wrong with them."""
        try:
            since = datetime.now() - parse_span(self.query_one("#report-window", Input).value)
        except ValueError as exc:
            return f"Window: {exc}"
        capture = 0.0
        if self.query_one("#report-capture", Checkbox).value:
            seconds = self.query_one("#report-seconds", Input).value.strip()
            try:
                capture = float(seconds)
            except ValueError:
                capture = -1
            if not 0 < capture <= 600:
                return f"Capture: seconds from 1 to 600, not {seconds!r}"
        return BundleAsk(since=since.replace(microsecond=0), capture_s=capture)

    def action_run(self) -> None:
        if self.state not in ("ask", "failed"):
            return
        ask = self.ask()
        if isinstance(ask, str):
            self._show("ask", ask)
            return
        span = self.query_one("#report-window", Input).value.strip()
        capture = f", capturing udp/694 for {ask.capture_s:g} s" if ask.capture_s else ""
        self.asked = f"Logs of the last {span}{capture.replace(', capturing', '; captured')}."
        self._show("collecting", f"Collecting from {', '.join(self.nodes)}{capture}...")
        self.make(ask)

    def _show(self, state: str, text: str) -> None:
        self.state = state
        self.query_one("#report-text", Static).update(text)
        for field in self.query(".report-row *"):
            field.disabled = state == "collecting"
        for row in self.query(".report-row"):
            row.display = state != "done"  # the result says what was asked
        self.query_one("#report-run").display = state in ("ask", "failed")
        close = self.query_one("#report-close", Button)
        close.label = "Close (esc)" if state == "done" else "Cancel (esc)"
        close.disabled = state == "collecting"
        if state == "done":
            close.focus()

    @work(group="report", exclusive=True)
    async def make(self, ask: BundleAsk) -> None:
        try:
            done = await self.setup.make(ask)
        except Exception as exc:  # an unwritable directory: said, the form stays
            self.outcome = Outcome(False, f"support bundle not written: {exc}")
            self._show("failed", f"Not written: {exc}")
            return
        unreachable = [why for why in done.missing if ": unreachable: " in why]
        said = "".join(f"; {why}" for why in unreachable)
        self.outcome = Outcome(not unreachable, f"support bundle: {done.summary()}{said}")
        self._show("done", f"{self.asked}\n{result_text(done)}")

    def action_close(self) -> None:
        if self.state == "collecting":
            self.notify("collecting: the bundle is being written", timeout=3)
            return
        self.dismiss(self.outcome)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        (self.action_run if event.button.id == "report-run" else self.action_close)()
