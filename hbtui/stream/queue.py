"""``ItemQueue``: what a source has produced and its reader has not taken yet.

Every source feeds one: producers ``put`` without ever waiting, ``close`` ends the
stream once, and the source's ``events()`` is ``async for item in queue``. A bounded
queue drops its oldest item when full (a console must never hold up a node or a link).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hbtui.stream.items import SourceItem

_END = object()


class ItemQueue:
    """An asyncio queue of stream items with an end; see the module docstring."""

    def __init__(self, maxsize: int = 0) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize)

    def put(self, item: SourceItem) -> None:
        """Queue an item, dropping the oldest when a bounded queue is full."""
        self._make_room()
        self._queue.put_nowait(item)

    def close(self) -> None:
        """End the stream: the reader stops after the items already queued."""
        self._make_room()
        self._queue.put_nowait(_END)

    def take_ready(self) -> list[SourceItem]:
        """The items queued now, taken without waiting (the end stays queued)."""
        taken: list[SourceItem] = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is _END:
                self._queue.put_nowait(_END)
                break
            taken.append(item)  # type: ignore[arg-type]
        return taken

    def _make_room(self) -> None:
        if self._queue.full():
            self._queue.get_nowait()

    async def __aiter__(self) -> AsyncIterator[SourceItem]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item  # type: ignore[misc]
