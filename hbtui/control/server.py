"""The control socket server run by ``hbtui node`` (protocol in the package docstring).

Only root (or the node's own uid) may connect: the peer's uid is read with SO_PEERCRED
and anyone else gets one error line. The socket is created mode 600 (umask around
bind, then chmod) in a directory of mode 700.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
from pathlib import Path
from typing import Any

from hbtui.adapters.runtime import NodeRuntime
from hbtui.stream.codec import dumps_line, to_json, with_schema

log = logging.getLogger(__name__)

MAX_LINE = 64 * 1024
COMMANDS = ("snapshot", "follow", "standby", "takeover", "stop")
HOLD_ARGS = ("all", "local", "foreign")


class ControlSocketBusy(Exception):
    """Another live node answers on the control socket path."""


def peer_uid(sock: socket.socket) -> int | None:
    """The connecting process's uid (SO_PEERCRED), None when unknown."""
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


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

    def __init__(self, runtime: NodeRuntime, path: Path) -> None:
        self.runtime = runtime
        self.path = Path(path)
        self.allowed_uids = {0, os.geteuid()}
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()

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
                self._serve, path=str(self.path), limit=MAX_LINE
            )
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)

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
            uid = peer_uid(sock) if sock is not None else None
            if uid not in self.allowed_uids:
                writer.write(dumps_line({"ok": False, "error": "permission denied: root only"}))
                await writer.drain()
                return
            while line := await reader.readline():
                if not await self._request(line, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            log.debug("control client gone: %s", exc)
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _request(self, line: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False ends the connection."""
        try:
            request = json.loads(line)
            cmd = request.get("cmd") if isinstance(request, dict) else None
        except (ValueError, UnicodeDecodeError):
            cmd, request = None, {}
        if cmd not in COMMANDS:
            writer.write(dumps_line({"ok": False, "error": f"unknown command; use {COMMANDS}"}))
            await writer.drain()
            return True
        runtime = self.runtime
        if cmd == "snapshot":
            writer.write(dumps_line({"ok": True, "snapshot": with_schema(runtime.snapshot())}))
        elif cmd == "follow":
            await self._follow(writer)
            return False
        elif cmd in ("standby", "takeover"):
            arg = str(request.get("arg") or "all")
            if arg not in HOLD_ARGS:
                writer.write(dumps_line({"ok": False, "error": f"arg must be one of {HOLD_ARGS}"}))
            else:
                runtime.command(cmd, arg)
                writer.write(dumps_line({"ok": True}))
        else:
            runtime.command("stop")
            writer.write(dumps_line({"ok": True}))
        await writer.drain()
        return True

    async def _follow(self, writer: asyncio.StreamWriter) -> None:
        sub = self.runtime.events("control-follow", lossy=True)
        try:
            writer.write(
                dumps_line({"type": "snapshot", "snapshot": with_schema(self.runtime.snapshot())})
            )
            await writer.drain()
            reported = 0
            async for item in sub:
                if sub.dropped > reported:
                    writer.write(dumps_line({"type": "Dropped", "count": sub.dropped - reported}))
                    reported = sub.dropped
                writer.write(dumps_line(to_json(item)))
                await writer.drain()
        finally:
            sub.close()
