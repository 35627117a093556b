"""The Timeline pane: every failover/failback with per-phase times and why it happened."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from hbtui.console.model import PHASES, ConsoleModel, TimelineRow

SHOW_ROWS = 6
NARROW_BELOW = 100  # content columns: the phase table needs about this many


class TimelinePanel(Static):
    """See the module docstring; phase times are ms after the first known milestone."""

    def __init__(self) -> None:
        super().__init__(id="timeline", classes="pane")
        self.border_title = "Timeline (phases in ms after the first one)"
        self._shown: tuple[int, int, bool] | None = None  # (model, rows, narrow) drawn
        self._last: tuple[ConsoleModel, Callable[[int], str]] | None = None

    def show(self, model: ConsoleModel, clock: Callable[[int], str]) -> None:
        """Redraw the latest rows (rows never change once added: same count, same look);
        narrower than ``NARROW_BELOW`` columns each row's phases go on a line of their own."""
        narrow = self.size.width < NARROW_BELOW
        key = (id(model), len(model.timeline), narrow)
        self._last = (model, clock)
        if key == self._shown:
            return
        self._shown = key
        if not model.timeline:
            self.update(Text("no failover or failback yet", style="dim"))
            return
        rows = model.timeline[-SHOW_ROWS:]
        if narrow:
            self.update(Group(*(line for row in rows for line in _narrow_lines(row, clock))))
            return
        table = Table(box=None, padding=(0, 1), expand=False, show_edge=False)
        table.add_column("when", no_wrap=True)
        table.add_column("what", no_wrap=True)
        for phase in PHASES:
            table.add_column(phase, justify="right", no_wrap=True)
        for row in rows:
            table.add_row(
                clock(row.at_ms), f"{row.kind} {row.from_node}→{row.to_node}", *_phase_cells(row)
            )
        whys = [Text.assemble((clock(row.at_ms), "dim"), " ", (row.why, "italic")) for row in rows]
        self.update(Group(table, *whys))

    def on_resize(self) -> None:
        """A width on the other side of ``NARROW_BELOW``: draw again."""
        if self._last is not None:
            self.show(*self._last)


def _narrow_lines(row: TimelineRow, clock: Callable[[int], str]) -> list[Text]:
    """One row for a narrow pane: what and when, the phases, why (each wraps)."""
    cells = _phase_cells(row)
    phases = " · ".join(f"{name} {cell}" for name, cell in zip(PHASES, cells, strict=True))
    return [
        Text.assemble(
            (clock(row.at_ms), "bold"),
            " ",
            (f"{row.kind} ", "bold"),
            f"{row.from_node}→{row.to_node}",
        ),
        Text(f"  {phases}", style="dim"),
        Text(f"  {row.why}", style="italic"),
    ]


def _phase_cells(row: TimelineRow) -> list[str]:
    known = [t for t in row.phases.values() if t is not None]
    if not known:
        return ["-"] * len(PHASES)
    base = min(known)
    return ["-" if (t := row.phases.get(p)) is None else f"+{t - base}" for p in PHASES]
