"""The VIP pane: who holds each virtual IP as this node sees it, when and why it moved."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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

    def show(
        self,
        model: ConsoleModel,
        clock: Callable[[int], str],
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        """Redraw from the model (nothing to do when nothing moved). ``elsewhere``: VIP ->
        the running node that says it holds it (from the other nodes' views)."""
        elsewhere = elsewhere or {}
        key = (
            tuple(
                (v.ip, v.owner, v.device, v.label, v.moved_at_ms, v.why, v.stale)
                for v in model.vips.values()
            ),
            tuple(sorted(elsewhere.items())),
        )
        if key == self._shown_key:
            return
        self._shown_key = key
        if not model.vips:
            self.update(Text("no IPaddr resource in haresources", style="dim"))
            return
        self.update(Group(*vip_lines(model, clock, elsewhere)))


def vip_lines(
    model: ConsoleModel, clock: Callable[[int], str], elsewhere: Mapping[str, str]
) -> list[Text]:
    """The pane's lines: each VIP, its holder(s), when and why it last moved."""
    lines: list[Text] = []
    for vip in model.vips.values():
        line = Text.assemble((vip.ip, "bold"), "  ")
        other = elsewhere.get(vip.ip)
        where = vip.label or vip.device
        if vip.stale:  # both holders: ours is what a killed node left behind
            line.append(f"on {model.us}'s {where or 'interface'}", style="bold yellow")
            line.append(", node not running: stale", style="bold yellow")
            if other and other != model.us:
                line.append(f"; held by {other}", style="bold green")
            lines.append(line)
            continue
        line.append(vip.owner or "nobody", style="bold green" if vip.owner else "bold red")
        if vip.owner == model.us:
            line.append(" (here)", style="green")
        if where and vip.owner == model.us:
            line.append(f"  on {where}", style="dim")
        if other and vip.owner and other != vip.owner:
            line.append(f"  ({other} says it holds it)", style="bold red")
        lines.append(line)
        if vip.moved_at_ms is not None:
            moved = Text(f"  moved {clock(vip.moved_at_ms)}", style="dim")
            if vip.why:
                moved.append(": ")
                moved.append(vip.why, style="italic")
            lines.append(moved)
    return lines
