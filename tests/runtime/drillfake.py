"""A drill target without a node: two nodes and one VIP as snapshots, moves that settle
after a set time on a hand-stepped clock, resource scripts as stream items."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from hbtui.engine.events import PeerDead, ScriptExited, ScriptOutput, ScriptStarted
from hbtui.stream.items import LogLine, SnapshotTaken, SourceItem
from hbtui.stream.source import Outcome

VIP = "192.168.10.10"
MAC = "02:00:00:00:00:02"
# how a split brain shows (``FakeCluster.split``): the probe's CRIT line, the real daemon's
# line, the probe in each snapshot, a snapshot item in the stream, two claims when settled
SPLIT_LINES = {
    "log": f"Nov 26 03:30:01 server1 heartbeat: [42]: CRIT: Split brain: {VIP} is held by 2 "
    f"machines on eth0: this node, {MAC}",
    "daemon-log": "Nov 26 03:30:01 server1 heartbeat: [42]: ERROR: Both machines own our "
    "resources!",
}
OVER_LINE = (
    f"Nov 26 03:30:03 server1 heartbeat: [42]: info: Split brain over: {VIP} is held by "
    "this node alone"
)


class FakeClock:
    """Monotonic seconds that move only when someone sleeps; from ``hold_at`` (seconds)
    on, sleeps wait for ``release()`` (a test looks at the progress meanwhile)."""

    def __init__(self, hold_at: float | None = None) -> None:
        self.now_ms = 0  # whole milliseconds: sums of 0.05 s stay exact
        self.hold_at_ms = None if hold_at is None else round(hold_at * 1000)
        self.released = asyncio.Event()

    def release(self) -> None:
        self.released.set()

    @property
    def now(self) -> float:
        return self.now_ms / 1000

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if self.hold_at_ms is not None and self.now_ms >= self.hold_at_ms:
            await self.released.wait()
        self.now_ms += round(seconds * 1000)
        await asyncio.sleep(0)


@dataclass
class FakeCluster:
    """``me`` (this node, server1) and ``peer`` (server2); ``holder`` has the VIP (``me``
    unless said). A move settles ``delay_s``
    (per command) after it was asked; ``stuck`` never settles, ``fail`` makes that script
    op exit 1, ``refuse`` answers the command with a failure, ``lost`` empties snapshots,
    ``peer_dies`` reports the peer dead when the first move is asked; ``split`` (a key of
    ``SPLIT_LINES``, "probe", "event" or "claims") starts a split brain then, which ends
    ``split_ends_s`` later (None: never)."""

    clock: FakeClock = field(default_factory=FakeClock)
    me: str = "server1"
    peer: str = "server2"
    holder: str = ""
    peer_status: str = "active"
    delay_s: dict[str, float] = field(default_factory=lambda: {"standby": 1.5, "takeover": 0.8})
    stuck: set[str] = field(default_factory=set)
    fail: set[tuple[str, str]] = field(default_factory=set)
    refuse: set[str] = field(default_factory=set)
    lost: bool = False
    peer_dies: bool = False
    split: str = ""
    split_ends_s: float | None = None
    asked: list[str] = field(default_factory=list)
    _split_until: int | None = None  # ms; set while a split brain is under way
    _moving: tuple[str, int] | None = None  # (to, at ms)
    _queue: asyncio.Queue[SourceItem] = field(default_factory=asyncio.Queue)
    _rid: int = 0

    def __post_init__(self) -> None:
        self.holder = self.holder or self.me

    def _settle(self) -> None:
        if self._moving is not None and self.clock.now_ms >= self._moving[1]:
            self.holder, self._moving = self._moving[0], None
        if self._split_until is not None and self.clock.now_ms >= self._split_until:
            self._split_until = None
            if self.split == "log":
                self._queue.put_nowait(LogLine(0, "info", OVER_LINE))

    def _split_begins(self) -> None:
        if not self.split or self._split_until is not None or len(self.asked) > 1:
            return
        ends = self.split_ends_s
        self._split_until = 2**62 if ends is None else self.clock.now_ms + round(ends * 1000)
        if self.split in SPLIT_LINES:
            self._queue.put_nowait(LogLine(0, "CRIT", SPLIT_LINES[self.split]))
        if self.split == "event":
            self._queue.put_nowait(SnapshotTaken(0, self._view()))

    def _probed(self) -> list[dict[str, Any]]:
        if self._split_until is None:
            return []
        return [{"ip": VIP, "device": "eth0", "here": True, "macs": [MAC], "since_ms": 0}]

    async def snapshot(self) -> dict[str, Any]:
        if self.lost:
            return {}
        self._settle()
        return self._view()

    def _view(self) -> dict[str, Any]:
        busy = self._moving is not None
        snap: dict[str, Any] = {
            "node": self.me,
            "status": "active",
            "nodes": {
                self.me: {"self": True, "status": "active"},
                self.peer: {"self": False, "status": self.peer_status},
            },
            "vips": [{"resource": f"IPaddr::{VIP}/24", "ip": VIP, "owner": self.holder}],
            "busy": busy,
            "standby": None,
            "runtime": {"scripts_running": 1 if busy else 0},
        }
        if self.split in ("probe", "event"):
            snap["runtime"]["split_brain"] = self._probed()
        if self.split == "claims":
            snap["groups"] = [{"key": f"IPaddr::{VIP}/24", "home": self.me, "running_here": True}]
            for name, node in snap["nodes"].items():
                both = self._split_until is not None
                node["rsc_hold"] = "all" if both or name == self.holder else "none"
        return snap

    def _script(self, op: str) -> None:
        self._rid += 1
        rc = 1 if ("failback.sh", op) in self.fail else 0
        argv = ("/etc/ha.d/resource.d/failback.sh", op)
        self._queue.put_nowait(ScriptStarted(0, self._rid, "failback.sh", argv, 20000))
        self._queue.put_nowait(ScriptOutput(0, self._rid, "stdout", f"failback.sh: {op}"))
        self._queue.put_nowait(ScriptExited(0, self._rid, rc, False))

    async def _move(self, command: str, to_node: str) -> Outcome:
        self.asked.append(command)
        if command in self.refuse:
            return Outcome(False, "the node is not running")
        if self.peer_dies:
            self._queue.put_nowait(PeerDead(0, self.peer, None, 250, False))
        self._split_begins()
        if command not in self.stuck:
            self._moving = (to_node, self.clock.now_ms + round(self.delay_s[command] * 1000))
        self._script("stop" if to_node == self.peer else "start")
        return Outcome(True, f"{command} all requested")

    async def standby(self) -> Outcome:
        return await self._move("standby", self.peer)

    async def takeover(self) -> Outcome:
        return await self._move("takeover", self.me)

    async def events(self) -> AsyncIterator[SourceItem]:
        yield SnapshotTaken(0, await self.snapshot())
        while True:
            yield await self._queue.get()
