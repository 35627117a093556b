"""Keepalive gaps as a sparkline on a fixed scale: one cell per gap, newest right.

Heights step every 0.4 x keepalive with the keepalive itself in the middle of the third
step, so a healthy rhythm draws an even low row, a late keepalive sticks up (yellow
past 1.5 x keepalive, red from warntime on; three times the keepalive is full height)
and a few ms of jitter stay invisible (a min-max scale would blow it up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

BARS = "▁▂▃▄▅▆▇█"


class GapSparkline(Widget):
    """See the module docstring."""

    DEFAULT_CSS = """
    GapSparkline { height: 1; color: $success; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._gaps: tuple[int, ...] = ()
        self._keepalive_ms = 1000
        self._warntime_ms = 15000
        self._drawn: tuple[tuple[str, str], ...] | None = None

    def show(self, gaps: Sequence[int], keepalive_ms: int, warntime_ms: int) -> None:
        """New gaps (a repaint only when a drawn cell changed: a steady rhythm draws the
        same row keepalive after keepalive)."""
        self._gaps, self._keepalive_ms, self._warntime_ms = tuple(gaps), keepalive_ms, warntime_ms
        cells = self._cells(self.content_size.width)
        if cells != self._drawn:
            self._drawn = cells
            self.refresh()

    def _cells(self, width: int) -> tuple[tuple[str, str], ...]:
        """(bar, style) of the newest ``width`` gaps."""
        keepalive = max(1, self._keepalive_ms)
        cells = []
        for gap in self._gaps[-width:] if width else ():
            level = min(len(BARS) - 1, max(0, math.floor((gap / keepalive - 1) / 0.4 + 0.5) + 2))
            style = ""
            if gap >= self._warntime_ms:
                style = "bold red"
            elif gap > self._keepalive_ms * 3 // 2:
                style = "yellow"
            cells.append((BARS[level], style))
        return tuple(cells)

    def render(self) -> Text:
        """One cell per gap, the newest at the right edge."""
        width = self.content_size.width
        cells = self._drawn = self._cells(width)
        text = Text(" " * max(0, width - len(cells)))
        for bar, style in cells:
            text.append(bar, style=style)
        return text
