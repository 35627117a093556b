"""One node: status line, deadtime countdown bar, keepalive gap sparkline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from hbtui.console.model import NodeView
from hbtui.console.widgets.countdown import CountdownBar

STATUS_STYLES = {
    "active": "bold green",
    "up": "green",
    "init": "yellow",
    "dead": "bold red",
    "standby": "magenta",
}


class NodeCard(Vertical):
    """See the module docstring; ``show`` redraws from a ``NodeView``."""

    def __init__(self, name: str) -> None:
        super().__init__(id=f"node-{name}", classes="node-card")
        self.node_name = name
        self._age_text = ""
        self._view: NodeView | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(id="node-title", classes="node-title")
        yield Static(id="node-age", classes="node-age")
        yield CountdownBar(id="node-countdown")
        yield Sparkline([], summary_function=max, id="node-gaps")

    def on_mount(self) -> None:
        self._ready = True
        if self._view is not None:
            self.show(self._view)

    def show(self, view: NodeView) -> None:
        """Status, identity and the gap history (called when the model changed)."""
        self._view = view
        if not self._ready:
            return
        status = "standby" if view.standby else view.status
        title = Text()
        title.append(view.name, style="bold")
        title.append(" (this node)" if view.is_self else "")
        title.append("  ")
        title.append(status, style=STATUS_STYLES.get(status, ""))
        uuid = (view.uuid or "?")[:8]
        gen = "?" if view.generation is None else str(view.generation)
        title.append(f"  uuid {uuid} gen {gen}", style="dim")
        if view.link:
            title.append(f"  link {view.link}", style="dim")
        self.query_one("#node-title", Static).update(title)
        self.set_class(status == "dead", "-dead")
        gaps = self.query_one("#node-gaps", Sparkline)
        gaps.display = not view.is_self
        gaps.data = [float(g) for g in view.gaps]

    def tick(self, view: NodeView, now_ms: int, warntime_ms: int) -> None:
        """Redraw the countdown and the last-heard age (about 10 times a second)."""
        if not self._ready:
            return
        bar = self.query_one("#node-countdown", CountdownBar)
        if view.is_self:
            bar.display = False
            self._set_age("keepalives sent by this node")
            return
        remaining = None if view.deadline_ms is None else view.deadline_ms - now_ms
        if view.status == "dead":
            remaining = None
        bar.set_remaining(remaining, view.deadtime_ms, warntime_ms)
        if view.last_heard_ms is None:
            self._set_age("no keepalive heard yet")
        else:
            age = (now_ms - view.last_heard_ms) / 1000
            gap = ""
            if view.gaps:
                gap = f"  gaps {min(view.gaps)}–{max(view.gaps)} ms, last {view.gaps[-1]}"
            self._set_age(f"last keepalive {age:4.1f} s ago{gap}")

    def _set_age(self, text: str) -> None:
        if text != self._age_text:
            self._age_text = text
            self.query_one("#node-age", Static).update(text)
