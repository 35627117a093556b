"""The runtime: the asyncio shell around ``engine.Node`` (docs/architecture.md §2).

It is the only code that reads the clock (``loop.time()`` as integer ms). Datagrams are
fed to the engine with the time; exactly one ``loop.call_at`` is armed at
``node.next_deadline()`` and re-armed after every engine call. The actions that come
back are executed in order (Send -> UDP, AddVip/DelVip -> netlink + gratuitous ARP,
RunScript -> the script runner, WriteLog -> ha-log files, StopClients -> the respawn
clients, Exit -> stop) and every event is published on the bus. The runtime decides nothing:
the respawn clients start when the engine says this node went active, and their rule is
``engine/respawn.py``'s.

The console and ``hbtui node`` share this API: ``start()``, ``stop(graceful)``,
``kill()`` (crash drill: go silent, release nothing), ``command()``, ``snapshot()``,
``events()``, ``wait_closed()`` and ``apply_config()`` (SIGHUP).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from hbtui import __version__
from hbtui.adapters.fence import DEFAULT_FENCE_COMMAND, run_fence
from hbtui.adapters.garp import ArpAnnouncer, GarpAnnouncer
from hbtui.adapters.halog import HaLogFiles, format_log_line
from hbtui.adapters.icmp import IcmpError, IcmpPinger
from hbtui.adapters.mediasock import BcastMedium, McastMedium
from hbtui.adapters.netlink import NetlinkVipDriver, VipDriver
from hbtui.adapters.nodelog import NodeLog, logging_lines
from hbtui.adapters.realtime import Realtime
from hbtui.adapters.reload import merge_reload
from hbtui.adapters.respawn import CLIENT_STOP_S, RespawnSupervisor
from hbtui.adapters.scripts import ScriptRunner, SubprocessScriptRunner, heartbeat_env
from hbtui.adapters.splitbrain import SplitBrainWatch, probe_targets
from hbtui.adapters.stale_vips import configured_vips
from hbtui.adapters.state import StateDirLock, StateError, load_node_state, save_hostcache
from hbtui.adapters.syslog import SyslogSink
from hbtui.adapters.udp import (
    AnyMedium,
    DatagramCallback,
    Transport,
    TransportStats,
    UcastMedium,
    UcastTransport,
    resolve_host,
)
from hbtui.bus import Bus, Subscription
from hbtui.config.hbtui_conf import HbtuiSettings, load_settings
from hbtui.config.logd_cf import log_plan
from hbtui.config.model import ClusterConfig, HaCf
from hbtui.engine import actions as act
from hbtui.engine import hblog
from hbtui.engine.events import NodeStateChanged, ScriptExited, ScriptOutput, ScriptStarted
from hbtui.engine.holdstate import StopFailure
from hbtui.engine.node import Command, Identity, Node
from hbtui.engine.respawn import RespawnRule

log = logging.getLogger(__name__)

LOADAVG_PATH = Path("/proc/loadavg")
LOADAVG_REFRESH_MS = 5000
RECENT_LOG_LINES = 200  # replayed to a console that follows with arg "recent"
COUNTERS_EVERY_MS = 2000  # WireCounters: at most this often, after a send
TransportOpener = Callable[[Sequence[AnyMedium], int, DatagramCallback], Awaitable[Transport]]


def transport_media(cf: HaCf) -> list[AnyMedium]:
    """Every medium of ha.cf as the transport opens it (ucast, bcast, mcast)."""
    media: list[AnyMedium] = []
    for md in cf.media:
        if md.kind == "ucast":
            media.append(UcastMedium(md.device, md.host or ""))
        elif md.kind == "bcast":
            media.append(BcastMedium(md.device))
        elif md.kind == "mcast":
            port = md.port or cf.udpport
            media.append(McastMedium(md.device, md.host or "", port, md.ttl, md.loop))
    return media


class RuntimeState(StrEnum):
    """Where a ``NodeRuntime`` is in its life (``snapshot()["runtime"]["state"]``)."""

    NEW = "new"
    RUNNING = "running"
    STOPPING = "stopping"  # graceful stop under way
    STOPPED = "stopped"
    KILLED = "killed"  # crash drill: nothing released

    @property
    def closed(self) -> bool:
        """Stopped or killed: nothing is sent, executed or answered any more."""
        return self in (RuntimeState.STOPPED, RuntimeState.KILLED)


# from -> allowed next states; anything else raises RuntimeStateError
RUNTIME_STEPS: dict[RuntimeState, frozenset[RuntimeState]] = {
    RuntimeState.NEW: frozenset({RuntimeState.RUNNING, RuntimeState.STOPPED, RuntimeState.KILLED}),
    RuntimeState.RUNNING: frozenset(
        {RuntimeState.STOPPING, RuntimeState.STOPPED, RuntimeState.KILLED}
    ),
    RuntimeState.STOPPING: frozenset({RuntimeState.STOPPED, RuntimeState.KILLED}),
    RuntimeState.STOPPED: frozenset(),
    RuntimeState.KILLED: frozenset(),
}


class RuntimeStateError(Exception):
    """An illegal step of the runtime's life (a bug)."""


@dataclass(frozen=True, slots=True)
class LogLine:
    """(runtime) One ha-log line as written to logfile/debugfile."""

    at_ms: int
    level: str
    source: str
    text: str
    line: str


@dataclass(frozen=True, slots=True)
class RuntimeChanged:
    """(runtime) Lifecycle: started, stopping, stopped, killed, reloaded, reload-refused."""

    at_ms: int
    what: str
    detail: str = ""


class NodeStartError(Exception):
    """The node cannot start (port taken, state dir busy, ...): nothing was configured."""


def read_loadavg() -> str:
    """/proc/loadavg (procfs: never blocks); empty when unreadable."""
    try:
        return LOADAVG_PATH.read_text()
    except OSError:
        return ""


class NodeRuntime:
    """One running node: engine + adapters + bus. Use in one event loop."""

    def __init__(
        self,
        config: ClusterConfig,
        state_dir: Path,
        *,
        bus: Bus | None = None,
        open_transport: TransportOpener | None = None,
        vip_driver: VipDriver | None = None,
        arp: ArpAnnouncer | None = None,
        scripts: ScriptRunner | None = None,
        lock_state_dir: bool = True,
        echo_log: TextIO | None = None,
        stop_failure: StopFailure | None = None,
        fence_command: Sequence[str] | None = None,
        probe_at_start: bool | None = None,
        respawn_rule: RespawnRule | None = None,
        client_stop_s: float = CLIENT_STOP_S,
        stale_removed: Sequence[str] = (),
    ) -> None:
        """``stop_failure``/``fence_command``/``probe_at_start``: None = from hbtui.conf
        beside ha.cf (``config/hbtui_conf.py``; defaults hold, ``reboot -nf``, yes).
        ``respawn_rule``/``client_stop_s``: the respawn clients' rule (Heartbeat's) and their
        SIGTERM-to-SIGKILL time. ``stale_removed``: configured VIPs ``hbtui node`` removed
        before the runtime existed (``adapters.stale_vips``): the engine is told they were
        present, so it says so and removes them (already gone) as always."""
        self.config = config
        self.stale_removed = tuple(stale_removed)
        self.stop_failure = stop_failure
        self.fence_command = None if fence_command is None else tuple(fence_command)
        self.probe_at_start = probe_at_start
        self.state_dir = Path(state_dir)
        self.bus = bus or Bus()
        self.open_transport: TransportOpener = open_transport or functools.partial(
            UcastTransport.open, skip_local=True
        )
        self.vip: VipDriver = vip_driver or NetlinkVipDriver()
        self.arp: ArpAnnouncer = arp or GarpAnnouncer()
        # agents log where the node's lines go (HA_LOGFILE ..., logd.cf's with use_logd)
        plan = log_plan(config)
        env = heartbeat_env(
            config.config_dir, config.node_name, plan.logfile, plan.debugfile, plan.facility
        )
        self.debug_level = config.ha_cf.debug  # SIGUSR1/SIGUSR2 move it (change_debug)
        if self.debug_level > 0:
            env["HA_debug"] = str(self.debug_level)
        self.scripts: ScriptRunner = scripts or SubprocessScriptRunner(extra_env=env)
        self.clients = RespawnSupervisor(
            config.ha_cf.respawn, env, self._log, self.now_ms, respawn_rule, client_stop_s
        )
        self._closing: asyncio.Task[None] | None = None  # stopping the clients, then closing
        self.lock = StateDirLock(self.state_dir) if lock_state_dir else None
        self.echo_log = echo_log
        self.node: Node | None = None
        self.split_brain: SplitBrainWatch | None = None
        self.realtime: Realtime | None = None  # set by `hbtui node` (ha.cf realtime on)
        self.settings = HbtuiSettings()  # hbtui.conf, read at start
        # request id -> (resource, op, started_ms, timeout_ms) of each script running now
        self.scripts_running: dict[int, tuple[str, str, int, int]] = {}
        self.transport: Transport | None = None
        self.pinger: IcmpPinger | None = None  # ping nodes of ha.cf (adapters/icmp.py)
        self.nodelog: NodeLog | None = None  # opened at start
        self.state = RuntimeState.NEW
        self.exit_reason = ""
        self.pid = os.getpid()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._armed_ms: int | None = None
        self._last_now = 0
        self._loadavg_at: int | None = None
        self._counted_ms: int | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._vip_lock = asyncio.Lock()
        self._hostcache_lock = asyncio.Lock()
        self._done: asyncio.Future[str] | None = None
        # the last ha-log lines, also those from before the loop or the control socket
        # existed: a console following a node that just (re)started sees its start
        self.recent_log: deque[LogLine] = deque(maxlen=RECENT_LOG_LINES)

    def _enter(self, state: RuntimeState) -> None:
        """Step to ``state`` (``RuntimeStateError`` off the ``RUNTIME_STEPS`` table)."""
        if state not in RUNTIME_STEPS[self.state]:
            raise RuntimeStateError(f"runtime {self.state} -> {state} is illegal")
        self.state = state

    # -- clock -------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The loop's monotonic clock in integer ms (never goes backwards)."""
        assert self._loop is not None
        self._last_now = max(self._last_now, int(self._loop.time() * 1000))
        return self._last_now

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Lock the state dir, load hb_uuid/generation, open UDP and start the engine."""
        self._loop = asyncio.get_running_loop()
        self._done = self._loop.create_future()
        cf = self.config.ha_cf
        if self.lock is not None:
            self.lock.acquire()
        try:
            uuid_name = self.config.node_name if cf.uuid_from_name else None
            state = await self._loop.run_in_executor(
                None, load_node_state, self.state_dir, time.time, uuid_name
            )
            settings = await self._loop.run_in_executor(None, load_settings, self.config.config_dir)
            if self.stop_failure is None:
                self.stop_failure = StopFailure(settings.stop_failure)
            if self.fence_command is None:
                self.fence_command = settings.fence_command
            if self.probe_at_start is None:
                self.probe_at_start = settings.start_probe
            self.settings = settings
            probe_ms = settings.split_brain_probe_ms
            media = transport_media(cf)
            ips = [
                await resolve_host(md.host, cf.udpport)
                for md in media
                if isinstance(md, UcastMedium)
            ]
            now = self.now_ms()
            wall_offset = int(time.time() * 1000) - now
            identity = Identity(state.node_uuid, state.generation)
            node = Node(
                self.config,
                identity,
                now,
                wall_offset_ms=wall_offset,
                pid=self.pid,
                ucast_ips=ips,
                stop_failure=self.stop_failure,
                probe_at_start=self.probe_at_start,
                known_nodes=[(e.name, e.node_uuid) for e in state.hostcache],
            )
            node.set_loadavg(read_loadavg())
            self._loadavg_at = now
            present = [
                ip
                for ip in configured_vips(self.config)
                if ip in self.stale_removed or await self.vip.present(ip)
            ]
            self.transport = await self.open_transport(media, cf.udpport, self._on_datagram)
            if cf.ping_nodes:
                hosts = [h for p in cf.ping_nodes for h in p.hosts]
                try:
                    self.pinger = await IcmpPinger.open(hosts, self._on_ping_reply)
                except IcmpError as exc:
                    self.transport.close()
                    raise NodeStartError(f"ping nodes: {exc}") from exc
        except BaseException:
            if self.lock is not None:
                self.lock.release()
            raise
        plan = log_plan(self.config)
        self.nodelog = NodeLog(plan, self.config.node_name, self.pid, self.echo_log)
        for line in logging_lines(cf, plan):
            self._log(line)
        node.set_debug(self.debug_level)
        self.node = node
        self._enter(RuntimeState.RUNNING)
        gen = f"uuid {state.node_uuid.hex()} generation {state.generation}"
        self._publish(RuntimeChanged(self.now_ms(), "started", gen))
        self._run(node.start(self.now_ms(), present))
        if probe_ms is not None:
            assert self._loop is not None
            targets = await self._loop.run_in_executor(None, probe_targets, self.config)
            self.split_brain = self._split_brain_watch(targets, probe_ms / 1000)
            self._spawn(self.split_brain.run(), "split-brain probe")

    def _split_brain_watch(
        self, targets: list[tuple[str, str]], interval_s: float
    ) -> SplitBrainWatch:
        """The opt-in ARP probe of every VIP (``adapters/splitbrain.py``)."""

        async def present(ip: str) -> bool:
            return await self.vip.present(ip) is not None

        def report(level: str, text: str) -> None:
            self._log(act.WriteLog(act.LogLevel(level), text))

        return SplitBrainWatch(targets, interval_s, present, report, self.now_ms)

    async def stop(self, graceful: bool = True, timeout_s: float | None = None) -> str:
        """SIGTERM path: release resources, tell the peer, exit (or ``kill`` if not graceful)."""
        if not graceful:
            self.kill()
            return self.exit_reason
        if self.state is RuntimeState.RUNNING and self.node is not None:
            self._begin_stop("graceful")
            self._run(self.node.command("stop", self.now_ms()))
        if self._done is None:
            return self.exit_reason
        try:
            return await asyncio.wait_for(asyncio.shield(self._done), timeout_s)
        except TimeoutError:
            held = self.still_running()
            if held:
                # issue 13.1: exiting now would let the peer start what still runs here
                log.error("graceful stop: %s still running here: not exiting", ", ".join(held))
                return await asyncio.shield(self._done)
            log.error("graceful stop did not finish within %s s: closing anyway", timeout_s)
            self._finish(RuntimeState.STOPPED, "graceful stop timed out")
            return self.exit_reason

    def _begin_stop(self, detail: str) -> None:
        """A graceful stop begins: resources go first; respawn clients are not respawned."""
        self._enter(RuntimeState.STOPPING)
        self._publish(RuntimeChanged(self.now_ms(), "stopping", detail))
        self.clients.shutting_down()

    def stop_failures(self) -> tuple[str, ...]:
        """Resources whose stop failed and that are held here (empty when none)."""
        return () if self.node is None else tuple(self.node.runner.stop_failed())

    def still_running(self) -> list[str]:
        """Keys of the groups whose resources still run here (empty before the start)."""
        return [] if self.node is None else sorted(self.node.runner.running)

    def kill(self) -> None:
        """Crash drill: stop sending and answering at once, release nothing (VIPs stay)."""
        if self.state.closed:
            return
        self._finish(RuntimeState.KILLED, "killed (crash drill): nothing released")

    def _finish(self, state: RuntimeState, reason: str) -> None:
        if self.state.closed:
            return
        self._enter(state)
        self.exit_reason = reason
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.transport is not None:
            self.transport.close()
        if self.pinger is not None:
            self.pinger.close()
        for task in list(self._tasks):
            task.cancel()
        for ip in configured_vips(self.config):
            self.arp.cancel(ip)
        self.clients.kill()  # after a graceful stop none is left
        close = getattr(self.vip, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
        self._publish(RuntimeChanged(self.now_ms() if self._loop else 0, state.value, reason))
        if self.nodelog is not None:
            self.nodelog.close()
        if self.lock is not None:
            self.lock.release()
        if self._done is not None and not self._done.done():
            self._done.set_result(reason)
        self.bus.close()

    @property
    def halog(self) -> HaLogFiles | None:
        """The log files open now (None before the start)."""
        return self.nodelog.files if self.nodelog is not None else None

    @property
    def syslog(self) -> SyslogSink | None:
        """The syslog sink (None before the start or without syslog)."""
        return self.nodelog.syslog if self.nodelog is not None else None

    def change_debug(self, step: int) -> int:
        """SIGUSR1 (+1) and SIGUSR2 (-1): the debug level moves, never below 0, and the
        node says so as the daemon does (a debug line, written whatever the level)."""
        old, self.debug_level = self.debug_level, max(0, self.debug_level + step)
        self._set_debug(self.debug_level)
        text = f"debug now set to {self.debug_level} [pid {self.pid}]"
        self._log(act.WriteLog(act.LogLevel.DEBUG, text))
        if old == 0 and self.debug_level == 1:
            self._log(act.WriteLog(act.LogLevel.INFO, f"hbtui: version {__version__}"))
        return self.debug_level

    def _set_debug(self, level: int) -> None:
        """The level for the engine's lines and the scripts' ``HA_debug`` from now on."""
        self.debug_level = level
        if self.node is not None:
            self.node.set_debug(level)
        if isinstance(self.scripts, SubprocessScriptRunner):
            if level > 0:
                self.scripts.extra_env["HA_debug"] = str(level)
            else:
                self.scripts.extra_env.pop("HA_debug", None)

    async def wait_closed(self) -> str:
        """Wait until the node stopped (graceful stop complete or killed); the reason."""
        assert self._done is not None, "start() first"
        return await asyncio.shield(self._done)

    # -- API shared by the console and the CLI -----------------------------------------

    def retry_stop(self) -> None:
        """A stop failed: run the held groups' stop again."""
        self.command(Command.RETRY_STOP)

    def stop_cleared(self) -> None:
        """A stop failed and the operator stopped it by hand: release (shutdone, ...)."""
        self.command(Command.STOP_CLEARED)

    def self_fence(self) -> None:
        """Reboot this machine with the fence command (the operator's last resort)."""
        self.command(Command.SELF_FENCE)

    def command(self, cmd: str, arg: str = "all") -> None:
        """``standby``/``takeover`` [all|local|foreign] or ``stop`` (use ``stop()`` to wait);
        ``retry-stop``, ``stop-cleared`` and ``self-fence`` also while stopping."""
        after_stop = cmd in (Command.RETRY_STOP, Command.STOP_CLEARED, Command.SELF_FENCE)
        ok = self.state is RuntimeState.RUNNING or (
            after_stop and self.state is RuntimeState.STOPPING
        )
        if self.node is None or not ok:
            return
        if cmd == "stop":
            self._begin_stop("stop command")
        self._run(self.node.command(cmd, self.now_ms(), arg))

    def snapshot(self) -> dict[str, Any]:
        """The engine's JSON-able snapshot plus the runtime's own figures."""
        snap: dict[str, Any] = {}
        if self.node is not None:
            snap = self.node.snapshot(self.now_ms())
        snap.setdefault("node", self.config.node_name)  # also before the engine exists
        stats = self.transport.stats if self.transport is not None else TransportStats()
        snap["runtime"] = {
            "state": self.state.value,
            "pid": self.pid,
            "config_dir": str(self.config.config_dir),
            "state_dir": str(self.state_dir),
            "udpport": self.config.ha_cf.udpport,
            "warntime_ms": self.config.ha_cf.warntime_ms,
            "sent": stats.sent,
            "received": stats.received,
            "sent_bytes": stats.sent_bytes,
            "received_bytes": stats.received_bytes,
            "send_errors": dict(stats.send_errors),
            "exit_reason": self.exit_reason,
            "debug": self.debug_level,
        }
        snap["respawn"] = self.clients.describe()
        if self.split_brain is not None:
            snap["runtime"].update(self.split_brain.describe())
        if self.realtime is not None:
            snap["runtime"]["realtime"] = self.realtime.describe()
        now = self.now_ms() if self._loop is not None else 0
        snap["runtime"]["scripts_running"] = [
            {"resource": res, "op": op, "elapsed_ms": now - began, "timeout_ms": limit}
            for res, op, began, limit in self.scripts_running.values()
        ]
        return snap

    def events(self, name: str = "ui", *, lossy: bool = True) -> Subscription:
        """Subscribe to every engine and runtime event from now on (see ``hbtui.bus``)."""
        return self.bus.subscribe(name, lossy=lossy)

    def apply_config(self, new: ClusterConfig) -> list[str]:
        """SIGHUP: apply changed timers now; report other changes as needing a restart."""
        old_debug = self.config.ha_cf.debug
        self.config, changes = merge_reload(self.config, new)
        if self.config.ha_cf.debug != old_debug:  # a changed ``debug`` line wins over signals
            self._set_debug(self.config.ha_cf.debug)
        if self.node is not None:
            self.node.set_timers(self.config)
            self.node.set_keys(self.config.authkeys)
        text = "; ".join(changes) or "no change"
        self._log(act.WriteLog(act.LogLevel.INFO, f"configuration reread: {text}"))
        self._publish(RuntimeChanged(self.now_ms(), "reloaded", text))
        return changes

    def say(self, level: str, text: str) -> None:
        """A line of the node's own (``info``, ``WARN``, ``ERROR``, ``CRIT``) into ha-log,
        syslog and the event stream, for parts beside the engine (the metrics writer)."""
        self._log(act.WriteLog(act.LogLevel(level), text))

    def refuse_config(self, problems: Sequence[str]) -> None:
        """SIGHUP with a broken configuration: log why, keep the one in use."""
        for problem in problems:
            self._log(act.WriteLog(act.LogLevel.ERROR, f"configuration reread refused: {problem}"))
        self._publish(RuntimeChanged(self.now_ms(), "reload-refused", "; ".join(problems)))

    # -- engine plumbing ---------------------------------------------------------------

    def _publish(self, item: Any) -> None:
        self.bus.publish(item)

    def _run(self, outputs: Sequence[Any]) -> None:
        """Execute actions and publish events in order, then re-arm the one timer."""
        for index, item in enumerate(outputs):
            if self.state.closed:
                return
            if isinstance(item, act.Send | act.AddVip | act.DelVip | act.RunScript):
                self._execute(item)
            elif isinstance(item, act.WriteLog):
                self._log(item)
            elif isinstance(item, act.Exit):
                self._finish(RuntimeState.STOPPED, item.reason)
                return
            elif isinstance(item, act.StopClients):
                self._stop_clients_then(outputs[index + 1 :])
                break
            elif isinstance(item, act.WriteHostcache):
                self._spawn(self._write_hostcache(item), "hostcache")
            elif isinstance(item, act.Ping):
                if self.pinger is not None:
                    self.pinger.send(item.hosts)
            elif isinstance(item, act.SelfFence):
                self._publish(RuntimeChanged(self.now_ms(), "self-fence", item.reason))
                self._spawn(self._self_fence(item.reason), "self-fence")
            else:
                if isinstance(item, NodeStateChanged):
                    self._went(item)
                self._publish(item)
        self._rearm()

    def _stop_clients_then(self, rest: Sequence[Any]) -> None:
        """``StopClients``: stop the respawn clients (bounded), then carry out ``rest``."""

        async def stop_clients() -> None:
            await self.clients.stop()
            self._run(rest)

        self._closing = asyncio.get_running_loop().create_task(stop_clients(), name="clients")

    def _went(self, change: NodeStateChanged) -> None:
        """This node went active (Heartbeat's Comm_now_up): its respawn clients start."""
        ours = change.node == self.config.node_name
        if ours and change.new == "active" and self.state is RuntimeState.RUNNING:
            self.clients.start()

    def _rearm(self) -> None:
        if self.node is None or self._loop is None or self.state.closed:
            return
        deadline = self.node.next_deadline()
        if deadline == self._armed_ms and self._timer is not None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._armed_ms = deadline
        if deadline is not None:
            self._timer = self._loop.call_at(deadline / 1000, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        armed, self._armed_ms = self._armed_ms, None
        if self.node is None:
            return
        # call_at may fire a hair early (clock resolution): the deadline has come.
        self._last_now = max(self._last_now, armed or 0)
        now = self.now_ms()
        if self._loadavg_at is None or now - self._loadavg_at >= LOADAVG_REFRESH_MS:
            self.node.set_loadavg(read_loadavg())
            self._loadavg_at = now
        self._run(self.node.tick(now))

    def _on_datagram(
        self, data: bytes, addr: tuple[str, int], _udp_ms: int, link: str | None = None, /
    ) -> None:
        if self.node is None or self.state.closed:
            return
        self._run(self.node.feed(data, addr, self.now_ms(), link))

    def _on_ping_reply(self, host: str) -> None:
        if self.node is None or self.state.closed:
            return
        self._run(self.node.ping_reply(host, self.now_ms()))

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("runtime task %s failed", task.get_name(), exc_info=task.exception())

    def _execute(self, action: act.Send | act.AddVip | act.DelVip | act.RunScript) -> None:
        if isinstance(action, act.Send):
            if self.transport is not None:
                self.transport.send(action.datagram, action.dest)
                self._count_sent(self.transport.stats)
        elif isinstance(action, act.AddVip):
            self._spawn(self._add_vip(action), f"add-vip-{action.ip}")
        elif isinstance(action, act.DelVip):
            self._spawn(self._del_vip(action), f"del-vip-{action.ip}")
        else:
            self._spawn(self._run_script(action), f"script-{action.request_id}")

    def _count_sent(self, stats: TransportStats) -> None:
        """Publish the transport's counters (at most every COUNTERS_EVERY_MS)."""
        now = self.now_ms()
        if self._counted_ms is not None and now - self._counted_ms < COUNTERS_EVERY_MS:
            return
        self._counted_ms = now
        self._publish(stats.counters(now))

    def _answer(self, call: Callable[[int], list[Any]]) -> None:
        if self.node is not None and self.state in (RuntimeState.RUNNING, RuntimeState.STOPPING):
            self._run(call(self.now_ms()))

    async def _write_hostcache(self, a: act.WriteHostcache) -> None:
        """Rewrite the host cache off the event loop, one write at a time, in order."""
        async with self._hostcache_lock:
            try:
                await asyncio.to_thread(save_hostcache, self.state_dir, a.nodes)
            except StateError as exc:
                self._log(act.WriteLog(act.LogLevel.ERROR, str(exc)))

    async def _add_vip(self, a: act.AddVip) -> None:
        async with self._vip_lock:  # VIP operations run one at a time, in order
            try:
                placed = await self.vip.add(a.ip, a.prefix, a.device, a.broadcast, a.label)
            except Exception as exc:  # VipError, NetlinkError, OSError: all reported
                result = act.VipResult(False, f"{type(exc).__name__}: {exc}")
            else:
                if a.arp:
                    self.arp.announce(placed.device, a.ip)
                result = act.VipResult(True, device=placed.device, label=placed.label)
        node = self.node
        if node is not None:
            self._answer(lambda now: node.vip_done(a.request_id, result, now))

    async def _del_vip(self, a: act.DelVip) -> None:
        async with self._vip_lock:
            self.arp.cancel(a.ip)
            try:
                placed = await self.vip.remove(a.ip)
            except Exception as exc:
                result = act.VipResult(False, f"{type(exc).__name__}: {exc}")
            else:
                device = placed.device if placed else a.device
                result = act.VipResult(True, device=device, label=placed.label if placed else None)
        node = self.node
        if node is not None:
            self._answer(lambda now: node.vip_done(a.request_id, result, now))

    async def _run_script(self, a: act.RunScript) -> None:
        rid = a.request_id
        name = a.argv[0].rsplit("/", 1)[-1] if a.argv else "?"
        timeout_ms = self.settings.script_timeout_ms(a.resource.split("::", 1)[0], a.op.value)
        started = self.now_ms()
        self.scripts_running[rid] = (a.resource, a.op.value, started, timeout_ms)
        self._publish(ScriptStarted(started, rid, a.resource, a.argv, timeout_ms))

        def on_line(stream: str, line: str) -> None:
            self._publish(ScriptOutput(self.now_ms(), rid, stream, line))
            level = act.LogLevel.INFO if stream == "stdout" else act.LogLevel.WARN
            self._log(act.WriteLog(level, line, f"{name}({a.resource})"), publish=False)

        try:
            done = await self.scripts.run(a.argv, a.op.value, on_line, timeout_ms / 1000)
        finally:
            self.scripts_running.pop(rid, None)
        self._publish(ScriptExited(self.now_ms(), rid, done.rc, done.timed_out))
        if done.error:
            self._log(act.WriteLog(act.LogLevel.ERROR, f"{' '.join(a.argv)}: {done.error}"))
        result = act.ScriptResult(done.rc, done.stdout_text, done.timed_out)
        node = self.node
        if node is not None:
            self._answer(lambda now: node.script_done(rid, result, now))

    async def _self_fence(self, reason: str) -> None:
        command = self.fence_command or DEFAULT_FENCE_COMMAND
        argv = " ".join(command)
        self._log(act.WriteLog(act.LogLevel.CRIT, f"self-fence ({reason}): running {argv}"))
        error = await run_fence(command)
        if error:
            self._log(act.WriteLog(act.LogLevel.CRIT, f"self-fence failed: {error}"))
        else:  # a real reboot never gets here; a stand-in does
            self._log(act.WriteLog(act.LogLevel.CRIT, f"self-fence: {argv} returned"))

    def _log(self, entry: act.WriteLog, publish: bool = True) -> None:
        if not hblog.wanted(entry, self.debug_level):
            return
        wall_s = time.time()
        if self.nodelog is not None:
            line = self.nodelog.write(entry, wall_s)
        else:
            line = format_log_line(entry, wall_s, self.config.node_name, self.pid)
        at_ms = self.now_ms() if self._loop is not None else int(time.monotonic() * 1000)
        item = LogLine(at_ms, entry.level.value, entry.source, entry.text, line)
        self.recent_log.append(item)
        if publish and self._loop is not None:
            self._publish(item)
