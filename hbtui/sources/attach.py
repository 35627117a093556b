"""``AttachedSource``: a running ``hbtui node`` seen through its control socket.

The control client is blocking: one daemon thread follows the event stream and hands
each item to the loop; requests (snapshot, stop, standby, takeover) run in worker
threads. The stream begins with the node's last ha-log lines (also those a node that just
started logged before its control socket existed). ``kill`` sends SIGKILL to the node's
pid (a real crash drill), ``start`` asks systemd for the ``hbtui`` unit and then follows
the new node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from datetime import tzinfo
from pathlib import Path
from typing import Any

from hbtui.adapters.state import StateError
from hbtui.adapters.state import delete_uuid as delete_uuid_file
from hbtui.control import client
from hbtui.engine import events as ev
from hbtui.sources.embedded import refresh_due
from hbtui.stream import codec
from hbtui.stream.items import LogLine, PacketCounts, SnapshotTaken, SourceItem
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import Outcome, SourceMode

SYSTEMD_UNIT = "hbtui.service"
START_TIMEOUT_S = 60.0  # the init script waits up to 30 s for the control socket


def convert(obj: dict[str, Any], now_ms: int) -> SourceItem | None:
    """One line of the follow stream as a console item (None: nothing to show)."""
    kind = obj.get("type")
    if kind == "snapshot":
        return SnapshotTaken(now_ms, dict(obj.get("snapshot") or {}))
    if kind == "LogLine":
        return LogLine(int(obj["at_ms"]), str(obj["level"]), str(obj.get("line") or obj["text"]))
    if kind == "RuntimeChanged":
        detail = f": {obj['detail']}" if obj.get("detail") else ""
        return LogLine(int(obj["at_ms"]), "info", f"hbtui runtime: node {obj['what']}{detail}")
    if kind == "WireCounters":
        return PacketCounts.read(int(obj.get("at_ms") or 0), obj)
    if kind == "Dropped":
        text = f"console: {obj.get('count')} events dropped (the console fell behind)"
        return LogLine(now_ms, "WARN", text)
    try:
        item = codec.from_json(obj)
    except (ValueError, TypeError, KeyError):
        return None
    return item if type(item).__module__ == ev.__name__ else None


class AttachedSource:
    """See the module docstring. ``extras`` adds timers/resources from the config."""

    mode: SourceMode = "attached"
    read_only = False
    tz: tzinfo | None = None

    def __init__(
        self, path: Path, snapshot: dict[str, Any], extras: dict[str, Any] | None = None
    ) -> None:
        self.path = Path(path)
        self.node_name = str(snapshot.get("node", "?"))
        self.extras = extras or {}
        self._snapshot = snapshot
        self._state = str(snapshot.get("runtime", {}).get("state", "running"))
        self._queue = ItemQueue()
        self._closed = False
        self._following = False
        self._refresh_armed = False
        self._refresh_again = False
        self._refreshed_ms = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)  # the node's loop clock (same machine)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms + int(time.time() * 1000) - self.now_ms()

    def is_running(self) -> bool:
        return self._state in ("running", "stopping", "started")

    # -- stream ------------------------------------------------------------------------

    def _follow_thread(self) -> None:
        loop = self._loop
        assert loop is not None
        ended = "the node closed the control socket"
        try:
            for obj in client.follow(self.path, recent=True):
                if self._closed:
                    return
                try:
                    loop.call_soon_threadsafe(self._arrived, obj)
                except RuntimeError:  # the console's loop is closed: nobody listens
                    return
        except (client.NoNodeRunning, client.ControlError, OSError) as exc:
            ended = str(exc)
        with contextlib.suppress(RuntimeError):  # the console's loop may be gone already
            loop.call_soon_threadsafe(self._follow_ended, ended)

    def _arrived(self, obj: dict[str, Any]) -> None:
        item = convert(obj, self.now_ms())
        if item is None:
            return
        if isinstance(item, SnapshotTaken):
            item = SnapshotTaken(item.at_ms, {**item.data, **self.extras})
            self._state = str(item.data.get("runtime", {}).get("state", self._state))
        if obj.get("type") == "RuntimeChanged":
            self._state = str(obj.get("what"))
            if self._state in ("stopped", "killed"):
                change = ev.NodeStateChanged(item.at_ms, self.node_name, "?", self._state, "")
                self._queue.put(change)
        self._queue.put(item)
        if refresh_due(item, self._refreshed_ms):
            self._arm_refresh()

    def _arm_refresh(self) -> None:
        if self._refresh_armed:  # one in flight may predate this change: ask again after it
            self._refresh_again = True
            return
        self._refresh_armed = True
        self._refreshed_ms = self.now_ms()
        asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        try:
            data = await self.snapshot()
        finally:
            self._refresh_armed = False
        if data.get("nodes"):
            self._queue.put(SnapshotTaken(self.now_ms(), data))
        if self._refresh_again and not self._closed:
            self._refresh_again = False
            self._arm_refresh()

    def _follow_ended(self, why: str) -> None:
        self._following = False
        if self._state in ("running", "stopping", "started"):
            self._state = "stopped"
            change = ev.NodeStateChanged(self.now_ms(), self.node_name, "?", "stopped", why)
            self._queue.put(change)
        self._queue.put(LogLine(self.now_ms(), "WARN", f"console: {why}"))

    def _start_following(self) -> None:
        if self._following or self._closed:
            return
        self._loop = asyncio.get_running_loop()
        self._following = True
        threading.Thread(target=self._follow_thread, name="hbtui-follow", daemon=True).start()

    async def events(self) -> AsyncIterator[SourceItem]:
        self._start_following()
        async for item in self._queue:
            yield item

    async def snapshot(self) -> dict[str, Any]:
        try:
            data = await asyncio.to_thread(client.request, self.path, "snapshot")
        except (client.NoNodeRunning, client.ControlError, OSError):
            return {}
        self._snapshot = data
        return {**data, **self.extras}

    # -- actions -----------------------------------------------------------------------

    async def _request(self, cmd: str, done: str, **extra: str) -> Outcome:
        try:
            await asyncio.to_thread(
                lambda: client.request(self.path, cmd, client.REQUEST_TIMEOUT_S, **extra)
            )
        except (client.NoNodeRunning, client.ControlError, OSError) as exc:
            return Outcome(False, f"{cmd}: {exc}")
        return Outcome(True, done)

    async def stop(self) -> Outcome:
        return await self._request("stop", "stop requested: the node releases and exits")

    async def standby(self) -> Outcome:
        return await self._request("standby", "standby all requested", arg="all")

    async def takeover(self) -> Outcome:
        return await self._request("takeover", "takeover all requested", arg="all")

    async def kill(self) -> Outcome:
        pid = self._snapshot.get("runtime", {}).get("pid")
        if not isinstance(pid, int) or not self.is_running():
            return Outcome(False, "kill: no running node to kill")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as exc:
            return Outcome(False, f"kill: pid {pid}: {exc}")
        self._state = "killed"  # said now: the stream only ends, it cannot tell why
        self._queue.put(
            ev.NodeStateChanged(self.now_ms(), self.node_name, "?", "killed", "SIGKILL")
        )
        return Outcome(
            True,
            f"sent SIGKILL to the node (pid {pid}): nothing released; the peer takes over "
            "after deadtime (a service manager may restart the node)",
        )

    async def start(self) -> Outcome:
        if self.is_running():
            return Outcome(False, "start: the node is already running")
        from hbtui.remote.detect import PeerDaemon, detect_service
        from hbtui.remote.runner import LocalRunner
        from hbtui.remote.ssh import LinkError

        runner = LocalRunner()
        service = await detect_service(runner, PeerDaemon.HBTUI)
        if service is None:
            return Outcome(
                False,
                f"start: neither {SYSTEMD_UNIT} nor /etc/init.d/hbtui here "
                "(packaging/ has both); start it with `hbtui node`",
            )
        shown = " ".join(service.start)
        try:
            done = await runner.run(service.start, timeout=START_TIMEOUT_S)
        except LinkError as exc:
            return Outcome(False, f"{shown}: {exc}")
        if not done.ok:
            text = (done.stdout + done.stderr).strip()
            return Outcome(False, f"{shown}: exit {done.exit_status}: {text}")
        self._state = "running"
        self._start_following()
        return Outcome(True, f"{shown}: done")

    async def delete_uuid(self) -> Outcome:
        if self.is_running():
            return Outcome(False, "delete hb_uuid: refused, stop the node first (s)")
        state_dir = self._snapshot.get("runtime", {}).get("state_dir")
        if not state_dir:
            return Outcome(False, "delete hb_uuid: the node never said where its state is")
        try:
            return Outcome(True, delete_uuid_file(Path(state_dir)))
        except StateError as exc:
            return Outcome(False, str(exc))

    async def close(self) -> None:
        self._closed = True
        self._queue.close()
