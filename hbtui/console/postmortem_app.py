"""``hbtui postmortem`` in the console: the incident's timeline as a table, the chosen
entry's why, phases and log lines below it, and the other findings (problems, late
heartbeats, script calls) one key away. Reads a finished ``Report``; nothing is live.

Keys: up/down choose an entry, ``v`` switches the lower pane between the entry and the
findings, ``q`` quits. Fits 80x24: the table keeps time, kind and nodes; the rest wraps.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from hbtui.postmortem.model import PHASES, Entry, Report
from hbtui.postmortem.render import PHASE_LABELS, text_lines
from hbtui.postmortem.timeline import hms

KIND_STYLES = {"failover": "bold red", "split_brain": "bold white on red", "heal": "yellow"}


def summary(report: Report) -> str:
    """The header line: nodes, files, span, notes."""
    span = ""
    if report.first and report.last:
        span = f" · {report.first:%Y-%m-%d %H:%M:%S} to {report.last:%H:%M:%S}"
    head = f"post-mortem of {', '.join(report.nodes) or '?'} · {len(report.files)} file(s){span}"
    return "\n".join([head, *(f"note: {note}" for note in report.notes)])


def entry_text(entry: Entry) -> Text:
    """One entry in full: why, each phase with its time, the log lines it stands on."""
    text = Text()
    text.append(f"{entry.kind.value} {entry.from_node} → {entry.to_node}", style="bold")
    if entry.resources:
        text.append(f"  [{' '.join(entry.resources)}]")
    text.append(f"\nwhy: {entry.why}\n")
    for phase in PHASES:
        if phase in entry.phases:
            text.append(f"  {PHASE_LABELS[phase]:<14}", style="bold")
            text.append(f"{hms(entry.phases[phase])}\n")
    for where in entry.where:
        text.append(f"  from {where}\n", style="dim")
    return text


def findings_text(report: Report) -> Text:
    """Late heartbeats, script calls and problems (the text report's later sections);
    failed calls and problems in red."""
    lines = text_lines(report)
    start = next(
        i for i, line in enumerate(lines) if line.startswith(("late", "resource", "problems"))
    )
    text = Text()
    in_problems = False
    for line in lines[start:]:
        in_problems = in_problems or line.startswith("problems:")
        failed = "FAILED" in line or (in_problems and line.startswith("  "))
        text.append(line + "\n", style="bold red" if failed else "")
    return text


class PostmortemScreen(Screen[None]):
    """The report's timeline, the chosen entry and the findings (see the module docstring);
    ``hbtui postmortem`` shows it as an app, the console pushes it (``P``, escape closes)."""

    DEFAULT_CSS = """
    #pm-summary { height: auto; max-height: 4; background: $panel; }
    #pm-table { height: auto; max-height: 40%; min-height: 3; }
    #pm-detail { height: 1fr; min-height: 8; border: round $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "switch", "Entry / findings"),
        Binding("escape", "close", "Close", show=False),
    ]

    def __init__(self, report: Report, closable: bool = False) -> None:
        super().__init__()
        self.report = report
        self.closable = closable  # pushed over the console: escape goes back to it
        self.showing = "entry"

    def compose(self) -> ComposeResult:
        yield Static(summary(self.report), id="pm-summary")
        yield DataTable(id="pm-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="pm-detail"):
            yield Static(id="pm-text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when", "what", "from → to", "resources")
        days = {entry.at.date() for entry in self.report.entries}
        when = "%H:%M:%S" if len(days) == 1 else "%m-%d %H:%M:%S"  # the day is in the summary
        for entry in self.report.entries:
            style = KIND_STYLES.get(entry.kind.value, "")
            table.add_row(
                entry.at.strftime(when),
                Text(entry.kind.value, style=style),
                f"{entry.from_node} → {entry.to_node}",
                " ".join(entry.resources),
            )
        if not self.report.entries:
            self.showing = "findings"
        self.show_detail(0)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted entry's details below."""
        self.showing = "entry"
        self.show_detail(event.cursor_row)

    def show_detail(self, row: int) -> None:
        """The lower pane: the entry at ``row``, or the findings."""
        detail = self.query_one("#pm-detail", VerticalScroll)
        text = self.query_one("#pm-text", Static)
        if self.showing == "entry" and 0 <= row < len(self.report.entries):
            detail.border_title = "entry (v: findings)"
            text.update(entry_text(self.report.entries[row]))
        else:
            detail.border_title = "findings (v: entry)"
            text.update(findings_text(self.report))

    def action_switch(self) -> None:
        """``v``: entry details <-> findings."""
        self.showing = "findings" if self.showing == "entry" else "entry"
        self.show_detail(self.query_one(DataTable).cursor_row)

    def action_close(self) -> None:
        """Back to the console's dashboard (when opened from it)."""
        if self.closable:
            self.dismiss(None)


class PostmortemApp(App[None]):
    """``hbtui postmortem`` on a terminal: the screen alone, ``q`` quits."""

    TITLE = "hbtui postmortem"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report

    def on_mount(self) -> None:
        self.push_screen(PostmortemScreen(self.report))
