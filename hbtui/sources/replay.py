"""``ReplaySource``: a recorded trace played on a virtual clock.

Tests drive the clock by hand (``advance_to``); ``--replay`` and the screenshots play it
in real time (``play()``). A ``ReplayGate`` holds the rest of the trace until the
operator performs its action (``k`` in the demo trace); while held, the last keepalive
of every peer is repeated every ``keepalive_ms`` so the cluster stays alive, and when
the gate opens the rest of the trace is shifted to start at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from hbtui.engine.events import KeepaliveReceived, PeerDead
from hbtui.stream.items import LogLine, ReplayGate, SnapshotTaken, SourceItem
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import Outcome, SourceMode

DEMO_WALL_OFFSET_MS = 1_795_663_800_000  # 2026-11-26 03:30:00 UTC at t=0


class ReplaySource:
    """See the module docstring. ``snapshot`` is the picture at ``start_ms``."""

    mode: SourceMode = "replay"
    read_only = False

    def __init__(
        self,
        items: Sequence[SourceItem],
        snapshot: dict[str, Any],
        *,
        start_ms: int | None = None,
        wall_offset_ms: int | None = None,
        tz: tzinfo | None = UTC,
        keepalive_ms: int = 1000,
    ) -> None:
        self.node_name = str(snapshot.get("node", "?"))
        self._items = list(items)
        self._snapshot = snapshot
        recorded = snapshot.get("wall_offset_ms")  # a --record trace: its own clock
        if wall_offset_ms is None:
            wall_offset_ms = int(recorded) if recorded is not None else DEMO_WALL_OFFSET_MS
            if recorded is not None:
                tz = None
        self.tz = tz
        self._wall_offset = wall_offset_ms
        self._keepalive_ms = int(snapshot.get("keepalive_ms", keepalive_ms))
        if start_ms is None:
            start_ms = self._items[0].at_ms if self._items else 0
        self._now = start_ms
        self._next = 0  # index of the next item to release
        self._shift = 0  # added to every at_ms after an opened gate
        self._opened: set[int] = set()  # indexes of gates the operator opened
        self._last_keepalive: dict[str, KeepaliveReceived] = {}  # live peers only
        self._queue = ItemQueue()
        self._running = True
        self._closed = False
        self._wake = asyncio.Event()
        self._play_base: tuple[float, int, float] | None = None  # (loop time, vnow, speed)
        self.actions_taken: list[str] = []

    # -- clock -------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The virtual clock (follows the loop's clock while playing)."""
        if self._play_base is not None:
            t0, v0, speed = self._play_base
            return v0 + int((asyncio.get_running_loop().time() - t0) * 1000 * speed)
        return self._now

    def wall_ms(self, at_ms: int) -> int:
        """Epoch milliseconds of ``at_ms`` (a fixed offset: deterministic)."""
        return self._wall_offset + at_ms

    def is_running(self) -> bool:
        """Whether the replayed node runs (``stop``/``kill`` clear it)."""
        return self._running

    # -- releasing items ---------------------------------------------------------------

    def _gate_held(self) -> ReplayGate | None:
        if self._next < len(self._items):
            item = self._items[self._next]
            if isinstance(item, ReplayGate) and self._next not in self._opened:
                return item
        return None

    def _due(self) -> int | None:
        """Virtual time of the next thing to release (None: nothing more)."""
        if self._next >= len(self._items):
            return None
        if self._gate_held() is not None:
            if not self._last_keepalive:
                return None
            return min(k.at_ms for k in self._last_keepalive.values()) + self._keepalive_ms
        return self._items[self._next].at_ms + self._shift

    def _release_until(self, vnow: int) -> None:
        while (due := self._due()) is not None and due <= vnow:
            gate = self._gate_held()
            if gate is not None:
                self._repeat_keepalive(due)
                continue
            item = self._items[self._next]
            self._next += 1
            if isinstance(item, ReplayGate):
                continue
            if self._shift:
                item = _shifted(item, self._shift)
                if isinstance(item, LogLine):
                    item = replace(item, text=self._restamp(item))
            if isinstance(item, KeepaliveReceived):
                self._last_keepalive[item.node] = item
            elif isinstance(item, PeerDead):
                self._last_keepalive.pop(item.node, None)
            self._queue.put(item)
        self._now = max(self._now, vnow)

    def _repeat_keepalive(self, at_ms: int) -> None:
        oldest = min(self._last_keepalive.values(), key=lambda k: k.at_ms)
        again = replace(
            oldest,
            at_ms=at_ms,
            gap_ms=at_ms - oldest.at_ms,
            seq=oldest.seq + 1,
            deadline_ms=oldest.deadline_ms + (at_ms - oldest.at_ms),
        )
        self._last_keepalive[again.node] = again
        self._queue.put(again)

    def _restamp(self, line: LogLine) -> str:
        """The recorded ha-log date of a shifted line, rewritten to its new time."""
        when = datetime.fromtimestamp(self.wall_ms(line.at_ms) / 1000, tz=self.tz)
        text = _SYSLOG_STAMP.sub(when.strftime("%b %d %H:%M:%S"), line.text, count=1)
        return _RM_STAMP.sub(when.strftime("%Y/%m/%d_%H:%M:%S"), text, count=1)

    async def advance_to(self, at_ms: int) -> None:
        """(tests) Move the virtual clock to ``at_ms`` and release what is due."""
        self._release_until(at_ms)
        await asyncio.sleep(0)

    async def advance(self, ms: int) -> None:
        """(tests) Move the virtual clock forward by ``ms``."""
        await self.advance_to(self.now_ms() + ms)

    async def play(self, speed: float = 1.0) -> None:
        """Release items on the loop's clock until the trace ends or the source closes."""
        loop = asyncio.get_running_loop()
        self._play_base = (loop.time(), self._now, speed)
        while not self._closed:
            due = self._due()
            self._wake.clear()
            timeout = None if due is None else max(0.0, (due - self.now_ms()) / 1000 / speed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._release_until(self.now_ms())

    # -- NodeSource --------------------------------------------------------------------

    async def events(self) -> AsyncIterator[SourceItem]:
        """Items as the clock releases them."""
        async for item in self._queue:
            yield item

    async def snapshot(self) -> dict[str, Any]:
        """The recorded snapshot (the trace's starting picture)."""
        return dict(self._snapshot)

    def _open_gate(self, action: str) -> bool:
        """Open the next gate if it waits for ``action``, skipping ahead to it."""
        index = next(
            (
                i
                for i in range(self._next, len(self._items))
                if isinstance(self._items[i], ReplayGate) and i not in self._opened
            ),
            None,
        )
        if index is None:
            return False
        gate = self._items[index]
        assert isinstance(gate, ReplayGate)
        if gate.action != action:
            return False
        before = [i for i in self._items[:index] if isinstance(i, KeepaliveReceived)]
        self._opened.add(index)
        self._next = index  # steady state not yet shown is skipped
        if self._last_keepalive and before:
            # the trace's last keepalive before the gate becomes the last one shown
            newest = max(k.at_ms for k in self._last_keepalive.values())
            self._shift = newest - before[-1].at_ms
        else:
            self._shift = self.now_ms() - gate.at_ms
        self._wake.set()
        return True

    async def _act(self, action: str, text: str, running: bool | None = None) -> Outcome:
        """Record ``action``; open its gate, else pretend it happened to this node."""
        self.actions_taken.append(action)
        if running:
            self._running = True
        if self._open_gate(action):
            return Outcome(True, f"replay: {action} plays the recorded sequence that followed it")
        if running is not None:
            self._running = running
        return Outcome(True, f"replay: {text}")

    async def start(self) -> Outcome:
        return await self._act("start", "node started", running=True)

    async def stop(self) -> Outcome:
        return await self._act("stop", "graceful stop requested", running=False)

    async def kill(self) -> Outcome:
        return await self._act("kill", "node killed without releasing its resources", False)

    async def standby(self) -> Outcome:
        return await self._act("standby", "standby requested")

    async def takeover(self) -> Outcome:
        return await self._act("takeover", "takeover requested")

    async def delete_uuid(self) -> Outcome:
        return await self._act("delete_uuid", "hb_uuid deleted")

    async def close(self) -> None:
        """End ``events()`` and ``play()``."""
        self._closed = True
        self._wake.set()
        self._queue.close()


_TIME_FIELDS = frozenset(
    {
        "at_ms",
        "deadline_ms",
        "last_heard_ms",
        "declared_dead_ms",
        "decided_ms",
        "vip_added_ms",
        "scripts_done_ms",
    }
)
_SYSLOG_STAMP = re.compile(r"^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d")
_RM_STAMP = re.compile(r"^\d{4}/\d\d/\d\d_\d\d:\d\d:\d\d")


def _shifted(item: Any, shift: int) -> Any:
    """``item`` with every timestamp field (nested ones too) moved by ``shift`` ms."""
    changes: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.name in _TIME_FIELDS and isinstance(value, int):
            changes[f.name] = value + shift
        elif is_dataclass(value) and not isinstance(value, type):
            changes[f.name] = _shifted(value, shift)
    return replace(item, **changes)


def initial_snapshot(items: Sequence[SourceItem]) -> dict[str, Any]:
    """The first ``SnapshotTaken`` of a trace (empty when there is none)."""
    for item in items:
        if isinstance(item, SnapshotTaken):
            return item.data
    return {}
