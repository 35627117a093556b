"""``WatchSource``: the real heartbeat daemon, read-only.

Its ha-log is tailed by a daemon thread (the file has no change events without
inotify, so the thread checks every ``TAIL_INTERVAL_S``); node statuses come from
``cl_status`` at start and then from the log's own wording ("Status update for node
X: status Y", "node X: is dead", "Local status now set to: 'Y'"). Every action is
refused: the daemon belongs to its init script.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from datetime import tzinfo
from pathlib import Path
from typing import Any

from hbtui.console.items import LogLine, SourceItem
from hbtui.console.source import Outcome, SourceMode
from hbtui.engine import events as ev

TAIL_INTERVAL_S = 0.25
BACKLOG_LINES = 200
CL_STATUS_TIMEOUT_S = 3.0
_END = object()

_LEVEL = re.compile(r"\]:\s+(debug|info|WARN|ERROR|CRIT|INFO|ERR|warning):", re.IGNORECASE)
_STATUS = re.compile(r"Status update for node (\S+): status (\w+)")
_DEAD = re.compile(r"node (\S+): is dead")
_LOCAL = re.compile(r"Local status now set to: '(\w+)'")


def level_of(line: str) -> str:
    """The ha-log level word of a line, normalised (info when there is none)."""
    m = _LEVEL.search(line)
    if m is None:
        return "info"
    word = m.group(1).lower()
    return {
        "warn": "WARN",
        "warning": "WARN",
        "error": "ERROR",
        "err": "ERROR",
        "crit": "CRIT",
        "debug": "debug",
    }.get(word, "info")


def status_changes(line: str, us: str, at_ms: int) -> list[ev.NodeStateChanged]:
    """Node status changes that an ha-log line states."""
    if m := _STATUS.search(line):
        return [ev.NodeStateChanged(at_ms, m.group(1), "?", m.group(2), "ha-log")]
    if m := _DEAD.search(line):
        return [ev.NodeStateChanged(at_ms, m.group(1), "?", "dead", "ha-log")]
    if m := _LOCAL.search(line):
        return [ev.NodeStateChanged(at_ms, us, "?", m.group(1), "ha-log")]
    return []


def local_addresses() -> set[str]:
    """Every IP address on this machine's interfaces (psutil)."""
    import psutil  # type: ignore[import-untyped]

    return {
        addr.address.split("%")[0]
        for addrs in psutil.net_if_addrs().values()
        for addr in addrs
        if addr.family in (socket.AF_INET, socket.AF_INET6)
    }


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
    ) -> None:
        self.node_name = node_name
        self.nodes = nodes
        self.logfile = logfile
        self.pid = pid
        self.extras = extras or {}
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._closed = False
        self._started = False

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms + int(time.time() * 1000) - self.now_ms()

    def is_running(self) -> bool:
        import psutil

        return bool(psutil.pid_exists(self.pid))

    def _emit(self, loop: asyncio.AbstractEventLoop, line: str) -> None:
        at = self.now_ms()
        items: list[SourceItem] = [LogLine(at, level_of(line), line)]
        items += status_changes(line, self.node_name, at)
        for item in items:
            loop.call_soon_threadsafe(self._queue.put_nowait, item)

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
                    self._started = True
                    for line in backlog:
                        self._emit(loop, line.rstrip("\n"))
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

    async def events(self) -> AsyncIterator[SourceItem]:
        loop = asyncio.get_running_loop()
        if self.logfile is None:
            text = "console: ha.cf sets no logfile; heartbeat logs to syslog only"
            self._queue.put_nowait(LogLine(self.now_ms(), "WARN", text))
        else:
            threading.Thread(
                target=self._tail, args=(loop,), name="hbtui-tail", daemon=True
            ).start()
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item  # type: ignore[misc]

    async def snapshot(self) -> dict[str, Any]:
        statuses = await asyncio.to_thread(self._cl_status)
        local = await asyncio.to_thread(local_addresses)
        vips = [
            {
                "resource": vip["resource"],
                "ip": vip["ip"],
                "owner": self.node_name if vip["ip"] in local else None,
            }
            for vip in self.extras.get("configured_vips", [])
        ]
        return {
            "vips": vips,
            "node": self.node_name,
            "status": statuses.get(self.node_name, "?"),
            "nodes": {
                name: {"self": name == self.node_name, "status": statuses.get(name, "?")}
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
            if done.returncode == 0 and done.stdout.strip():
                out[name] = done.stdout.strip().split()[0]
        return out

    async def _refuse(self) -> Outcome:
        return Outcome(False, "read-only: this console only watches the real heartbeat daemon")

    start = stop = kill = standby = takeover = delete_uuid = _refuse

    async def close(self) -> None:
        self._closed = True
        self._queue.put_nowait(_END)
