"""The header line: which node, in which mode, and which node the keys act on."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from hbtui.stream.source import MODE_SHORT_TITLES, MODE_TITLES

LONG_FROM = 110  # columns: a narrower header names the mode in a word or two


class ModeHeader(Static):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="mode-header")
        self._shown: Text | None = None
        self._said: tuple[str, str, str, bool, str | None, str] | None = None

    def show(
        self,
        node: str,
        mode: str,
        focused: str,
        running: bool,
        unreachable: str | None = None,
        zone: str = "",
    ) -> None:
        """Redraw (nothing to do when the line stays the same); ``unreachable`` replaces
        "node stopped" for a peer that cannot be reached."""
        self._said = (node, mode, focused, running, unreachable, zone)
        text = Text()
        text.append(" hbtui ", style="bold reverse")
        text.append(f" {node} ", style="bold")
        titles = MODE_TITLES if self.app.size.width >= LONG_FROM else MODE_SHORT_TITLES
        text.append(f"· {titles.get(mode, mode)} ")
        text.append(f"· keys act on {focused}", style="bold cyan")
        if zone:
            text.append(f" · times {zone}", style="dim")
        if not running and unreachable:
            text.append(f" · {unreachable}", style="bold yellow")
        elif not running:
            text.append(" · node stopped", style="bold red")
        if text != self._shown:
            self._shown = text
            self.update(text)

    def on_resize(self) -> None:
        """The mode's long or short name follows the terminal's width."""
        if self._said is not None:
            self.show(*self._said)
