"""``EmbeddedSource``: the console runs this machine's node itself (``NodeRuntime``).

Every (re)start makes a fresh runtime (a stopped runtime's bus is closed); one pump task
per runtime copies its bus into this source's queue, so ``events()`` runs across
restarts. Runtime log lines and lifecycle changes become ``LogLine`` items.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from hbtui.adapters import runtime as rt
from hbtui.adapters.state import StateError
from hbtui.adapters.state import delete_uuid as delete_uuid_file
from hbtui.adapters.udp import WireCounters
from hbtui.config.model import ClusterConfig
from hbtui.control.server import ControlServer, ControlSocketBusy
from hbtui.engine import events as ev
from hbtui.engine.resources import VIP_RESOURCES, parse_vip
from hbtui.stream.items import LogLine, PacketCounts, SnapshotTaken, SourceItem
from hbtui.stream.queue import ItemQueue
from hbtui.stream.source import Outcome, SourceMode

STOP_TIMEOUT_S = 60.0
REFRESH_MS = 5000
REFRESH_ON = (
    ev.NodeStateChanged,
    ev.PeerDead,
    ev.ResourcesChanged,
    ev.TakeoverDone,
    ev.Failback,
    ev.VipAdded,
    ev.VipRemoved,
    LogLine,  # an attached node's ha-log line
    rt.LogLine,  # the embedded runtime's
)
RuntimeFactory = Callable[[ClusterConfig, Path], "rt.NodeRuntime"]


def refresh_due(item: object, refreshed_ms: int) -> bool:
    """Whether ``item`` calls for a fresh snapshot (a peer's rsc_hold has no event of its
    own): a state change or an ha-log line (the daemon logs every transition; a steady
    cluster logs nothing), or a keepalive when the last snapshot is REFRESH_MS old."""
    return isinstance(item, REFRESH_ON) or (
        isinstance(item, ev.KeepaliveReceived) and item.at_ms - refreshed_ms >= REFRESH_MS
    )


def config_extras(config: ClusterConfig) -> dict[str, Any]:
    """What the console wants besides ``Node.snapshot()``: timers and resource tokens."""
    cf = config.ha_cf
    return {
        "warntime_ms": cf.warntime_ms,
        "keepalive_ms": cf.keepalive_ms,
        "udpport": cf.udpport,
        "resources": [
            {"token": res.token, "status": f"home {group.node}", "group": group.key}
            for group in config.haresources.groups
            for res in group.resources
        ],
        "configured_vips": [
            {"resource": res.token, "ip": parse_vip(res.args).ip, "home": group.node}
            for group in config.haresources.groups
            for res in group.resources
            if res.name in VIP_RESOURCES
        ],
    }


class EmbeddedSource:
    """See the module docstring."""

    mode: SourceMode = "embedded"
    read_only = False
    tz: tzinfo | None = None

    def __init__(
        self,
        config: ClusterConfig,
        state_dir: Path,
        *,
        make_runtime: RuntimeFactory | None = None,
        control_socket: Path | None = None,
    ) -> None:
        """``control_socket``: where the running node answers ``hbtui status`` (None: not)."""
        self.node_name = config.node_name
        self.control_socket = control_socket
        self.control: ControlServer | None = None
        self.config = config
        self.state_dir = Path(state_dir)
        self._make_runtime = make_runtime or (lambda c, d: rt.NodeRuntime(c, d))
        self.runtime: rt.NodeRuntime | None = None
        self._queue = ItemQueue()
        self._pumps: set[asyncio.Task[None]] = set()
        self._refresh_armed = False
        self._refreshed_ms = 0

    # -- clock: the runtime's (the loop's monotonic clock in ms) ------------------------

    def now_ms(self) -> int:
        return int(asyncio.get_running_loop().time() * 1000)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms + int(time.time() * 1000) - self.now_ms()

    def is_running(self) -> bool:
        return self.runtime is not None and self.runtime.state in ("running", "stopping")

    # -- stream ------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[SourceItem]:
        async for item in self._queue:
            yield item

    async def _pump(self, sub: Any) -> None:
        async for item in sub:
            converted = self._convert(item)
            if converted is not None:
                self._queue.put(converted)
            # one fresh snapshot per loop turn, however many items asked for it
            if refresh_due(item, self._refreshed_ms) and not self._refresh_armed:
                self._refresh_armed = True
                asyncio.get_running_loop().call_soon(self._refresh)

    def _pump_done(self, pump: asyncio.Task[None]) -> None:
        self._pumps.discard(pump)
        if not pump.cancelled() and pump.exception() is not None:
            text = f"console: lost the node's event stream: {pump.exception()!r}"
            self._queue.put(LogLine(self.now_ms(), "ERROR", text))

    def _refresh(self) -> None:
        self._refresh_armed = False
        self._refreshed_ms = self.now_ms()
        if self.runtime is not None and self.runtime.node is not None:
            data = {**self.runtime.snapshot(), **config_extras(self.config)}
            self._queue.put(SnapshotTaken(self.now_ms(), data))

    def _convert(self, item: Any) -> SourceItem | None:
        if isinstance(item, rt.LogLine):
            return LogLine(item.at_ms, item.level, item.line)
        if isinstance(item, rt.RuntimeChanged):
            detail = f": {item.detail}" if item.detail else ""
            if item.what in ("stopped", "killed"):
                self._queue.put(
                    ev.NodeStateChanged(item.at_ms, self.node_name, "?", item.what, detail)
                )
            return LogLine(item.at_ms, "info", f"hbtui runtime: node {item.what}{detail}")
        if isinstance(item, WireCounters):
            return PacketCounts(
                item.at_ms, item.sent, item.sent_bytes, item.received, item.received_bytes
            )
        if type(item).__module__ == "hbtui.engine.events":
            return item  # type: ignore[no-any-return]
        return None

    async def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {"node": self.node_name, "nodes": {}}
        if self.runtime is not None:
            data = self.runtime.snapshot()
        return {**data, **config_extras(self.config)}

    # -- actions -----------------------------------------------------------------------

    async def start(self) -> Outcome:
        if self.is_running():
            return Outcome(False, "start: the node is already running")
        runtime = self._make_runtime(self.config, self.state_dir)
        sub = runtime.events("console", lossy=True)
        try:
            await runtime.start()
        except Exception as exc:  # port taken, state dir locked, no permission...
            sub.close()
            return Outcome(False, f"start failed: {exc}")
        self.runtime = runtime
        await self._serve_control(runtime)
        pump = asyncio.get_running_loop().create_task(self._pump(sub))
        self._pumps.add(pump)
        pump.add_done_callback(self._pump_done)
        self._queue.put(SnapshotTaken(self.now_ms(), await self.snapshot()))
        node = runtime.snapshot()
        nodes = node.get("nodes", {}).get(self.node_name, {})
        return Outcome(
            True,
            f"started: uuid {str(nodes.get('uuid', '?'))[:8]} generation "
            f"{nodes.get('generation', '?')}",
        )

    async def _serve_control(self, runtime: rt.NodeRuntime) -> None:
        """Answer on the control socket as ``hbtui node`` does, so that ``hbtui status``
        elsewhere sees this node; a socket that cannot be had is said, not fatal."""
        if self.control_socket is None:
            return
        server = ControlServer(runtime, self.control_socket)
        try:
            await server.start()
        except (ControlSocketBusy, OSError) as exc:
            text = f"console: the node does not answer on {self.control_socket}: {exc}"
            self._queue.put(LogLine(self.now_ms(), "WARN", text))
            return
        self.control = server

    async def _close_control(self) -> None:
        if self.control is not None:
            await self.control.close()
            self.control = None

    async def stop(self) -> Outcome:
        if self.runtime is None or not self.is_running():
            return Outcome(False, "stop: the node is not running")
        reason = await self.runtime.stop(graceful=True, timeout_s=STOP_TIMEOUT_S)
        await self._close_control()
        return Outcome(True, f"stopped: {reason or 'graceful stop complete'}")

    async def kill(self) -> Outcome:
        if self.runtime is None or not self.is_running():
            return Outcome(False, "kill: the node is not running")
        self.runtime.kill()
        await self._close_control()
        return Outcome(
            True,
            "killed (crash drill): nothing released; the peer takes over after deadtime, "
            "the VIP stays configured here until the node starts again",
        )

    async def _hold(self, cmd: str) -> Outcome:
        if self.runtime is None or self.runtime.state != "running":
            return Outcome(False, f"{cmd}: the node is not running")
        self.runtime.command(cmd, "all")
        return Outcome(True, f"{cmd} all requested; the log shows the handover")

    async def standby(self) -> Outcome:
        return await self._hold("standby")

    async def takeover(self) -> Outcome:
        return await self._hold("takeover")

    async def delete_uuid(self) -> Outcome:
        if self.is_running():
            return Outcome(False, "delete hb_uuid: refused, stop the node first (s)")
        try:
            return Outcome(True, delete_uuid_file(self.state_dir))
        except StateError as exc:
            return Outcome(False, str(exc))

    async def close(self) -> None:
        """End the stream (the app stops the node first when asked to)."""
        await self._close_control()
        for pump in list(self._pumps):
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        self._queue.close()
