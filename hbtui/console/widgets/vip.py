"""The VIP pane: who holds each virtual IP as this node sees it, when and why it moved."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from hbtui.console.model import ConsoleModel


class VipPanel(Static):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="vip", classes="pane")
        self.border_title = "VIP"
        self._shown_key: object = None

    def show(self, model: ConsoleModel, clock: Callable[[int], str]) -> None:
        """Redraw from the model (nothing to do when nothing moved)."""
        key = tuple(
            (v.ip, v.owner, v.device, v.label, v.moved_at_ms, v.why) for v in model.vips.values()
        )
        if key == self._shown_key:
            return
        self._shown_key = key
        if not model.vips:
            self.update(Text("no IPaddr resource in haresources", style="dim"))
            return
        lines: list[Text] = []
        for vip in model.vips.values():
            line = Text.assemble((vip.ip, "bold"), "  ")
            line.append(vip.owner or "nobody", style="bold green" if vip.owner else "bold red")
            if vip.owner == model.us:
                line.append(" (here)", style="green")
            where = vip.label or vip.device
            if where and vip.owner == model.us:
                line.append(f"  on {where}", style="dim")
            lines.append(line)
            if vip.moved_at_ms is not None:
                moved = Text(f"  moved {clock(vip.moved_at_ms)}", style="dim")
                if vip.why:
                    moved.append(": ")
                    moved.append(vip.why, style="italic")
                lines.append(moved)
        self.update(Group(*lines))
