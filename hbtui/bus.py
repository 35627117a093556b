"""The event bus: one publisher (the runtime), many subscribers, each with its own queue.

Delivery policy (one queue per subscriber, filled synchronously by ``publish``):

- ``lossy`` subscribers (the console, ``hbtui status --follow``, the SSH link) get a
  bounded queue. When it is full the OLDEST item is dropped to make room and the
  subscription's ``dropped`` counter grows: a slow screen shows the newest state and
  never slows the node down.
- lossless subscribers (the log writer, tests) get an unbounded queue and never lose
  an item. They must keep up; the node never waits for them either.

``publish`` never blocks and never raises, so the runtime may call it from any
callback on the event loop. ``close`` ends every subscription: iteration stops after
the items already queued.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

DEFAULT_UI_QUEUE = 1000
_END = object()


class Subscription:
    """One subscriber's queue; iterate with ``async for`` or call ``get``."""

    def __init__(self, bus: Bus, maxsize: int, lossy: bool, name: str) -> None:
        self.bus = bus
        self.name = name
        self.lossy = lossy
        self.maxsize = maxsize if lossy else 0
        self.dropped = 0
        self.closed = False
        self._queue: asyncio.Queue[Any] = asyncio.Queue(self.maxsize)

    def _put(self, item: Any) -> None:
        if self.lossy and self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
                self.dropped += 1
        self._queue.put_nowait(item)

    def _end(self) -> None:
        if self.lossy and self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
                self.dropped += 1
        self._queue.put_nowait(_END)

    async def get(self) -> Any:
        """The next item; raises EOFError once the bus (or this subscription) is closed."""
        if self.closed and self._queue.empty():
            raise EOFError("subscription closed")
        item = await self._queue.get()
        if item is _END:
            self.closed = True
            raise EOFError("subscription closed")
        return item

    def get_nowait(self) -> Any | None:
        """The next item if one is queued, else None."""
        try:
            item = self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None
        if item is _END:
            self.closed = True
            return None
        return item

    def pending(self) -> int:
        """How many items wait in the queue."""
        return self._queue.qsize()

    def close(self) -> None:
        """Stop receiving; pending ``get`` calls end with EOFError."""
        if not self.closed:
            self.bus._unsubscribe(self)
            self._end()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            try:
                yield await self.get()
            except EOFError:
                return


class Bus:
    """Fan-out of every published item to every subscription, in publication order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []
        self.published = 0
        self.closed = False

    def subscribe(
        self, name: str = "ui", *, lossy: bool = True, maxsize: int = DEFAULT_UI_QUEUE
    ) -> Subscription:
        """A new subscription seeing everything published from now on."""
        sub = Subscription(self, maxsize, lossy, name)
        if self.closed:
            sub._end()
        else:
            self._subscribers.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(sub)

    def publish(self, item: Any) -> None:
        """Queue ``item`` for every subscriber (never blocks)."""
        if self.closed:
            return
        self.published += 1
        for sub in self._subscribers:
            sub._put(item)

    @property
    def subscribers(self) -> tuple[Subscription, ...]:
        """The current subscriptions."""
        return tuple(self._subscribers)

    def close(self) -> None:
        """End every subscription after what is already queued."""
        if self.closed:
            return
        self.closed = True
        for sub in self._subscribers:
            sub._end()
        self._subscribers.clear()
