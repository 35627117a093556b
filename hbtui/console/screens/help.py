"""The ``?`` screen: every key and what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("s", "stop the focused node gracefully: release, tell the peers"),
    ("k", "kill it (crash drill): go silent, release nothing; asks first"),
    ("r", "restart it, or start it when it is stopped"),
    ("b", "standby: hand this node's resources to the peer"),
    ("t", "takeover: ask for every resource (like hb_takeover all)"),
    ("u", "delete hb_uuid (node stopped; after a hostname change); asks"),
    ("tab/1-9", "focus another node: its panes; the keys act on it"),
    ("h", "hostname change wizard (the HOWTO procedure; dry run first)"),
    ("D", "failover drill: the group away and back, timed; asks first"),
    ("P", "post-mortem of this node's ha-log: failovers, times, why"),
    ("B", "support bundle of every node: configs, logs, status; a tar.gz"),
    ("M", "move to Corosync + Pacemaker: dry run, asks, rolls back"),
    ("l", "focus the log filter (Esc leaves it)"),
    ("v", "small terminal: next pane (resources, timeline, log, wire)"),
    ("ctrl+p", "command palette: every action above, searchable"),
    ("?", "this help"),
    ("q", "quit the console (an embedded node stops gracefully first)"),
)


class HelpScreen(ModalScreen[None]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close"),
        Binding("q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        for key, what in KEYS:
            table.add_row(Text(key, style="bold cyan"), what)
        with Vertical(id="help-box"):
            yield Static("hbtui console: keys", id="help-title")
            yield Static(table)
            yield Static(
                "Every action is written into the log pane with its result. "
                "Keys act on the focused node (see the header).",
                id="help-foot",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
