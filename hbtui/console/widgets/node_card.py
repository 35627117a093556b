"""One node: status line, deadtime countdown bar, keepalive gap sparkline."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from hbtui.console.model import NodeView
from hbtui.console.widgets.countdown import CountdownBar
from hbtui.console.widgets.gap_sparkline import GapSparkline

STATUS_STYLES = {
    "active": "bold green",
    "up": "green",
    "init": "yellow",
    "dead": "bold red",
    "standby": "magenta",
    "stopped": "bold red",
    "killed": "bold red",
    "unknown": "dim",
}


class NodeCard(Vertical):
    """See the module docstring; ``show`` redraws from a ``NodeView``."""

    def __init__(self, name: str) -> None:
        super().__init__(id=f"node-{name}", classes="node-card")
        self.node_name = name
        self._age_text = ""
        self._title_text = Text()
        self._ident_text = ""
        self._keepalive_ms, self._warntime_ms = 1000, 15000
        self._view: NodeView | None = None
        self._card_ready = False

    def compose(self) -> ComposeResult:
        yield Static(id="node-title", classes="node-title")
        yield Static(id="node-ident", classes="node-ident")
        yield Static(id="node-age", classes="node-age")
        yield CountdownBar(id="node-countdown")
        yield GapSparkline(id="node-gaps")

    def on_mount(self) -> None:
        self._w_title = self.query_one("#node-title", Static)
        self._w_ident = self.query_one("#node-ident", Static)
        self._w_age = self.query_one("#node-age", Static)
        self._w_bar = self.query_one("#node-countdown", CountdownBar)
        self._w_gaps = self.query_one("#node-gaps", GapSparkline)
        self._card_ready = True
        if self._view is not None:
            self.show(self._view)

    def set_timers(self, keepalive_ms: int, warntime_ms: int) -> None:
        """The cluster's keepalive and warntime (for the gap scale)."""
        self._keepalive_ms, self._warntime_ms = keepalive_ms, warntime_ms

    def show(self, view: NodeView) -> None:
        """Status, identity and the gap history (called when the model changed)."""
        self._view = view
        if not self._card_ready:
            return
        status = "standby" if view.standby else view.status
        title = Text()
        title.append(view.name, style="bold")
        title.append(" (this node)" if view.is_self else "")
        title.append("  ")
        title.append(status, style=STATUS_STYLES.get(status, ""))
        uuid = (view.uuid or "?")[:8]
        gen = "?" if view.generation is None else str(view.generation)
        ident = f"uuid {uuid}…  generation {gen}" + link_text(view)
        if ident != self._ident_text:
            self._ident_text = ident
            self._w_ident.update(ident)
        if title != self._title_text:
            self._title_text = title
            self._w_title.update(title)
        self.set_class(status in ("dead", "stopped", "killed"), "-dead")
        self._w_gaps.display = not view.is_self
        self._w_gaps.show(view.gaps, self._keepalive_ms, self._warntime_ms)

    def tick(
        self,
        view: NodeView,
        now_ms: int,
        warntime_ms: int,
        calm_ms: int = 0,
        *,
        visible: bool = True,
        clock: Callable[[int], str] | None = None,
        started_ms: int | None = None,
    ) -> None:
        """Redraw the countdown (about 10 times a second; one widget repaints); ``clock``
        gives wall times (a silent peer's last keepalive), ``started_ms`` our uptime."""
        if not self._card_ready:
            return
        bar = self._w_bar
        if view.is_self or not visible:
            bar.display = False
            self._w_gaps.display = False
            up = "" if started_ms is None else f", up {_duration(now_ms - started_ms)}"
            self._set_age(
                f"keepalives sent by this node{up}"
                if view.is_self
                else "keepalives not visible when watching the daemon (status: cl_status, ha-log)"
            )
            return
        if not bar.display:  # the card showed a node's own view before (focus moved)
            bar.display = True
        remaining = None if view.deadline_ms is None else view.deadline_ms - now_ms
        if view.status == "dead":
            remaining = None
        age = None if view.last_heard_ms is None else now_ms - view.last_heard_ms
        bar.set_remaining(remaining, view.deadtime_ms, warntime_ms, age, calm_ms)
        silent = age is not None and age > calm_ms
        if view.last_heard_ms is None:
            self._set_age("no keepalive heard yet")
        elif (silent or view.status == "dead") and clock is not None:
            self._set_age(f"last keepalive at {clock(view.last_heard_ms)}")
        elif view.gaps:
            gaps = view.gaps
            self._set_age(f"keepalive gaps {min(gaps)}–{max(gaps)} ms, last {gaps[-1]} ms")
        else:
            self._set_age("first keepalive heard")

    def _set_age(self, text: str) -> None:
        if text != self._age_text:
            self._age_text = text
            self._w_age.update(text, layout=False)  # one line, always: no reflow


def link_text(view: NodeView) -> str:
    """``  link eth0``; with several media each link's state, as cl_status hblinkstatus
    says it (``  links eth0 up, eth1 dead``)."""
    if len(view.links) > 1 or any(not up for _, up in view.links):
        return "  links " + ", ".join(f"{dev} {'up' if up else 'dead'}" for dev, up in view.links)
    return f"  link {view.link}" if view.link else ""


def _duration(ms: int) -> str:
    """``3d 4h``, ``2h 03m``, ``5m 07s``, ``12s``."""
    s = max(0, ms) // 1000
    days, hours, minutes, seconds = s // 86400, s // 3600 % 24, s // 60 % 60, s % 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
