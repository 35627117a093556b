"""PeerLink: one asyncssh connection to a peer node, kept up with backoff, state visible.

The link honours ``~/.ssh/config`` (HostName, Port, User, IdentityFile), the agent and the
user's keys, and checks host keys strictly: known_hosts is always given explicitly (never
``None``, which would switch checking off, as ``UserKnownHostsFile none`` would). A refused
key becomes :class:`HostKeyRefused` carrying a :class:`HostKeyRefusal`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from hbtui.remote import commands
from hbtui.remote.hostkeys import default_known_hosts
from hbtui.stream.link import HostKeyRefusal, HostKeyVerdict, LinkState, LinkStatus

log = logging.getLogger(__name__)

USER_SSH_CONFIG = Path("~/.ssh/config")
# Channels open at once on one link (OpenSSH MaxSessions is 10 by default).
MAX_CHANNELS = 8
# sshd frees a closed session a moment after the client sees it closed, so a new channel can
# still be refused ("open failed"); nothing ran then, so the open is tried again after these.
REOPEN_DELAYS_S = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8)
# OpenSSH answers "no more sessions" with OPEN_CONNECT_FAILED ("open failed").
_SESSION_REFUSED = (asyncssh.OPEN_CONNECT_FAILED, asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED)
# How long a stream closed early waits for the peer to confirm its channel is gone.
STREAM_CLOSE_S = 5.0

T = TypeVar("T")


class LinkError(Exception):
    """The link is not up, or a connection attempt failed."""


class HostKeyRefused(LinkError):
    """The peer's host key is not in known_hosts, or differs from it."""

    def __init__(self, refusal: HostKeyRefusal) -> None:
        super().__init__(refusal.explain())
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class PeerTarget:
    """How to reach one peer; unset fields come from ssh_config and OpenSSH defaults."""

    node: str
    host: str | None = None  # defaults to the node name (ssh_config may map it)
    port: int | None = None
    username: str | None = None
    known_hosts: tuple[Path, ...] | None = None  # None: ~/.ssh/known_hosts + system file
    client_keys: tuple[Path, ...] | None = None  # None: ssh_config/agent/default keys
    config: tuple[Path, ...] | None = None  # None: ~/.ssh/config when it exists
    use_agent: bool = True
    proxy_command: tuple[str, ...] | None = None  # argv speaking SSH on stdio (ProxyCommand)
    connect_timeout_s: float = 10.0
    keepalive_interval_s: float = 5.0
    keepalive_count_max: int = 3

    @property
    def address(self) -> str:
        """The host name or address handed to ssh."""
        return self.host or self.node


@dataclass
class Backoff:
    """Delays between reconnect attempts: initial, times factor, capped; reset on success."""

    initial_s: float = 0.5
    factor: float = 2.0
    maximum_s: float = 30.0
    _next: float = field(default=0.0, init=False)

    def next_delay(self) -> float:
        """The delay before the next attempt; each call grows the one after it."""
        delay = self._next or self.initial_s
        self._next = min(delay * self.factor, self.maximum_s)
        return delay

    def reset(self) -> None:
        """Back to the initial delay (after a connection that worked)."""
        self._next = 0.0


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One finished remote (or local) command."""

    argv: tuple[str, ...]
    exit_status: int | None
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """True when it exited 0."""
        return self.exit_status == 0

    @property
    def command_line(self) -> str:
        """The argv as the shell line that was sent."""
        return shlex.join(self.argv)


StatusListener = Callable[[LinkStatus], None]


def _known_hosts_files(target: PeerTarget) -> list[Path]:
    """The known_hosts files that exist for this target (maybe none: then nothing is trusted)."""
    known = default_known_hosts() if target.known_hosts is None else list(target.known_hosts)
    return [p for p in known if p.is_file()]


def _client_options(target: PeerTarget) -> asyncssh.SSHClientConnectionOptions:
    """asyncssh options for the target, with known_hosts always explicit."""
    if target.config is None:
        user_config = USER_SSH_CONFIG.expanduser()
        config = [str(user_config)] if user_config.is_file() else []
    else:
        config = [str(p) for p in target.config]
    known_arg: list[str] | bytes = [str(p) for p in _known_hosts_files(target)] or b""
    kwargs: dict[str, object] = {
        "config": config,
        "known_hosts": known_arg,
        "connect_timeout": target.connect_timeout_s,
        "keepalive_interval": target.keepalive_interval_s,
        "keepalive_count_max": target.keepalive_count_max,
    }
    if target.port is not None:
        kwargs["port"] = target.port
    if target.username is not None:
        kwargs["username"] = target.username
    if target.client_keys is not None:
        kwargs["client_keys"] = [str(p) for p in target.client_keys]
    if not target.use_agent:
        kwargs["agent_path"] = None
    if target.proxy_command is not None:
        kwargs["proxy_command"] = list(target.proxy_command)
    return asyncssh.SSHClientConnectionOptions(host=target.address, **kwargs)


async def _diagnose_host_key(
    target: PeerTarget, options: asyncssh.SSHClientConnectionOptions
) -> HostKeyRefusal:
    """Fetch the key the server presents (no auth) and compare it with known_hosts."""
    host = str(options.host)
    port = int(options.port)
    proxy = list(target.proxy_command) if target.proxy_command is not None else ()
    key = await asyncssh.get_server_host_key(host, port, config=[], proxy_command=proxy)
    fingerprint = key.get_fingerprint("sha256") if key else "?"
    algorithm = key.get_algorithm() if key else "?"
    known_paths = _known_hosts_files(target)
    expected: tuple[str, ...] = ()
    if known_paths:
        addr = host
        with contextlib.suppress(OSError):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port)
            addr = str(infos[0][4][0])
        table = asyncssh.read_known_hosts([str(p) for p in known_paths])
        entries = table.match(host, addr, port)[0]
        expected = tuple(dict.fromkeys(k.get_fingerprint("sha256") for k in entries))
    verdict = HostKeyVerdict.CHANGED if expected else HostKeyVerdict.UNKNOWN
    explicit = target.known_hosts[0] if target.known_hosts else None
    return HostKeyRefusal(verdict, host, port, fingerprint, algorithm, expected, explicit)


class PeerLink:
    """One peer's SSH connection: connect, keep it up, run argv and stream lines."""

    def __init__(self, target: PeerTarget, backoff: Backoff | None = None) -> None:
        self.target = target
        self.backoff = backoff or Backoff()
        self._status = LinkStatus(target.node, since=time.time())
        self._conn: asyncssh.SSHClientConnection | None = None
        self._changed = asyncio.Condition()
        self._listeners: list[StatusListener] = []
        self._task: asyncio.Task[None] | None = None
        self._channels = asyncio.Semaphore(MAX_CHANNELS)

    @property
    def status(self) -> LinkStatus:
        """The latest link status."""
        return self._status

    @property
    def is_up(self) -> bool:
        """True while a connection is established."""
        return self._conn is not None and self._status.state is LinkState.UP

    def add_listener(self, listener: StatusListener) -> None:
        """Call ``listener(status)`` on every change (from the event loop)."""
        self._listeners.append(listener)

    async def _set(
        self,
        state: LinkState,
        detail: str = "",
        *,
        refusal: HostKeyRefusal | None = None,
        retry_in_s: float | None = None,
    ) -> None:
        self._status = replace(
            self._status,
            state=state,
            detail=detail,
            since=time.time(),
            retry_in_s=retry_in_s,
            refusal=refusal,
        )
        log.info("peer %s: link %s %s", self.target.node, state, detail)
        for listener in self._listeners:
            try:
                listener(self._status)
            except Exception:  # a broken listener must not stop the link
                log.exception("peer %s: link listener failed", self.target.node)
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, *states: LinkState, timeout: float | None) -> LinkStatus:
        """Wait until the link is in one of ``states``; TimeoutError after ``timeout`` s.

        ``timeout=None`` waits as long as it takes (only for long-lived tasks).
        """

        async def reached() -> LinkStatus:
            async with self._changed:
                await self._changed.wait_for(lambda: self._status.state in states)
                return self._status

        return await asyncio.wait_for(reached(), timeout)

    async def connect_once(self) -> None:
        """One connection attempt; raises HostKeyRefused or LinkError."""
        if self._conn is not None:  # a fresh attempt replaces a connection we still hold
            self._conn.close()
            self._conn = None
        options = _client_options(self.target)
        self._status = replace(self._status, attempts=self._status.attempts + 1)
        await self._set(LinkState.CONNECTING, f"{options.username}@{options.host}:{options.port}")
        try:
            conn = await asyncssh.connect(self.target.address, options=options)
        except asyncssh.HostKeyNotVerifiable as exc:
            try:
                refusal = await _diagnose_host_key(self.target, options)
            except (OSError, asyncssh.Error) as probe_exc:
                raise LinkError(f"host key not verifiable: {exc}; {probe_exc}") from exc
            raise HostKeyRefused(refusal) from exc
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            raise LinkError(str(exc) or type(exc).__name__) from exc
        self._conn = conn
        self.backoff.reset()
        await self._set(LinkState.UP, f"{options.username}@{options.host}:{options.port}")

    async def run_forever(self) -> None:
        """Connect, wait for loss, back off, repeat; until :meth:`close`."""
        while True:
            try:
                await self.connect_once()
            except HostKeyRefused as exc:
                delay = self.backoff.maximum_s
                await self._set(LinkState.REFUSED, str(exc), refusal=exc.refusal, retry_in_s=delay)
                await asyncio.sleep(delay)
                continue
            except LinkError as exc:
                delay = self.backoff.next_delay()
                await self._set(LinkState.DOWN, str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                continue
            conn = self._conn
            assert conn is not None
            await conn.wait_closed()
            self._conn = None
            delay = self.backoff.next_delay()
            await self._set(LinkState.DOWN, "connection lost", retry_in_s=delay)
            await asyncio.sleep(delay)

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run_forever` as a task (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run_forever(), name=f"peer-{self.target.node}")
        return self._task

    async def close(self) -> None:
        """Stop reconnecting and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            self._conn.close()
            with contextlib.suppress(Exception):
                await self._conn.wait_closed()
            self._conn = None
        await self._set(LinkState.CLOSED)

    def _connection(self) -> asyncssh.SSHClientConnection:
        if self._conn is None:
            raise LinkError(f"link to {self.target.node} is {self._status.state}")
        return self._conn

    async def _opening(
        self, open_channel: Callable[[asyncssh.SSHClientConnection], Awaitable[T]]
    ) -> T:
        """``open_channel`` on the connection, again while sshd still counts closed sessions."""
        for delay in REOPEN_DELAYS_S:
            try:
                return await open_channel(self._connection())
            except asyncssh.ChannelOpenError as exc:
                if exc.code not in _SESSION_REFUSED:
                    raise
            await asyncio.sleep(delay)
        return await open_channel(self._connection())  # the last try: its refusal is raised

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run argv on the peer (joined with shlex.join) and collect its output."""
        line = shlex.join(argv)
        try:
            async with self._channels:
                done = await self._opening(
                    lambda conn: conn.run(line, input=input_text, check=False, timeout=timeout)
                )
        except asyncssh.TimeoutError as exc:
            raise LinkError(f"{line}: no answer within {timeout:g} s") from exc
        except (OSError, asyncssh.Error) as exc:
            raise LinkError(f"{line}: {exc}") from exc
        return CommandResult(tuple(argv), done.exit_status, _text(done.stdout), _text(done.stderr))

    async def stream(self, argv: Sequence[str]) -> AsyncIterator[str]:
        """The peer command's stdout line by line (newline stripped), until it ends."""
        line = shlex.join(commands.until_channel_closes(tuple(argv)))
        async with self._channels:  # held while the stream lasts
            process = await self._opening(lambda conn: conn.create_process(line))
            try:
                while True:
                    text = _text(await process.stdout.readline())
                    if not text:  # EOF (a blank line still has its newline)
                        break
                    yield text.rstrip("\n")
            finally:
                await _end(process)


async def _end(process: asyncssh.SSHClientProcess[Any]) -> None:
    """Close a stream's channel (its stdin first: that ends the command there)."""
    with contextlib.suppress(OSError, asyncssh.Error):
        process.stdin.write_eof()
    process.close()
    with contextlib.suppress(OSError, asyncssh.Error, TimeoutError):
        await asyncio.wait_for(process.wait_closed(), STREAM_CLOSE_S)


def _text(data: object) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return str(data)
