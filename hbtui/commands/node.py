"""``hbtui node``: run this machine's node in the foreground (systemd runs it so).

A configuration with errors prints every problem and exits 1 having started nothing.
SIGTERM/SIGINT = graceful stop (resources released, peer told, exit 0); SIGHUP = reread
the configuration (timers applied, other changes logged as needing a restart; a broken
configuration is refused and the old one kept); SIGUSR1/SIGUSR2 = debug level up/down. The
state dir is locked so two nodes never share it; the control socket serves ``hbtui status``
and the console.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hbtui.adapters.stale_vips import configured_vips, remove_stale_vips
from hbtui.adapters.state import StateDirLock, StateError
from hbtui.adapters.stderrlog import quiet_echo
from hbtui.cli_common import add_common_options, add_control_socket_option, add_logd_cf_option
from hbtui.commands.node_checks import no_log_warning, privilege_problem, state_dir_problem
from hbtui.config.hbtui_conf import load_settings
from hbtui.config.loader import load_config
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import ConfigError, Severity

if TYPE_CHECKING:  # imported in _serve, after the stale VIPs are gone (see run)
    from hbtui.adapters.runtime import NodeRuntime
    from hbtui.adapters.sdnotify import Notifier

log = logging.getLogger("hbtui.node")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui node``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    add_logd_cf_option(parser)
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="echo only warnings and worse on stderr (<N> priority prefixes under systemd)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the privileges and the configuration, then run the node until it stops."""
    cannot = privilege_problem(Path(args.state_dir))
    if cannot is not None:  # first: without root the config (authkeys 600) is unreadable too
        print(f"hbtui node: {cannot}", file=sys.stderr)
        return 1
    config, problems = load_config(
        Path(args.config_dir), args.node_name, logd_cf=Path(args.logd_cf)
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    if config is None:
        errors = sum(p.severity is Severity.ERROR for p in problems)
        print(f"hbtui node: {errors} configuration error(s); node not started", file=sys.stderr)
        return 1
    try:  # hbtui.conf: checked before anything starts, as ha.cf is
        load_settings(Path(args.config_dir))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"hbtui node: {len(exc.problems)} error(s) in hbtui.conf; node not started",
            file=sys.stderr,
        )
        return 1
    no_log = no_log_warning(config)
    if no_log is not None:
        print(no_log, file=sys.stderr)
    logging.basicConfig(
        level=logging.INFO, format="hbtui node: %(levelname)s: %(name)s: %(message)s"
    )
    state_dir = Path(args.state_dir)
    cannot = state_dir_problem(state_dir)
    if cannot is not None:
        print(f"hbtui node: {cannot}", file=sys.stderr)
        return 1
    lock = StateDirLock(state_dir)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except StateError as exc:
        print(f"hbtui node: cannot start: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"hbtui node: cannot start: {state_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        # first, before the node's heavy imports: a kill -9 left our VIPs here (the state
        # dir is ours: no node of ours runs); the engine logs their removal at its start
        removed: list[str] = []
        busy = _other_node_here(Path(args.control_socket))
        if busy is None:
            removed, why = remove_stale_vips(configured_vips(config))
            if why is not None:
                log.warning("stale VIPs not removed before the start (%s)", why)
        else:  # never take a running node's VIP: the start below refuses, or removes them
            log.warning("stale VIPs left to the node's start: %s", busy)
        return asyncio.run(_serve(config, args, removed))
    finally:
        lock.release()


def _other_node_here(control_socket: Path) -> str | None:
    """Who else runs as this node here (the real heartbeat daemon, a node answering on the
    control socket), or None: only then are the VIPs on this machine stale."""
    from hbtui.control.client import ControlError, NoNodeRunning, request
    from hbtui.sources.pick import find_heartbeat

    pid = find_heartbeat()
    if pid is not None:
        return f"the heartbeat daemon runs here (pid {pid})"
    try:
        request(control_socket, "snapshot", timeout_s=1.0)
    except NoNodeRunning:
        return None
    except (ControlError, OSError) as exc:
        return f"{control_socket} answers ({exc})"
    return f"a node answers on {control_socket}"


async def _serve(config: ClusterConfig, args: argparse.Namespace, removed: list[str]) -> int:
    from hbtui.adapters.realtime import make_realtime
    from hbtui.adapters.runtime import NodeRuntime, NodeStartError, RuntimeState
    from hbtui.adapters.sdnotify import Notifier
    from hbtui.adapters.udp import UdpError
    from hbtui.commands.node_notify import report_to_systemd
    from hbtui.control.server import ControlServer, ControlSocketBusy, UnknownControlGroup
    from hbtui.metrics.exporter import MetricsExporter

    echo: TextIO = quiet_echo(sys.stderr) if args.quiet else sys.stderr
    runtime = NodeRuntime(
        config, Path(args.state_dir), lock_state_dir=False, echo_log=echo, stale_removed=removed
    )
    settings = load_settings(Path(args.config_dir))  # checked in run()
    metrics = MetricsExporter(
        config.ha_cf.keepalive_ms, runtime.snapshot, time.time(), settings.metrics_textfile,
        runtime.say,
    )  # fmt: skip
    counted = runtime.events("metrics", lossy=False)  # from the first event on
    server = ControlServer(runtime, Path(args.control_socket), settings.control_group, metrics.text)
    try:
        await server.start()
    except ControlSocketBusy as exc:
        print(f"hbtui node: cannot start: {exc}; stop that node first", file=sys.stderr)
        return 1
    except UnknownControlGroup as exc:
        print(f"hbtui node: cannot start: {exc}; fix hbtui.conf", file=sys.stderr)
        return 1
    except OSError as exc:
        why = exc.strerror or str(exc)
        print(
            f"hbtui node: cannot start: control socket {args.control_socket}: {why};"
            " give another --control-socket",
            file=sys.stderr,
        )
        return 1
    if config.ha_cf.realtime:  # before the start: the node's whole run is on time
        runtime.realtime = make_realtime(config.ha_cf.rtprio)
    try:
        await runtime.start()
    except (NodeStartError, UdpError, StateError, OSError) as exc:
        print(f"hbtui node: cannot start: {exc}", file=sys.stderr)
        await server.close()
        return 1
    for problem in runtime.realtime.problems if runtime.realtime else ():
        runtime.say("WARN", f"realtime: {problem}")
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[Any]] = set()
    notifier = Notifier()

    def spawn(coro: Coroutine[Any, Any, Any]) -> None:
        task = loop.create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def on_stop_signal(signame: str) -> None:
        if runtime.state is RuntimeState.RUNNING:
            log.info("%s: graceful stop", signame)
            notifier.send("STOPPING=1", "STATUS=stopping: releasing resources")
            spawn(runtime.stop(graceful=True))
        else:
            log.info("%s: already stopping", signame)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop_signal, sig.name)
    loop.add_signal_handler(signal.SIGHUP, lambda: _on_hangup(runtime, args, spawn, notifier))
    loop.add_signal_handler(signal.SIGUSR1, runtime.change_debug, 1)  # as the daemon: more
    loop.add_signal_handler(signal.SIGUSR2, runtime.change_debug, -1)  # and less debug
    if notifier.watchdog_s is not None:
        spawn(_watchdog(notifier, notifier.watchdog_s))
    spawn(report_to_systemd(runtime, notifier))  # READY=1 once active, STATUS= on changes
    spawn(metrics.count(counted))
    if settings.metrics_textfile is not None:
        spawn(metrics.write_every(settings.metrics_interval_ms / 1000))
    reason = await runtime.wait_closed()
    log.info("node stopped: %s", reason)
    await metrics.write()  # the last word: the runtime says stopped, nothing is held
    await server.close()
    for task in list(tasks):
        task.cancel()
    return 0


def _on_hangup(
    runtime: NodeRuntime,
    args: argparse.Namespace,
    spawn: Callable[[Coroutine[Any, Any, Any]], None],
    notifier: Notifier,
) -> None:
    """SIGHUP: reopen the log files at their paths (logrotate), then reread the configuration."""
    if runtime.nodelog is not None:
        runtime.nodelog.reopen()
    notifier.send("RELOADING=1")

    async def reload_then_ready() -> None:
        try:
            await _reload(runtime, args)
        finally:
            notifier.send("READY=1")

    spawn(reload_then_ready())


async def _watchdog(notifier: Notifier, every_s: float) -> None:
    """``WATCHDOG=1`` every WatchdogSec/2 while the loop turns."""
    while True:
        notifier.send("WATCHDOG=1")
        await asyncio.sleep(every_s)


async def _reload(runtime: NodeRuntime, args: argparse.Namespace) -> None:
    """SIGHUP: reread the configuration off the loop; keep the old one when it is broken."""
    loop = asyncio.get_running_loop()
    name = runtime.config.node_name
    new, problems = await loop.run_in_executor(
        None, lambda: load_config(Path(args.config_dir), name, logd_cf=Path(args.logd_cf))
    )
    if new is None:
        for problem in problems:
            log.error("SIGHUP: %s", problem)
        log.error("SIGHUP: configuration refused; keeping the one in use")
        runtime.refuse_config([str(p) for p in problems])
        return
    for change in runtime.apply_config(new):
        log.info("SIGHUP: %s", change)
