"""``PeerSource``: a peer node as a console ``NodeSource``, over its PeerSession.

An hbtui peer's ``--follow`` lines become console items through the attached source's
converter, after their times are moved from the peer's monotonic clock onto ours (the
offset is taken from each snapshot's ``now_ms``; the SSH latency is the error). A
real-daemon peer gives ha-log lines (and the status changes they state) and a snapshot
built from ``cl_status``. Actions go through the peer's own service manager. With
``probe_every_s`` (hbtui.conf's ``split_brain_probe``) the VIPs of ``probe_on`` are also
ARP-probed from the peer's side over the link (``peer_arp``) unless the peer's snapshot
says it probes them itself; what that finds is put in the snapshot (``runtime``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from hbtui.engine.events import NodeStateChanged
from hbtui.remote.detect import PeerDaemon
from hbtui.remote.session import PeerSession
from hbtui.sources.attach import convert
from hbtui.sources.peer_arp import PYTHON, PeerArpProbe
from hbtui.stream.halog import level_of, status_changes
from hbtui.stream.items import LogLine, SnapshotTaken, SourceItem
from hbtui.stream.link import LinkState
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import Outcome, SourceMode

if TYPE_CHECKING:
    from hbtui.sources.daemon_target import DaemonTarget

# Fields holding a point on the sender's monotonic clock (durations are left alone).
CLOCK_FIELDS = frozenset(
    {"at_ms", "now_ms", "started_ms", "next_deadline_ms", "deadline_ms", "last_heard_ms"}
    | {"declared_dead_ms", "decided_ms", "vip_added_ms", "scripts_done_ms"}
)
QUEUE_MAX = 5000


def shift_clock(obj: Any, offset_ms: int) -> Any:
    """A copy of a JSON value with every clock field moved by ``offset_ms``."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if key in CLOCK_FIELDS and isinstance(value, int) and not isinstance(value, bool):
                out[key] = value + offset_ms
            else:
                out[key] = shift_clock(value, offset_ms)
        return out
    if isinstance(obj, list):
        return [shift_clock(v, offset_ms) for v in obj]
    return obj


class PeerSource:
    """See the module docstring."""

    # the console has no "peer" mode yet: a peer is a node reached from outside
    mode: SourceMode = "attached"
    read_only = False
    tz: tzinfo | None = None

    def __init__(
        self,
        session: PeerSession,
        probe_every_s: float | None = None,
        probe_on: Sequence[tuple[str, str]] = (),
        python: Sequence[str] = PYTHON,
    ) -> None:
        """``probe_on``: the (VIP, device) pairs to ARP-probe from the peer's side every
        ``probe_every_s`` with its ``python``."""
        self.session = session
        self.node_name = session.node
        self._offset_ms = 0
        self._snapshot: dict[str, Any] = {}
        self._queue = ItemQueue(QUEUE_MAX)
        self._probes_itself = False  # the peer's own snapshot carries runtime.split_brain
        self.probe: PeerArpProbe | None = None
        if probe_every_s and probe_on:
            self.probe = PeerArpProbe(
                session.link, self.node_name, probe_on, probe_every_s, self._probe_said,
                self.now_ms, python,
            )  # fmt: skip
        self._probe_task: asyncio.Task[None] | None = None
        session.on_item = self._arrived

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms + int(time.time() * 1000) - self.now_ms()

    def is_running(self) -> bool:
        status = self._snapshot.get("status")
        return status not in (None, "dead", "stopped", "?")

    def _put(self, item: SourceItem) -> None:
        self._queue.put(item)  # the UI drops the oldest, never blocks the link

    def _arrived(self, kind: str, raw: object) -> None:
        now = self.now_ms()
        if kind == "event" and isinstance(raw, dict):
            if raw.get("type") == "snapshot":
                peer_now = (raw.get("snapshot") or {}).get("now_ms")
                if isinstance(peer_now, int):
                    self._offset_ms = now - peer_now
            item = convert(shift_clock(raw, self._offset_ms), now)
            if isinstance(item, SnapshotTaken):
                runtime = item.data.get("runtime")
                self._probes_itself = isinstance(runtime, dict) and "split_brain" in runtime
                item = SnapshotTaken(item.at_ms, self._with_probe(item.data))
                self._snapshot = item.data
            if item is not None:
                self._put(item)
        elif kind in ("log", "log-history") and isinstance(raw, str):
            self._put(LogLine(now, level_of(raw), raw))
            if kind == "log":  # history says what was, not what is
                for change in status_changes(raw, self.node_name, now):
                    self._put(change)
        elif kind == "ended" and isinstance(raw, str):
            self._stopped(raw)
        elif kind == "cl_status" and isinstance(raw, dict):
            snap = self._cl_snapshot({str(k): str(v) for k, v in raw.items()})
            self._snapshot = self._with_probe(snap)
            self._put(SnapshotTaken(now, self._snapshot))

    def _with_probe(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` with what our probe from the peer's side found (``runtime``), unless
        the peer probes itself."""
        if self.probe is None or self._probes_itself:
            return data
        runtime = data.get("runtime")
        runtime = runtime if isinstance(runtime, dict) else {}
        return {**data, "runtime": {**runtime, **self.probe.describe()}}

    def _probe_ready(self) -> bool:
        """Probe while the link is up, the peer was read, and it does not probe itself."""
        up = self.session.status.state is LinkState.UP
        return up and self.session.facts is not None and not self._probes_itself

    def _probe_said(self, level: str, text: str) -> None:
        """A finding of the probe from the peer's side: into its log, and a snapshot."""
        now = self.now_ms()
        self._put(LogLine(now, level, f"console: {text}"))
        self._snapshot = self._with_probe(self._snapshot)
        self._put(SnapshotTaken(now, self._snapshot))

    def _stopped(self, why: str) -> None:
        """The peer's node stopped: say so until its next snapshot."""
        old = str(self._snapshot.get("status", "?"))
        self._snapshot = {**self._snapshot, "status": "stopped"}
        self._put(NodeStateChanged(self.now_ms(), self.node_name, old, "stopped", why))

    def _cl_snapshot(self, statuses: dict[str, str]) -> dict[str, Any]:
        return {
            "node": self.node_name,
            "status": statuses.get(self.node_name, "?"),
            "nodes": {
                name: {"self": name == self.node_name, "status": status}
                for name, status in statuses.items()
            },
        }

    async def events(self) -> AsyncIterator[SourceItem]:
        self.session.start()
        if self.probe is not None and self._probe_task is None:
            self._probe_task = asyncio.create_task(
                self.probe.run(self._probe_ready), name=f"peer-arp-{self.node_name}"
            )
        async for item in self._queue:
            yield item

    async def snapshot(self) -> dict[str, Any]:
        return dict(self._snapshot)

    def drill_target(self) -> DaemonTarget | None:
        """A real daemon on the peer, for a failover drill (``D``) with its own tools over
        the link (None: the peer runs hbtui, or nothing was read from it yet)."""
        facts = self.session.facts
        if facts is None or facts.daemon is not PeerDaemon.HEARTBEAT:
            return None
        from hbtui.sources.daemon_target import peer_target

        return peer_target(self.session.link, self.node_name, facts.config_texts)

    async def _act(self, action: str) -> Outcome:
        if self.session.actions is not None:
            shown = self.session.actions.describe(action)
            self._put(LogLine(self.now_ms(), "info", f"console: running {shown}"))
        done = await self.session.perform(action)
        if done.ok and action == "stop":
            self._stopped(f"stopped by the operator ({action})")
        return Outcome(done.ok, done.text)

    async def start(self) -> Outcome:
        return await self._act("start")

    async def stop(self) -> Outcome:
        return await self._act("stop")

    async def standby(self) -> Outcome:
        return await self._act("standby")

    async def takeover(self) -> Outcome:
        return await self._act("takeover")

    async def delete_uuid(self) -> Outcome:
        return await self._act("delete_uuid")

    async def kill(self) -> Outcome:
        return Outcome(False, "kill: not offered for a peer over SSH; stop it (s) instead")

    async def close(self) -> None:
        if self._probe_task is not None:
            self._probe_task.cancel()
            await asyncio.gather(self._probe_task, return_exceptions=True)
        await self.session.close()
        self._queue.close()
