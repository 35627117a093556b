"""The Nodes pane: one ``NodeCard`` per node, ours first."""

from __future__ import annotations

from textual.containers import VerticalScroll

from hbtui.console.model import ConsoleModel
from hbtui.console.widgets.node_card import NodeCard


class NodesPanel(VerticalScroll):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="nodes", classes="pane")
        self.border_title = "Nodes"
        self._cards: dict[str, NodeCard] = {}
        self._reorder = False

    def show(self, model: ConsoleModel) -> None:
        """Mount cards for new nodes and redraw every card."""
        order = sorted(model.nodes, key=lambda n: (not model.nodes[n].is_self, n))
        for name in order:
            if name not in self._cards:
                card = NodeCard(name)
                self._cards[name] = card
                self.mount(card)
            self._cards[name].set_timers(model.keepalive_ms, model.warntime_ms)
            self._cards[name].show(model.nodes[name])
            self._cards[name].display = True
        for name, card in self._cards.items():  # another node's model may know fewer nodes
            if name not in model.nodes:
                card.display = False
        if self._reorder and order:
            self._reorder = False
            first = self._cards[order[0]]
            if self.children and self.children[0] is not first:
                self.move_child(first, before=0)

    def reset(self) -> None:
        """Another node's model comes next: its cards are redrawn, its own card first."""
        self._reorder = True

    def tick(self, model: ConsoleModel, now_ms: int) -> None:
        """Countdowns and ages of every card (calm until a keepalive is overdue)."""
        calm = model.keepalive_ms * 3 // 2
        for name, card in self._cards.items():
            if name not in model.nodes:
                continue
            card.tick(
                model.nodes[name], now_ms, model.warntime_ms, calm,
                visible=model.keepalives_visible, clock=model.clock, started_ms=model.started_ms,
            )  # fmt: skip
