"""The Log pane: ha-log lines as they are written, level colours, a filter box."""

from __future__ import annotations

from collections import deque
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, RichLog

from hbtui.console.model import ConsoleModel
from hbtui.stream.items import LogLine

LEVEL_STYLES = {
    "debug": "dim",
    "info": "",
    "WARN": "yellow",
    "ERROR": "bold red",
    "CRIT": "bold white on red",
}
REFILTER_KEEP = 2000


class LogPane(Vertical):
    """See the module docstring; the filter is a case-insensitive substring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_filter", "Leave filter", show=True),
    ]

    def __init__(self, model: ConsoleModel) -> None:
        super().__init__(id="log", classes="pane")
        self.border_title = "Log"
        self._model = model
        self.filter_text = ""
        self._shown: deque[str] = deque(maxlen=REFILTER_KEEP)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter (e.g. WARN, server1, failback)", id="log-filter")
        yield RichLog(id="log-lines", max_lines=REFILTER_KEEP, wrap=True, min_width=40)

    def add(self, line: LogLine) -> None:
        """Show one new line if it matches the filter."""
        if self._matches(line):
            self._shown.append(line.text)
            self.query_one("#log-lines", RichLog).write(_styled(line))

    def _matches(self, line: LogLine) -> bool:
        return not self.filter_text or self.filter_text.lower() in line.text.lower()

    @on(Input.Changed, "#log-filter")
    def _refilter(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._refill()

    def _refill(self) -> None:
        lines = self.query_one("#log-lines", RichLog)
        lines.clear()
        self._shown.clear()
        shown = [line for line in self._model.log if self._matches(line)][-REFILTER_KEEP:]
        for line in shown:
            self._shown.append(line.text)
            lines.write(_styled(line))

    def show_model(self, model: ConsoleModel) -> None:
        """Show another node's log (the focused node changed); the filter stays."""
        self._model = model
        self._refill()

    def action_leave_filter(self) -> None:
        """Give the keys back to the dashboard (the filter text stays)."""
        self.screen.set_focus(None)

    def shown_text(self) -> list[str]:
        """(tests) The log lines on display (whole lines, however they wrap)."""
        return list(self._shown)


def _styled(line: LogLine) -> Text:
    return Text(line.text, style=LEVEL_STYLES.get(line.level, ""))
