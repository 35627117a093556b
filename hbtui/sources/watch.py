"""``WatchSource``: the real heartbeat daemon, read-only.

Its ha-log is tailed by a daemon thread (the file has no change events without
inotify, so the thread checks every ``TAIL_INTERVAL_S``); node statuses come from
``cl_status`` at start and then from the log's own wording ("Status update for node
X: status Y", "node X: is dead", "Local status now set to: 'Y'"); every burst of new
lines is followed by one fresh snapshot (cl_status, and whether each VIP is on this
machine). Keepalives are not visible from outside the daemon. Every action is refused:
the daemon belongs to its init script; only a failover drill (``D``) moves the group,
with the daemon's own hb_standby / hb_takeover (``drill_target``). With
``probe_every_s`` (hbtui.conf's ``split_brain_probe``, as for ``hbtui node``) it
ARP-probes each VIP of ``probe_on`` that often, as root (adapters/splitbrain.py): another
machine answering for a VIP held here, or two others, is logged, put in the snapshot
(``runtime.split_brain``) and shown as the console's banner.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hbtui.adapters.splitbrain import SplitBrainWatch
from hbtui.adapters.udpport import local_addresses
from hbtui.stream.halog import level_of, status_changes
from hbtui.stream.items import LogLine, SnapshotTaken, SourceItem
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import Outcome, SourceMode

if TYPE_CHECKING:
    from hbtui.sources.daemon_target import DaemonTarget

TAIL_INTERVAL_S = 0.25
BACKLOG_LINES = 200
CL_STATUS_TIMEOUT_S = 3.0
REFRESH_DELAY_S = 0.5
NODE_STATUSES = ("init", "up", "active", "dead", "standby")


class WatchSource:
    """See the module docstring."""

    mode: SourceMode = "watch"
    read_only = True
    tz: tzinfo | None = None

    def __init__(
        self,
        node_name: str,
        nodes: tuple[str, ...],
        logfile: Path | None,
        pid: int,
        extras: dict[str, Any] | None = None,
        probe_every_s: float | None = None,
        probe_on: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``probe_on``: the (VIP, device) pairs the split-brain probe asks about
        (``adapters.splitbrain.probe_targets``), every ``probe_every_s``."""
        self.node_name = node_name
        self.probe_every_s = probe_every_s
        self.probe_on = tuple(probe_on)
        self.nodes = nodes
        self.logfile = logfile
        self.pid = pid
        self.extras = extras or {}
        self._queue = ItemQueue()
        self._closed = False
        self._started = False
        self._refresh_armed = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.probe: SplitBrainWatch | None = None

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms + int(time.time() * 1000) - self.now_ms()

    def is_running(self) -> bool:
        import psutil  # type: ignore[import-untyped]

        return bool(psutil.pid_exists(self.pid))

    def _emit(self, loop: asyncio.AbstractEventLoop, line: str) -> None:
        at = self.now_ms()
        items: list[SourceItem] = [LogLine(at, level_of(line), line)]
        items += status_changes(line, self.node_name, at)
        for item in items:
            loop.call_soon_threadsafe(self._queue.put, item)
        if self._started:  # the backlog is history; new lines mean something changed
            loop.call_soon_threadsafe(self._arm_refresh)

    def _arm_refresh(self) -> None:
        """One fresh snapshot REFRESH_DELAY_S after the first line of a burst."""
        if not self._refresh_armed and not self._closed:
            self._refresh_armed = True
            asyncio.get_running_loop().call_later(REFRESH_DELAY_S, self._spawn_refresh)

    def _spawn_refresh(self) -> None:
        task = asyncio.get_running_loop().create_task(self._refresh())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self) -> None:
        self._refresh_armed = False
        data = await self.snapshot()
        self._queue.put(SnapshotTaken(self.now_ms(), data))

    def _tail(self, loop: asyncio.AbstractEventLoop) -> None:
        path = self.logfile
        assert path is not None
        handle = None
        inode = None
        while not self._closed:
            if handle is None:
                try:
                    handle = path.open("r", encoding="utf-8", errors="replace")
                    inode = path.stat().st_ino
                    backlog = handle.readlines()[-BACKLOG_LINES:] if not self._started else []
                    for line in backlog:
                        self._emit(loop, line.rstrip("\n"))
                    self._started = True  # after the backlog: its lines ask for no refresh
                except OSError:
                    handle = None
                    time.sleep(TAIL_INTERVAL_S)
                    continue
            line = handle.readline()
            if line:
                self._emit(loop, line.rstrip("\n"))
                continue
            try:
                rotated = path.stat().st_ino != inode or path.stat().st_size < handle.tell()
            except OSError:
                rotated = True
            if rotated:
                handle.close()
                handle = None
            time.sleep(TAIL_INTERVAL_S)
        if handle is not None:
            handle.close()

    def split_brain_watch(self) -> SplitBrainWatch | None:
        """The ARP probe of ``probe_on`` (None: not asked for, no VIP, not root)."""
        every = self.probe_every_s
        if self.probe is None and every and self.probe_on and os.geteuid() == 0:
            self.probe = SplitBrainWatch(self.probe_on, every, self._here, self._said, self.now_ms)
        return self.probe

    async def _here(self, ip: str) -> bool:
        return ip in await asyncio.to_thread(local_addresses)

    def _said(self, level: str, text: str) -> None:
        """A probe finding: into the log pane, and a fresh snapshot for the banner."""
        self._queue.put(LogLine(self.now_ms(), level, f"console: {text}"))
        self._arm_refresh()

    async def events(self) -> AsyncIterator[SourceItem]:
        loop = asyncio.get_running_loop()
        watch = self.split_brain_watch()
        if watch is not None:
            task = loop.create_task(watch.run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.logfile is None:
            text = "console: ha.cf sets no logfile; heartbeat logs to syslog only"
            self._queue.put(LogLine(self.now_ms(), "WARN", text))
        else:
            threading.Thread(
                target=self._tail, args=(loop,), name="hbtui-tail", daemon=True
            ).start()
        async for item in self._queue:
            yield item

    async def snapshot(self) -> dict[str, Any]:
        statuses = await asyncio.to_thread(self._cl_status)
        local = await asyncio.to_thread(local_addresses)
        others = [n for n, st in statuses.items() if n != self.node_name and st == "active"]
        vips = []
        for vip in self.extras.get("configured_vips", []):
            owner = self.node_name if vip["ip"] in local else None
            if owner is None and len(others) == 1:
                owner = others[0]  # not here, and only one other node is up
            vips.append({"resource": vip["resource"], "ip": vip["ip"], "owner": owner})
        probed = {"runtime": self.probe.describe()} if self.probe is not None else {}
        return {
            **probed,
            "keepalives_visible": False,
            "vips": vips,
            "node": self.node_name,
            "nodes": {  # no status when cl_status did not say: the ha-log keeps it
                name: {"self": name == self.node_name}
                | ({"status": statuses[name]} if name in statuses else {})
                for name in self.nodes
            },
            **self.extras,
        }

    def _cl_status(self) -> dict[str, str]:
        exe = shutil.which("cl_status")
        out: dict[str, str] = {}
        if exe is None:
            return out
        for name in self.nodes:
            try:
                done = subprocess.run(
                    [exe, "nodestatus", name],
                    capture_output=True,
                    text=True,
                    timeout=CL_STATUS_TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                continue
            words = done.stdout.split()
            if words and words[0] in NODE_STATUSES:  # cl_status exits 1 for a dead node
                out[name] = words[0]
        return out

    def drill_target(self) -> DaemonTarget:
        """The daemon's own tools for a failover drill (``D``): hb_standby / hb_takeover
        and cl_status, run here; the lines this source tails are handed to its ``read``."""
        from hbtui.remote.runner import LocalRunner
        from hbtui.sources.daemon_target import DaemonTarget

        vips = self.extras.get("configured_vips", [])
        return DaemonTarget(LocalRunner(), self.node_name, self.nodes, vips, self.logfile)

    async def _refuse(self) -> Outcome:
        return Outcome(False, "read-only: this console only watches the real heartbeat daemon")

    start = stop = kill = standby = takeover = delete_uuid = _refuse

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        self._queue.close()
