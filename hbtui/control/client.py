"""A blocking client of the control socket (``hbtui status``; the SSH link runs it remotely)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REQUEST_TIMEOUT_S = 5.0
BUSY_RETRY_S = 2.0


class NoNodeRunning(Exception):
    """Nothing listens on the control socket."""


class ControlError(Exception):
    """The node answered with an error (or garbage)."""


def _connect(path: Path, timeout_s: float | None) -> socket.socket:
    """Connect, retrying for ``BUSY_RETRY_S`` while the node's accept queue is full."""
    give_up = time.monotonic() + BUSY_RETRY_S
    while True:
        try:
            return _connect_once(path, timeout_s)
        except BlockingIOError as exc:  # EAGAIN: a burst filled the listen backlog
            if time.monotonic() >= give_up:
                raise ControlError(f"the node is busy: {path} accepts no connection now") from exc
            time.sleep(0.05)


def _connect_once(path: Path, timeout_s: float | None) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(str(path))
    except BlockingIOError:
        sock.close()
        raise
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        sock.close()
        raise NoNodeRunning(f"no hbtui node is running here (nothing answers on {path})") from exc
    except PermissionError as exc:
        sock.close()
        raise ControlError(f"{path}: permission denied (the control socket is root only)") from exc
    return sock


def _lines(sock: socket.socket) -> Iterator[dict[str, Any]]:
    with sock.makefile("rb") as stream:
        for raw in stream:
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                raise ControlError(f"bad answer from the node: {raw[:80]!r}") from exc
            if not isinstance(obj, dict):
                raise ControlError(f"bad answer from the node: {raw[:80]!r}")
            yield obj


def request(path: Path, cmd: str, timeout_s: float = REQUEST_TIMEOUT_S, **extra: str) -> Any:
    """Send one command and return its answer (the snapshot for ``snapshot``)."""
    sock = _connect(path, timeout_s)
    try:
        sock.sendall((json.dumps({"cmd": cmd, **extra}) + "\n").encode())
        for answer in _lines(sock):
            if not answer.get("ok"):
                raise ControlError(str(answer.get("error") or "request refused"))
            return answer.get("snapshot", answer)
        raise ControlError("the node closed the connection without answering")
    except TimeoutError as exc:
        raise ControlError(f"no answer from the node within {timeout_s} s") from exc
    finally:
        sock.close()


def follow(path: Path, recent: bool = False) -> Iterator[dict[str, Any]]:
    """The snapshot (with ``recent`` the node's last ha-log lines), then every event, as
    dicts, until the node goes away."""
    sock = _connect(path, REQUEST_TIMEOUT_S)
    sock.sendall(b'{"cmd": "follow", "arg": "recent"}\n' if recent else b'{"cmd": "follow"}\n')
    sock.settimeout(None)
    try:
        for item in _lines(sock):
            if item.get("ok") is False:
                raise ControlError(str(item.get("error")))
            yield item
    finally:
        sock.close()
