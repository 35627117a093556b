"""The dashboard: every pane of the focused node, redrawn from its model on source updates,
plus (several nodes) the other nodes' pane.

One clock timer redraws countdowns from the last-heard times (and the packet rates):
``tick_hz`` times a second (ticking twice as often) while some node's keepalive is overdue
(a countdown worth watching, here or in the other-nodes pane), every ``CALM_TICK_S``
otherwise, and it wakes on time for the moment the next keepalive becomes overdue.
Everything else changes when a ``SourceUpdate`` arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from hbtui.console.messages import SourceUpdate
from hbtui.console.model import ConsoleModel
from hbtui.console.widgets.banner import SplitBrainBanner, banner_lines
from hbtui.console.widgets.log_pane import LogPane
from hbtui.console.widgets.mode_header import ModeHeader
from hbtui.console.widgets.nodes import NodesPanel
from hbtui.console.widgets.others import Glance, OtherNodesPanel
from hbtui.console.widgets.resources import ResourcesPanel
from hbtui.console.widgets.timeline import TimelinePanel
from hbtui.console.widgets.vip import VipPanel
from hbtui.console.widgets.wire import WirePanel
from hbtui.stream.items import ActionDone, LogLine

OTHERS_COALESCE_S = 0.25
COMPACT_BELOW = (110, 36)  # (columns, rows): a smaller terminal gets the compact layout
VIEWS = ("resources", "timeline", "log", "wire")  # compact: beside the nodes, in turn
# a countdown's text moves in tenths: two ticks per tenth show each one within 50 ms, so
# tick_hz 10 gives 10 visible changes a second (a repaint only when the text changed)
COUNTDOWN_OVERSAMPLE = 2
CALM_TICK_S = 1.0  # calm countdowns move in whole seconds (CountdownBar.CALM_STEP_MS)
OthersFeed = Callable[[], tuple[ConsoleModel, bool, list[Glance]]]


def _overdue_in(model: ConsoleModel, now_ms: int) -> int | None:
    """Milliseconds until a node in ``model`` misses a keepalive (<= 0: one has already,
    its countdown is worth watching); None when no node is counted down."""
    late = model.keepalive_ms * 3 // 2
    due = [
        n.last_heard_ms + late - now_ms
        for n in model.nodes.values()
        if not n.is_self and n.deadline_ms is not None and n.last_heard_ms is not None
    ]
    return min(due) if due else None


class Dashboard(Screen[None]):
    """See the module docstring."""

    def __init__(
        self,
        model: ConsoleModel,
        now_ms: Callable[[], int],
        *,
        tick_hz: float = 10.0,
        poll_sockets: bool = True,
        udpport: int = 694,
        others: OthersFeed | None = None,
        unpolled_why: str = "replay",
    ) -> None:
        super().__init__(id="dashboard")
        self.others = others
        self._others_pending = False
        self.unpolled_why = unpolled_why
        self.model = model
        self.now_ms = now_ms
        self.tick_hz = tick_hz
        self.poll_sockets = poll_sockets
        self.udpport = udpport
        self.ticks = 0
        self.view = "resources"  # what the compact layout shows beside the nodes

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield SplitBrainBanner()
        with Horizontal(id="top"):
            with Vertical(id="left"):
                yield NodesPanel()
                yield VipPanel()
            with Vertical(id="right"):
                yield ResourcesPanel()
                yield WirePanel(
                    self.udpport, poll_sockets=self.poll_sockets, unpolled_why=self.unpolled_why
                )
            if self.others is not None:
                yield OtherNodesPanel()
        yield TimelinePanel()
        yield LogPane(self.model)
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        """Below ``COMPACT_BELOW`` the panes degrade by priority (see ``set_compact``)."""
        width, height = event.size
        self.set_compact(width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1])

    def set_compact(self, compact: bool) -> None:
        """Compact: the nodes with their countdowns and the VIP always on the left, the
        footer always; on the right one lower-priority pane at a time (resources first,
        then ``v`` cycles through timeline, log, wire and the other nodes)."""
        if compact == self.has_class("-compact"):
            return
        self.set_class(compact, "-compact")
        self.query_one(Footer).compact = compact
        self.show_view(self.view if compact else "resources")

    def views(self) -> list[str]:
        """The views ``v`` cycles through in compact mode."""
        return [*VIEWS, *(["others"] if self.others is not None else [])]

    def show_view(self, view: str) -> None:
        """Show ``view`` in the compact layout's second place."""
        self.view = view
        for name in self.views():
            self.set_class(name == view, f"-view-{name}")

    def next_view(self) -> str:
        """``v``: the next view (compact mode); its name."""
        names = self.views()
        self.show_view(names[(names.index(self.view) + 1) % len(names)])
        return self.view

    def on_mount(self) -> None:
        self._nodes_panel = self.query_one(NodesPanel)
        self._wire_panel = self.query_one(WirePanel)
        self._others_due = False
        self._others_wake: float | None = None  # monotonic s: an other node becomes overdue
        self._others_links = False
        self._clock: Timer | None = None
        self._pace = 0.0  # seconds between ticks now
        self._wake: Timer | None = None
        self._links_next = 0.0  # monotonic s: SSH link states are redrawn once a second
        self.redraw_all()

    def redraw_all(self) -> None:
        """Every pane from the model (first frame, after a snapshot)."""
        clock = self.model.clock
        self._nodes_panel.show(self.model)
        self.query_one(VipPanel).show(self.model, clock, self._held_elsewhere())
        self.query_one(ResourcesPanel).show(self.model)
        self.query_one(TimelinePanel).show(self.model, clock)
        self.redraw_others()
        self.redraw_banner()
        self.tick()  # the countdowns and the wire pane, as of now

    def redraw_banner(self) -> None:
        """The split-brain banner, from every node's probe and every other node's view."""
        glances = self.others()[2] if self.others is not None else []
        others = [g.model for g in glances if g.running]
        probers = [g.model for g in glances]  # a probe's finding stands, running or not
        self.query_one(SplitBrainBanner).show(banner_lines(self.model, others, probers))

    def _held_elsewhere(self) -> dict[str, str]:
        """VIP -> the other running node that says it holds it (from its own view)."""
        if self.others is None:
            return {}
        _focused, _running, glances = self.others()
        return {
            ip: g.name
            for g in glances
            if g.running
            for ip, vip in g.model.vips.items()
            if vip.owner == g.name and not vip.stale
        }

    def show_model(self, model: ConsoleModel, now_ms: Callable[[], int]) -> None:
        """Switch every pane to another node's model (the focused node changed)."""
        self.model, self.now_ms = model, now_ms
        self._nodes_panel.reset()
        self.query_one(ResourcesPanel).replay(model)
        self.query_one(LogPane).show_model(model)
        self.redraw_all()

    def others_changed(self) -> None:
        """Another node's facts changed: redraw its pane soon (bursts coalesce)."""
        if self.others is None or self._others_pending:
            return
        self._others_pending = True
        self.set_timer(OTHERS_COALESCE_S, self.redraw_others)

    def redraw_others(self) -> None:
        """The other-nodes pane, from every other node's model."""
        self._others_pending = False
        if self.others is None or not self.is_mounted:
            return
        focused, running, glances = self.others()
        self.query_one(OtherNodesPanel).show(focused, running, glances)
        self.query_one(VipPanel).show(self.model, self.model.clock, self._held_elsewhere())
        self.redraw_banner()
        due = [
            d for g in glances if g.running and (d := _overdue_in(g.model, g.now_ms)) is not None
        ]
        self._others_due = any(d <= 0 for d in due)
        self._others_wake = time.monotonic() + min(due) / 1000 if due else None
        self._others_links = any(g.link is not None for g in glances)

    def tick(self) -> None:
        """Countdowns, the packet rates and the other nodes' pane:
        every tick while one of them is overdue, else when one becomes so (their
        keepalives redraw it too) and, for SSH links (no event), once a second."""
        self.ticks += 1
        now = self.now_ms()
        self._nodes_panel.tick(self.model, now)
        self._wire_panel.show(self.model, now)  # repaints only when a figure changed
        moment = time.monotonic()
        second = moment >= self._links_next
        if second:
            self._links_next = moment + 1.0
        wake = self._others_wake
        if (
            self._others_due
            or (wake is not None and moment >= wake)
            or (second and self._others_links)
        ):
            self.redraw_others()
        self._set_pace(now)

    def _set_pace(self, now_ms: int) -> None:
        """Run the clock fast while a countdown is worth watching, calm otherwise, and
        arm a one-shot wake-up for the moment the next keepalive becomes overdue."""
        if self.tick_hz <= 0:
            return
        due_ms = _overdue_in(self.model, now_ms)
        if self._others_wake is not None:
            others_ms = int((self._others_wake - time.monotonic()) * 1000)
            due_ms = others_ms if due_ms is None else min(due_ms, others_ms)
        fast = self._others_due or (due_ms is not None and due_ms <= 0)
        pace = 1 / (self.tick_hz * COUNTDOWN_OVERSAMPLE) if fast else CALM_TICK_S
        if pace != self._pace:
            if self._clock is not None:
                self._clock.stop()
            self._clock = self.set_interval(pace, self.tick)
            self._pace = pace
        if not fast and due_ms is not None and due_ms < CALM_TICK_S * 1000 and self._wake is None:
            self._wake = self.set_timer(max(due_ms, 1) / 1000, self._woken)

    def _woken(self) -> None:
        self._wake = None
        self.tick()

    @on(SourceUpdate)
    def _update(self, message: SourceUpdate) -> None:
        changed, item = message.changed, message.item
        if "nodes" in changed:
            self._nodes_panel.show(self.model)
            self._nodes_panel.tick(self.model, self.now_ms())
        if "vip" in changed:
            self.query_one(VipPanel).show(self.model, self.model.clock, self._held_elsewhere())
            self.redraw_banner()
        if "resources" in changed:
            panel = self.query_one(ResourcesPanel)
            panel.show(self.model)
            panel.on_item(item, self.model)
        if "timeline" in changed:
            self.query_one(TimelinePanel).show(self.model, self.model.clock)
        if isinstance(item, LogLine):
            self.query_one(LogPane).add(item)
            return
        self._wire_panel.show(self.model, self.now_ms())  # the rates move with time: as of now
        if isinstance(item, ActionDone):
            self.query_one(LogPane).add(self.model.action_line(item))
