"""The drill's one sequence, for ``hbtui drill`` and the console's ``D`` alike.

It works over a ``DrillTarget``: ``snapshot()``, ``standby()``, ``takeover()`` and
``events()`` with the meaning ``hbtui.stream.source.NodeSource`` gives them, so the CLI
hands it an ``AttachedSource`` on the control socket and the console a ``Relay`` of the
focused source (whose events the console already reads). Time comes from a ``Clock``
(the loop's by default; tests step a fake one).

``plan`` is the preflight as a report. ``Drill.run`` then moves the group away from its
holder and back (``standby`` when this node holds it, else ``takeover``), timing each
move until the snapshot shows every address on the target and nothing running. The
first anomaly (a script failing or timing out, a stop failure, a node declared dead, a
split brain in the stream or in a snapshot polled, a command refused, a move not done
within ``timeout_s``, the operator's ``stop``) ends it, and the group is put back where
it was, unless a split brain is still under way then: a move would make it worse, so the
report says so and where the group is (``not_restored``). Every wait is bounded by
``timeout_s``. The ha-log lines the stream carried (``LogLine``) give each move its
per-phase times (``hbtui.drill.halog.phases``) where they date them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from hbtui.drill.checks import (
    anomaly,
    holder,
    notes,
    peers,
    preflight,
    settled,
    split_in,
    split_in_snapshot,
)
from hbtui.drill.halog import phases
from hbtui.drill.report import DrillReport, Move, ScriptLog
from hbtui.stream import codec
from hbtui.stream.items import SourceItem
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import NodeSource, Outcome, perform

POLL_S = 0.05
TIMEOUT_S = 120.0
STREAM_WAIT_S = 2.0  # the first item says the event stream is open before the first move

T = TypeVar("T")


class DrillTarget(Protocol):
    """What a drill needs of a node (a ``NodeSource`` has all of it, and so has
    ``hbtui.sources.daemon_target.DaemonTarget`` for the real heartbeat daemon)."""

    async def snapshot(self) -> dict[str, Any]:
        """The node's snapshot now (empty: it does not answer)."""
        ...

    async def standby(self) -> Outcome: ...
    async def takeover(self) -> Outcome: ...

    def events(self) -> AsyncIterator[SourceItem]:
        """Every item from now on."""
        ...


class LogFed(DrillTarget, Protocol):
    """A target whose events someone else reads: ``read`` turns each item handed over
    into the items it stands for (an ha-log line: itself and what it says)."""

    def read(self, item: SourceItem) -> list[SourceItem]: ...


class Clock(Protocol):
    """Monotonic seconds and a sleep on the same clock."""

    def monotonic(self) -> float: ...
    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The running loop's clock."""

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# keeps a finished report (Markdown and JSON beside the last drill's); where it went
KeepDrill = Callable[[DrillReport], Awaitable[str]]
# the snapshot with what the preflight reads besides it (``configs``, ``trouble``)
ReadMore = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
# after the drill: the peer's script runs from its ha-log into the report (``peer_scripts``,
# or ``peer_unread``: why not)
ReadAfter = Callable[[DrillReport], Awaitable[None]]


@dataclass(frozen=True)
class DrillSetup:
    """How a console runs drills: where reports go (None: not kept), the move timeout,
    the clock (None: the loop's), what the preflight reads besides the snapshot (both
    nodes' configs and the node's ha-log: ``hbtui.sources.drill_reads``; None: nothing,
    and the report says so), and what is read after the drill (the peer's scripts from
    its ha-log; None: not read, and the report says so)."""

    keep: KeepDrill | None = None
    timeout_s: float = TIMEOUT_S
    clock: Clock | None = None
    reads: ReadMore | None = None
    peer_scripts: ReadAfter | None = None


class TargetLost(Exception):
    """The node did not answer (or answered nothing)."""


def plan(snap: Mapping[str, Any], started: str) -> DrillReport:
    """The drill about to start on the node of ``snap``, refused when the preflight says so."""
    others = list(peers(snap))
    peer = others[0] if others else "none"
    refused = preflight(snap)
    unread = None if refused else f"no link to {peer}"  # until the peer's scripts are read
    return DrillReport(started, str(snap.get("node") or "?"), peer, holder(snap) or "nobody",
                       refused=refused, notes=notes(snap, peer), peer_unread=unread)  # fmt: skip


class Relay:
    """A ``DrillTarget`` over a source whose events someone else reads: that reader hands
    each item to ``feed``; only items fed after ``events()`` began are kept. A source
    that only watches the real daemon offers ``drill_target()`` (a ``LogFed``): its
    snapshot and moves are used, and each item fed goes through its ``read``."""

    def __init__(self, source: NodeSource) -> None:
        self.source = source
        make = getattr(source, "drill_target", None)
        self.inner: LogFed | None = make() if make is not None else None
        self._queue = ItemQueue()
        self._open = False

    def feed(self, item: SourceItem) -> None:
        if self._open:
            for each in self.inner.read(item) if self.inner is not None else [item]:
                self._queue.put(each)

    def close(self) -> None:
        self._open = False
        self._queue.close()

    async def snapshot(self) -> dict[str, Any]:
        if self.inner is not None:
            return await self.inner.snapshot()
        return await self.source.snapshot()

    async def standby(self) -> Outcome:
        if self.inner is not None:
            return await self.inner.standby()
        return await perform(self.source, "standby")

    async def takeover(self) -> Outcome:
        if self.inner is not None:
            return await self.inner.takeover()
        return await perform(self.source, "takeover")

    async def events(self) -> AsyncIterator[SourceItem]:
        self._open = True
        async for item in self._queue:
            yield item


class Drill:
    """One drill of ``report`` (from ``plan``, not refused) on ``target``; ``on_change``
    is called at each step (progress: ``current`` and ``elapsed()``)."""

    def __init__(
        self,
        target: DrillTarget,
        report: DrillReport,
        *,
        timeout_s: float = TIMEOUT_S,
        clock: Clock | None = None,
        on_change: Callable[[Drill], None] | None = None,
    ) -> None:
        self.target, self.report, self.timeout_s = target, report, timeout_s
        self.clock: Clock = clock or LoopClock()
        self.on_change = on_change
        self.current: Move | None = None
        self._began = 0.0
        self._heard = False
        self._seen: str | None = None  # the first anomaly the stream showed, not yet taken
        self._stopped: str | None = None
        self._split: str | None = None  # the split brain under way, as last seen
        self._scripts = ScriptLog(report.scripts)
        self._lines: list[str] = []  # the node's ha-log lines during the drill

    def elapsed(self) -> float:
        """Seconds into the current move."""
        return self.clock.monotonic() - self._began

    def stop(self, why: str = "stopped by the operator") -> None:
        """End the drill at the next step (the group is put back)."""
        self._stopped = self._stopped or why

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    # -- the event stream --------------------------------------------------------------

    async def _follow(self) -> None:
        async for item in self.target.events():
            self._heard = True
            why = self._note(item if isinstance(item, Mapping) else codec.to_json(item))
            if why and self._seen is None:
                self._seen = why

    def _note(self, item: Mapping[str, Any]) -> str | None:
        """Keep script runs and the split brain; the anomaly this item is, if any."""
        split = split_in(item)
        if split is not None:
            self._split = split or None
        if item.get("type") == "LogLine":
            self._lines.append(str(item.get("text")))
        self._scripts.note(item)
        return anomaly(item)

    def _anomaly(self, move: Move) -> bool:
        """Whether something ended the drill during ``move`` (said in the report)."""
        why, self._seen = self._stopped or self._seen, None
        if why and self.report.anomaly is None:
            self.report.anomaly = f"{move.name}: {why}"
        return why is not None

    # -- the node ----------------------------------------------------------------------

    async def _ask(self, what: str, call: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(call, self.timeout_s)
        except TimeoutError as exc:
            raise TargetLost(f"no answer to {what} within {self.timeout_s:g} s") from exc
        except Exception as exc:  # whatever the target raises: the node is lost to us
            raise TargetLost(f"{what}: {exc}") from exc

    async def _snapshot(self) -> dict[str, Any]:
        snap = await self._ask("snapshot", self.target.snapshot())
        if not snap:
            raise TargetLost("it gave no snapshot (not running?)")
        split = split_in_snapshot(snap)
        if split is not None:
            self._split = split or None
        if split and self._seen is None:
            self._seen = f"split brain: {split}"
        return snap

    async def move(self, move: Move, watch: bool = True) -> bool:
        """Give ``move.command`` and wait until the group is on ``move.to_node``, settled."""
        self.report.moves.append(move)
        self.current, self._began = move, self.clock.monotonic()
        self._changed()
        command = self.target.standby if move.command == "standby" else self.target.takeover
        done = await self._ask(move.command, command())
        if not done.ok:
            if watch and self.report.anomaly is None:
                self.report.anomaly = f"{move.name}: {move.command} refused: {done.text}"
            return False
        while self.elapsed() < self.timeout_s:
            if watch and self._anomaly(move):
                return False
            snap = await self._snapshot()
            if holder(snap) == move.to_node and settled(snap):
                move.seconds, move.ok = round(self.elapsed(), 3), True
                self._changed()
                await self.clock.sleep(POLL_S)  # what the stream said before it settled
                return not (watch and self._anomaly(move))
            self._changed()
            await self.clock.sleep(POLL_S)
        if watch and self.report.anomaly is None:
            self.report.anomaly = f"{move.name}: not done within {self.timeout_s:g} s"
        return False

    async def _quiet(self) -> dict[str, Any]:
        """The snapshot once a move under way has ended (or after ``timeout_s``)."""
        began = self.clock.monotonic()
        snap = await self._snapshot()
        while not settled(snap) and self.clock.monotonic() - began < self.timeout_s:
            await self.clock.sleep(POLL_S)
            snap = await self._snapshot()
        return snap

    async def _wait_for_stream(self) -> None:
        began = self.clock.monotonic()
        while not self._heard and self.clock.monotonic() - began < STREAM_WAIT_S:
            await self.clock.sleep(POLL_S)

    async def _sequence(self) -> None:
        me, peer, original = self.report.node, self.report.peer, self.report.holder
        away = Move("away", "standby", peer) if original == me else Move("away", "takeover", me)
        back = Move("back", "takeover", me) if original == me else Move("back", "standby", peer)
        await self._wait_for_stream()
        if await self.move(away):
            await self.move(back)
        if self.report.anomaly is None:
            return
        quiet = await self._quiet()  # a move asked for goes on: let it end
        if self._split is not None:
            where = f"on {on}" if (on := holder(quiet)) else "not on one node"
            self.report.not_restored = (
                f"a split brain is under way ({self._split}): the group was not moved "
                f"again (it is {where}); resolve the split brain first"
            )
            return
        if holder(quiet) != original:
            command = "takeover" if original == me else "standby"
            await self.move(Move("restore", command, original), watch=False)

    def _date_phases(self) -> None:
        """Each move's per-phase times, where the node's ha-log lines date them."""
        moves = self.report.moves
        found = phases(self.report.node, self._lines, [m.to_node for m in moves])
        for move, times in zip(moves, found, strict=True):
            if times is not None:
                move.logged_at, move.phases = times

    async def run(self) -> DrillReport:
        """Away and back; put the group back where it was when something went wrong."""
        follower = asyncio.ensure_future(self._follow())
        try:
            await self._sequence()
        except TargetLost as exc:
            self.report.anomaly = self.report.anomaly or f"the node stopped answering: {exc}"
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            self._date_phases()
            self.current = None
            self._changed()
        return self.report
