"""The VIP pane: who holds each virtual IP as this node sees it, when and why it moved."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from hbtui.console.model import ConsoleModel


class VipPanel(Static):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="vip", classes="pane")
        self.border_title = "VIP"

    def show(self, model: ConsoleModel, clock: Callable[[int], str]) -> None:
        """Redraw from the model."""
        if not model.vips:
            self.update(Text("no IPaddr resource in haresources", style="dim"))
            return
        table = Table.grid(padding=(0, 1))
        for vip in model.vips.values():
            owner = Text(vip.owner or "nobody", style="bold green" if vip.owner else "bold red")
            if vip.owner == model.us:
                owner.append(" (here)", style="green")
            where = vip.label or vip.device or ""
            table.add_row(Text(vip.ip, style="bold"), owner, Text(where, style="dim"))
            if vip.moved_at_ms is not None:
                table.add_row("", Text(f"moved {clock(vip.moved_at_ms)}", style="dim"), "")
            if vip.why:
                table.add_row("", Text(vip.why, style="italic"), "")
        self.update(table)
