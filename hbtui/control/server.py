"""The control socket server run by ``hbtui node`` (protocol in the package docstring).

Only root (or the node's own uid) may connect: the peer's uid is read with SO_PEERCRED
and anyone else gets one error line. The socket is created mode 600 (umask around
bind, then chmod) in a directory of mode 700. With a ``group`` (hbtui.conf
``control_group``) the socket and its directory belong to that group (0660, 0750) and its
members may read (snapshot, follow: ``hbtui status``, ``--check``) but every action is
refused, counted and answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import grp
import logging
import os
import pwd
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hbtui.adapters.runtime import NodeRuntime
from hbtui.control.requests import ACTIONS, MAX_LINE, Request, RequestError, parse_request
from hbtui.stream.codec import dumps_line, rfc3339, to_json, with_schema, with_wall_times

log = logging.getLogger(__name__)

BACKLOG = 512  # connections waiting to be accepted (a burst of `hbtui status`)
IDLE_TIMEOUT_S = 30.0  # a client that sends no complete request for this long is closed


class ControlSocketBusy(Exception):
    """Another live node answers on the control socket path."""


class UnknownControlGroup(Exception):
    """hbtui.conf's ``control_group`` names no group on this machine."""


def peer_ids(sock: socket.socket) -> tuple[int | None, int | None]:
    """The connecting process's uid and gid (SO_PEERCRED), None when unknown."""
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None, None
    _pid, uid, gid = struct.unpack("3i", raw)
    return int(uid), int(gid)


def _socket_alive(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(0.5)
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


class ControlServer:
    """Serves one NodeRuntime on ``path``."""

    def __init__(
        self,
        runtime: NodeRuntime,
        path: Path,
        group: str | None = None,
        metrics: Callable[[], str] | None = None,
    ) -> None:
        self.runtime = runtime
        self.metrics = metrics  # the Prometheus text, for `hbtui status --metrics`
        self.path = Path(path)
        self.allowed_uids = {0, os.geteuid()}
        self.group = group
        self.gid: int | None = None  # the readers' group, once resolved
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()
        self.rejected = 0  # requests refused (bad input or permission), since start
        self.last_rejected = ""

    async def start(self) -> None:
        """Bind the socket (replacing a stale one; refusing when a node answers there)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.exists() or self.path.is_symlink():
            alive = await asyncio.get_running_loop().run_in_executor(None, _socket_alive, self.path)
            if alive:
                raise ControlSocketBusy(f"another node answers on {self.path}")
            self.path.unlink()
        old_umask = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_LINE, backlog=BACKLOG
            )
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        if self.group is not None:
            try:
                self.gid = grp.getgrnam(self.group).gr_gid
            except KeyError:
                raise UnknownControlGroup(f"control_group {self.group}: no such group") from None
            for target, mode in ((self.path.parent, 0o750), (self.path, 0o660)):
                os.chown(target, -1, self.gid)
                os.chmod(target, mode)

    def _reader(self, uid: int | None, gid: int | None) -> bool:
        """Whether this peer is in the readers' group (primary or supplementary)."""
        if self.gid is None or uid is None:
            return False
        if gid == self.gid:
            return True
        try:
            name = pwd.getpwuid(uid).pw_name
            return self.gid in os.getgrouplist(name, gid if gid is not None else -1)
        except (KeyError, OSError):
            return False

    async def close(self) -> None:
        """Stop listening, end every client, remove the socket file."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._clients):
            task.cancel()
        for task in list(self._clients):
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(OSError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            sock = writer.get_extra_info("socket")
            uid, gid = peer_ids(sock) if sock is not None else (None, None)
            read_only = False
            if uid not in self.allowed_uids:
                loop = asyncio.get_running_loop()
                read_only = await loop.run_in_executor(None, self._reader, uid, gid)
                if not read_only:
                    why = "permission denied: root only" + (
                        f" (or a member of {self.group}, to read)" if self.group else ""
                    )
                    self._reject(uid, why)
                    writer.write(dumps_line({"ok": False, "error": why}))
                    await writer.drain()
                    return
            while True:
                try:
                    line = await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT_S)
                except TimeoutError:
                    log.debug("control client idle for %s s: closed", IDLE_TIMEOUT_S)
                    break
                except ValueError:  # the line overran MAX_LINE
                    why = f"request too long (at most {MAX_LINE} bytes)"
                    self._reject(uid, why)
                    writer.write(dumps_line({"ok": False, "error": why}))
                    await writer.drain()
                    break
                if not line or not line.endswith(b"\n"):
                    break  # closed, possibly in the middle of a line: nothing to answer
                if not await self._request(line, uid, writer, read_only):
                    break
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.debug("control client gone: %s", exc)
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _reject(self, uid: int | None, why: str) -> None:
        """Count and log a refused request (never an action)."""
        self.rejected += 1
        self.last_rejected = why
        log.warning("control request from uid %s rejected: %s", uid, why)

    def describe(self) -> dict[str, Any]:
        """What the snapshot carries about the control socket."""
        return {"rejected": self.rejected, "last_rejected": self.last_rejected}

    async def _request(
        self, line: bytes, uid: int | None, writer: asyncio.StreamWriter, read_only: bool = False
    ) -> bool:
        """Answer one request; False ends the connection."""
        try:
            request = parse_request(line)
            if read_only and request.cmd in ACTIONS:
                raise RequestError(
                    f"permission denied: {request.cmd} is root only (group {self.group} reads)"
                )
            refusal = self._refusal(request)
        except RequestError as exc:
            self._reject(uid, str(exc))
            writer.write(dumps_line({"ok": False, "error": str(exc)}))
            await writer.drain()
            return True
        if refusal:
            writer.write(dumps_line({"ok": False, "error": refusal}))
        elif request.cmd == "snapshot":
            writer.write(dumps_line({"ok": True, "snapshot": with_schema(self.snapshot())}))
        elif request.cmd == "metrics":
            text = "" if self.metrics is None else self.metrics()  # None: refused above
            writer.write(dumps_line({"ok": True, "metrics": text}))
        elif request.cmd == "follow":
            await self._follow(writer, recent=request.arg == "recent")
            return False
        else:
            self._act(request)
            writer.write(dumps_line({"ok": True}))
        await writer.drain()
        return True

    def snapshot(self) -> dict[str, Any]:
        """The runtime's snapshot with the control socket's own figures and RFC 3339 wall
        times beside the monotonic ones."""
        snap = self.runtime.snapshot()
        snap.setdefault("runtime", {})["control"] = self.describe()
        now = self.runtime.now_ms() if self.runtime.state.value != "new" else 0
        return with_wall_times(snap, now, time.time())

    def _refusal(self, request: Request) -> str:
        """Why a well-formed request cannot be done now ("" when it can)."""
        if request.cmd == "metrics" and self.metrics is None:
            return "this node keeps no metrics"
        if request.cmd not in ("retry-stop", "stop-cleared", "self-fence"):
            return ""
        if not self.runtime.stop_failures():
            return f"no failed stop on {self.runtime.config.node_name}: nothing to {request.cmd}"
        return ""

    def _act(self, request: Request) -> None:
        runtime = self.runtime
        if request.cmd in ("standby", "takeover"):
            runtime.command(request.cmd, request.arg or "all")
        elif request.cmd == "stop":
            runtime.command("stop")
        elif request.cmd == "retry-stop":
            runtime.retry_stop()
        elif request.cmd == "stop-cleared":
            runtime.stop_cleared()
        elif request.cmd == "self-fence":
            runtime.self_fence()

    def _stamped(self, item: object) -> dict[str, Any]:
        """``item`` as JSON with its wall time (RFC 3339) beside the monotonic one."""
        obj = to_json(item)
        at_ms = obj.get("at_ms")
        if isinstance(at_ms, int):
            obj["time"] = rfc3339(time.time() - (self.runtime.now_ms() - at_ms) / 1000)
        return obj

    async def _follow(self, writer: asyncio.StreamWriter, recent: bool) -> None:
        """The snapshot, with ``recent`` the node's last ha-log lines (taken in the same
        step as the subscription: none missing, none twice), then every event."""
        sub = self.runtime.events("control-follow", lossy=True)
        earlier = list(self.runtime.recent_log) if recent else []
        try:
            writer.write(dumps_line({"type": "snapshot", "snapshot": with_schema(self.snapshot())}))
            for line in earlier:
                writer.write(dumps_line({**self._stamped(line), "recent": True}))
            await writer.drain()
            reported = 0
            async for item in sub:
                if sub.dropped > reported:
                    writer.write(dumps_line({"type": "Dropped", "count": sub.dropped - reported}))
                    reported = sub.dropped
                writer.write(dumps_line(self._stamped(item)))
                await writer.drain()
        finally:
            sub.close()
