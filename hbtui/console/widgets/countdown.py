"""A deadtime countdown bar: full when a keepalive just arrived, empty at deadtime.

The same line says how long ago the last keepalive came, so one widget (one repaint)
carries everything that changes ten times a second.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

LABEL_WIDTH = 30
CALM_STEP_MS = 1000  # while nothing is overdue the figures move in whole seconds


class CountdownBar(Widget):
    """Draws ``remaining / deadtime``; the CSS classes ``-warn``/``-dead`` colour it.

    ``set_remaining`` only refreshes when the drawn cells or the label change, so a
    10 Hz caller costs nothing while the bar stands still.
    """

    DEFAULT_CSS = """
    CountdownBar { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._remaining_ms: int | None = None
        self._age_ms: int | None = None
        self._deadtime_ms = 1
        self._drawn: tuple[int, str] | None = None

    def set_remaining(
        self,
        remaining_ms: int | None,
        deadtime_ms: int,
        warntime_ms: int,
        age_ms: int | None = None,
        calm_ms: int = 0,
    ) -> None:
        """Update the bar; None means the node is not counted down (dead or us).

        While the silence is shorter than ``calm_ms`` (nothing overdue yet) the figures
        move in whole seconds; past it, in tenths: full speed exactly when a node is
        going quiet, and almost no repaints in the steady state.
        """
        if remaining_ms is None and age_ms is not None:
            age_ms = age_ms // 1000 * 1000  # nothing counts down: whole seconds will do
        if calm_ms and age_ms is not None and remaining_ms is not None and age_ms < calm_ms:
            remaining_ms = -(-remaining_ms // CALM_STEP_MS) * CALM_STEP_MS
            age_ms = age_ms // CALM_STEP_MS * CALM_STEP_MS
        self._remaining_ms = remaining_ms
        self._age_ms = age_ms
        self._deadtime_ms = max(1, deadtime_ms)
        elapsed = None if remaining_ms is None else deadtime_ms - remaining_ms
        self.set_class(remaining_ms is not None and remaining_ms <= 0, "-dead")
        self.set_class(
            elapsed is not None
            and elapsed >= warntime_ms
            and remaining_ms is not None
            and remaining_ms > 0,
            "-warn",
        )
        key = (self._cells(self.content_size.width), self._label())
        if key != self._drawn:
            self._drawn = key
            self.refresh()

    def _label(self) -> str:
        heard = "" if self._age_ms is None else f", heard {self._age_ms / 1000:.1f} s ago"
        if self._remaining_ms is None:
            left = "not counting"
        elif self._remaining_ms <= 0:
            left = "DEAD"
        else:
            left = f"{self._remaining_ms / 1000:.1f} s left"
        return f" {left}{heard}".ljust(LABEL_WIDTH)

    def _cells(self, width: int) -> int:
        bar = max(1, width - LABEL_WIDTH)
        if self._remaining_ms is None:
            return 0
        fraction = min(1.0, max(0.0, self._remaining_ms / self._deadtime_ms))
        return round(fraction * bar)

    def render(self) -> Text:
        """The bar, the seconds left and the last keepalive's age."""
        width = self.content_size.width
        bar = max(1, width - LABEL_WIDTH)
        filled = self._cells(width)
        return Text("█" * filled + "░" * (bar - filled) + self._label())
