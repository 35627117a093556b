"""ha.cf ``respawn`` clients: run, watched, respawned and stopped as Heartbeat 3.0.6 does.

The rule (when to run a client again, when to give up) and its log lines belong to
``engine/respawn.py``; this module carries them out with asyncio subprocesses and decides
nothing. As the daemon (heartbeat.c ``start_a_child_client``): every client starts when the
node goes active (``Comm_now_up``), in ha.cf order, through ``/bin/sh -c "exec CMD"`` in a
process group of its own, as USER with USER's primary group and supplementary groups
(``initgroups``), stdin /dev/null, with the daemon's environment (``HA_*``, ``OCF_ROOT``).
Unlike the daemon, which sends their output to /dev/null, stdout and stderr lines go to
ha-log (info and WARN) under ``PROG(PID)``.

At shutdown (``shutdown_last_client_child``) no client is respawned any more; once the
resources are released the clients are stopped one by one, last first: SIGTERM to the
process group, ``stop_s`` to go, then SIGKILL (the daemon waits without bound). Whatever is
left in a process group a client started is killed with it. User and group look-ups (NSS)
run in an executor, never on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hbtui.adapters.childio import STDOUT, OutputPipes, finish_readers, group_alive, signal_group
from hbtui.adapters.scripts import BASE_ENV
from hbtui.config.model import RespawnClient
from hbtui.engine.actions import LogLevel, WriteLog
from hbtui.engine.respawn import ClientLife, RespawnRule

log = logging.getLogger(__name__)

CLIENT_STOP_S = 10.0  # SIGTERM to SIGKILL, per client
OCF_ROOT = "/usr/lib/ocf"  # the daemon exports it to its children
SHELL = "/bin/sh"

Say = Callable[[WriteLog], None]


@dataclass(frozen=True, slots=True)
class RunAs:
    """Who a client runs as: USER's uid, primary gid and every group of USER."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]


def look_up(user: str) -> RunAs:
    """USER from the password and group databases (may block on NSS: run in an executor)."""
    entry = pwd.getpwnam(user)
    groups = tuple(os.getgrouplist(entry.pw_name, entry.pw_gid))
    return RunAs(entry.pw_name, entry.pw_uid, entry.pw_gid, groups)


def identity(who: RunAs) -> dict[str, Any]:
    """``create_subprocess_exec`` arguments that make the child ``who`` (root only; a
    non-root node can run clients as itself only)."""
    if os.geteuid() == 0:
        return {"user": who.uid, "group": who.gid, "extra_groups": list(who.groups)}
    if who.uid == os.geteuid():
        return {}
    raise PermissionError(f"hbtui is not root: cannot run as {who.name}")


def cannot_exec(path: str) -> str | None:
    """Why the program cannot be run now (None: an executable file)."""
    if not os.path.isfile(path):
        return "No such file or directory" if not os.path.lexists(path) else "Not a regular file"
    if not os.access(path, os.X_OK):
        return "Permission denied"
    return None


@dataclass(eq=False)
class _Client:
    spec: RespawnClient
    life: ClientLife
    task: asyncio.Task[None] | None = None
    proc: asyncio.subprocess.Process | None = None
    groups: set[int] = field(default_factory=set)  # process groups it started (pgid = pid)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    pipes: OutputPipes | None = None


class RespawnSupervisor:
    """Every ``respawn`` client of ha.cf (none: every call does nothing)."""

    def __init__(
        self,
        clients: Sequence[RespawnClient],
        env: Mapping[str, str],
        say: Say,
        now_ms: Callable[[], int],
        rule: RespawnRule | None = None,
        stop_s: float = CLIENT_STOP_S,
    ) -> None:
        self.clients = [_Client(c, ClientLife(c.command, c.user, rule)) for c in clients]
        self.env = {**BASE_ENV, "OCF_ROOT": OCF_ROOT, **env}
        self.say = say
        self.now_ms = now_ms
        self.stop_s = stop_s
        self.started = False
        self.stopping = False
        self._stop_event = asyncio.Event()

    def describe(self) -> list[dict[str, Any]]:
        """The snapshot's ``respawn`` list, in ha.cf order."""
        return [{**c.life.describe(), "line": c.spec.line} for c in self.clients]

    def alive(self) -> bool:
        """Whether a client still runs or may run again."""
        return any(c.task is not None and not c.task.done() for c in self.clients)

    def start(self) -> None:
        """The node went active: start every client, in ha.cf order (once)."""
        if self.started or self.stopping:
            return
        self.started = True
        loop = asyncio.get_running_loop()
        for client in self.clients:
            client.task = loop.create_task(self._keep(client), name=f"respawn-{client.spec.name}")
            client.task.add_done_callback(_report_failure)

    def shutting_down(self) -> None:
        """The node began its shutdown: a client that exits from now on is not respawned."""
        self.stopping = True
        self._stop_event.set()

    async def stop(self) -> None:
        """The resources are released: stop every client, last first (bounded)."""
        self.shutting_down()
        for client in reversed(self.clients):
            await self._stop_one(client)

    def kill(self) -> None:
        """The node closes at once (crash drill, timed-out stop): SIGKILL every process group
        a client started, without waiting. Each client's task sees its exit and ends; one
        being started right now is killed as soon as its process exists."""
        self.shutting_down()
        for client in reversed(self.clients):
            self._sweep(client)

    # -- one client --------------------------------------------------------------------

    async def _keep(self, client: _Client) -> None:
        """Run the client, and again after each exit for as long as the rule says."""
        delay_ms = 0
        while True:
            if delay_ms:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), delay_ms / 1000)
            if self.stopping:
                client.life.stop()
                return
            proc = await self._spawn(client)
            if proc is None:
                return
            rc = await proc.wait()
            ended_ms = self.now_ms()
            await finish_readers(client.readers)
            if client.pipes is not None:
                client.pipes.close()
            client.proc, client.readers, client.pipes = None, [], None
            client.groups = {g for g in client.groups if group_alive(g)}
            code, signo = (None, -rc) if rc < 0 else (rc, None)
            verdict = client.life.exited(ended_ms, code, signo, stopping=self.stopping)
            for line in verdict.logs:
                self.say(line)
            if not verdict.respawn:
                return
            delay_ms = verdict.delay_ms

    async def _spawn(self, client: _Client) -> asyncio.subprocess.Process | None:
        """Start the client once; None (and given up) when it cannot be started."""
        spec, life = client.spec, client.life
        loop = asyncio.get_running_loop()
        try:
            who = await loop.run_in_executor(None, look_up, spec.user)
        except (KeyError, OSError, UnicodeError, ValueError):
            self.say(life.failed(f"Cannot setup child process {spec.command}: no user {spec.user}"))
            return None
        if self.stopping:
            life.stop()
            return None
        self.say(life.starting(who.uid, who.gid))
        why = cannot_exec(spec.path)
        if why is not None:
            self.say(life.failed(f"Cannot exec {spec.command}: {why}"))
            return None
        pipes = OutputPipes()
        try:
            proc = await asyncio.create_subprocess_exec(
                SHELL,
                "-c",
                f"exec {spec.command}",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=pipes.out_w,
                stderr=pipes.err_w,
                process_group=0,
                env=self.env,
                cwd="/",
                **identity(who),
            )
        except (OSError, ValueError) as exc:
            pipes.failed()
            self.say(life.failed(f"Cannot setup child process {spec.command}: {exc}"))
            return None
        finally:
            pipes.spawned()
        client.proc = proc
        client.groups.add(proc.pid)
        self.say(life.started(proc.pid, who.uid, who.gid, self.now_ms()))
        if self.stopping:  # the node was killed while this one was being started
            self._signal(client, proc.pid, signal.SIGKILL)
        source = f"{spec.name}({proc.pid})"

        def deliver(stream: str, line: str) -> None:
            self.say(WriteLog(LogLevel.INFO if stream == STDOUT else LogLevel.WARN, line, source))

        client.readers, client.pipes = pipes.read(deliver), pipes
        return proc

    async def _stop_one(self, client: _Client) -> None:
        """SIGTERM, ``stop_s``, SIGKILL, ``stop_s``; then whatever is left of its groups."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            proc = client.proc
            if proc is not None and proc.returncode is None:
                self._signal(client, proc.pid, sig)
            if client.task is None:
                break
            done, _ = await asyncio.wait({client.task}, timeout=self.stop_s)
            if done:
                break
            if sig is signal.SIGKILL:
                pid = proc.pid if proc is not None else "?"
                self.say(
                    WriteLog(LogLevel.ERROR, f"{client.spec.command} process {pid} will not die!")
                )
                client.task.cancel()
        self._sweep(client)
        client.life.stop()

    def _signal(self, client: _Client, pgid: int, sig: signal.Signals) -> bool:
        text = f"killing {client.spec.command} process group {pgid} with signal {int(sig)}"
        self.say(WriteLog(LogLevel.INFO, text))
        return signal_group(pgid, sig)

    def _sweep(self, client: _Client) -> None:
        """SIGKILL every group the client started that still has a process in it."""
        for pgid in sorted(client.groups):
            if group_alive(pgid):
                self._signal(client, pgid, signal.SIGKILL)
        client.groups.clear()


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("respawn task %s failed", task.get_name(), exc_info=task.exception())
