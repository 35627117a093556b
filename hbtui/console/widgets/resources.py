"""The Resources pane: each haresources resource with its last status, and the live
output of every resource script call with exit code and duration."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from hbtui.console.model import FAILURE_WORDS, ConsoleModel
from hbtui.engine import events as ev
from hbtui.stream.items import SourceItem


class ResourcesPanel(Vertical):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="resources", classes="pane")
        self.border_title = "Resources"
        self._shown_key: object = None

    def compose(self) -> ComposeResult:
        yield Static(id="resource-status")
        yield RichLog(id="script-output", max_lines=500, wrap=True, min_width=20)

    def show(self, model: ConsoleModel) -> None:
        """Redraw the status table (nothing to do when no status changed)."""
        key = tuple(model.resources.items())
        if key == self._shown_key:
            return
        self._shown_key = key
        table = Table.grid(padding=(0, 2))
        for token, status in model.resources.items():
            style = "green" if status.startswith("running") else ""
            if any(word in status for word in FAILURE_WORDS):
                style = "bold red"
            table.add_row(Text(token, style="bold"), Text(status, style=style))
        self.query_one("#resource-status", Static).update(table)

    def replay(self, model: ConsoleModel) -> None:
        """Start over from ``model``: its statuses and every script call it kept."""
        self._shown_key = None
        out = self.query_one("#script-output", RichLog)
        out.clear()
        for call in model.scripts.values():
            out.write(Text("$ " + " ".join(call.argv), style="bold cyan"))
            for stream, line in call.lines:
                out.write(Text("  " + line, style="red" if stream == "stderr" else ""))
            if call.ended_ms is not None:
                what = "timed out" if call.timed_out else f"exit {call.rc}"
                ok = call.rc == 0 and not call.timed_out
                took = f" in {call.ended_ms - call.started_ms} ms"
                out.write(Text(f"  -> {what}{took}", style="green" if ok else "bold red"))
        self.show(model)

    def on_item(self, item: SourceItem, model: ConsoleModel) -> None:
        """Append script calls and their output as they happen."""
        out = self.query_one("#script-output", RichLog)
        if isinstance(item, ev.ScriptStarted):
            limit = "" if item.timeout_ms is None else f"  [timeout {item.timeout_ms / 1000:g} s]"
            out.write(Text("$ " + " ".join(item.argv) + limit, style="bold cyan"))
        elif isinstance(item, ev.ScriptOutput):
            style = "red" if item.stream == "stderr" else ""
            out.write(Text("  " + item.line, style=style))
        elif isinstance(item, ev.ScriptExited):
            call = model.scripts.get(item.request_id)
            took = "" if call is None else f" in {item.at_ms - call.started_ms} ms"
            what = "timed out" if item.timed_out else f"exit {item.rc}"
            ok = item.rc == 0 and not item.timed_out
            out.write(Text(f"  -> {what}{took}", style="green" if ok else "bold red"))
