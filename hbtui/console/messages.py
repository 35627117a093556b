"""Textual messages from the source worker to the dashboard."""

from __future__ import annotations

from textual.message import Message

from hbtui.engine.events import KeepaliveReceived
from hbtui.stream.items import SourceItem


class SourceUpdate(Message):
    """The model took ``item`` in; ``changed`` names the panes to redraw."""

    def __init__(self, item: SourceItem, changed: frozenset[str]) -> None:
        super().__init__()
        self.item = item
        self.changed = changed

    def can_replace(self, message: Message) -> bool:
        """A burst of keepalives from one node: only the newest needs drawing.

        The model already holds every gap (it is updated before posting), so dropping
        the older notification loses nothing.
        """
        return (
            isinstance(message, SourceUpdate)
            and isinstance(self.item, KeepaliveReceived)
            and isinstance(message.item, KeepaliveReceived)
            and message.item.node == self.item.node
        )
