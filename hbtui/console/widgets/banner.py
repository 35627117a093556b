"""The split-brain banner: one red line per VIP held by two machines, above every pane (also
in the compact layout), from the focused node's ARP probe (``runtime.split_brain``: the MACs
that answered) and from comparing its view with each other node's (both say they hold it)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from hbtui.console.disagreements import disagreements
from hbtui.console.model import ConsoleModel


def banner_lines(model: ConsoleModel, others: Sequence[ConsoleModel]) -> list[str]:
    """What the banner says (empty: no split brain known)."""
    lines = []
    for found in model.split_brain:
        holders = [f"{model.us} (this node)"] if found.here else []
        holders += [f"MAC {mac}" for mac in found.macs]
        lines.append(
            f"SPLIT BRAIN: {found.ip} on {found.device} is answered by {len(holders)} "
            f"machines: {', '.join(holders)} (ARP probe from {model.us})"
        )
    for other in others:
        lines += [d.text for d in disagreements(model, other) if d.kind == "split-brain"]
    return lines


class SplitBrainBanner(Static):
    """See the module docstring; hidden while there is nothing to say."""

    def __init__(self) -> None:
        super().__init__(id="split-banner")
        self._shown: list[str] | None = None

    def show(self, lines: list[str]) -> None:
        """Redraw (nothing to do when the lines stay the same)."""
        if lines == self._shown:
            return
        self._shown = lines
        self.set_class(bool(lines), "-on")
        self.update(Text("\n".join(lines), style="bold white on red"))
