"""A child process's stdout and stderr read line by line, and its process group signalled.

Shared by the resource scripts (``scripts.py``) and the respawned clients (``respawn.py``).
The pipes are our own, not asyncio's PIPE: ``Process.wait()`` would otherwise also wait for
every daemon the child leaves behind holding its stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

STDOUT = "stdout"
STDERR = "stderr"
PROC = Path("/proc")
DRAIN_GRACE_S = 0.5  # after exit, how long a daemonised child may keep our pipes open

Deliver = Callable[[str, str], None]
"""Called with (stream, line) for every output line; stream is "stdout" or "stderr"."""


class OutputPipes:
    """Two pipes: hand ``out_w`` and ``err_w`` to the child, then ``read`` the other ends."""

    def __init__(self) -> None:
        self.out_r, self.out_w = os.pipe()
        self.err_r, self.err_w = os.pipe()
        self.files: list[BinaryIO] = []

    def spawned(self) -> None:
        """The child has its copies (or none was made): close ours of the write ends.
        Idempotent: a closed descriptor is forgotten, never closed twice."""
        for fd in (self.out_w, self.err_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.out_w = self.err_w = -1

    def failed(self) -> None:
        """The child was never started: close everything."""
        self.spawned()
        for fd in (self.out_r, self.err_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.out_r = self.err_r = -1

    def read(self, deliver: Deliver) -> list[asyncio.Task[None]]:
        """One task per stream handing each line to ``deliver``; ``close()`` when done."""
        self.files = [
            os.fdopen(self.out_r, "rb", buffering=0),
            os.fdopen(self.err_r, "rb", buffering=0),
        ]
        return [
            asyncio.create_task(read_lines(self.files[0], STDOUT, deliver)),
            asyncio.create_task(read_lines(self.files[1], STDERR, deliver)),
        ]

    def close(self) -> None:
        for handle in self.files:
            handle.close()


async def read_lines(pipe: BinaryIO, name: str, deliver: Deliver) -> None:
    """Split a pipe into lines of any length; the last unterminated line counts too."""
    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), pipe)
    pending = b""
    try:
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                deliver(name, raw.rstrip(b"\r").decode("utf-8", errors="replace"))
        if pending:
            deliver(name, pending.rstrip(b"\r").decode("utf-8", errors="replace"))
    finally:
        transport.close()


async def finish_readers(readers: list[asyncio.Task[None]]) -> None:
    """Let the readers drain; stop them if a leftover child keeps the pipes open."""
    done, pending = await asyncio.wait(readers, timeout=DRAIN_GRACE_S)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for task in done:
        if task.exception() is not None:
            log.warning("reading a child's output failed: %s", task.exception())


def signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send ``sig`` to process group ``pgid``; False when no process is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        log.warning("no permission to signal process group %d", pgid)
    return True


def group_alive(pgid: int, proc: Path = PROC) -> bool:
    """Whether a live process (not a zombie waiting for its parent) is left in group
    ``pgid``. procfs reads never block."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        entries = [entry for entry in os.listdir(proc) if entry.isdigit()]
    except OSError:
        return True
    for entry in entries:
        try:
            stat = (proc / entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False
