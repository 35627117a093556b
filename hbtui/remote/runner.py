"""Running argv somewhere: the Protocol the rename executor and detection use, and a local one.

:class:`hbtui.remote.ssh.PeerLink` satisfies :class:`CommandRunner` for a peer;
:class:`LocalRunner` runs argv on this machine directly (no shell). Both also stream a
long-running command's lines (:class:`StreamRunner`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from hbtui.remote.ssh import CommandResult, LinkError


class CommandRunner(Protocol):
    """Something that runs an argv and returns its result."""

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run argv to completion (bounded by ``timeout``)."""
        ...


class StreamRunner(CommandRunner, Protocol):
    """A runner that also streams a long-running command's output (a log follower)."""

    def stream(self, argv: Sequence[str]) -> AsyncIterator[str]:
        """The command's stdout line by line (newline stripped), until it ends."""
        ...


class LocalRunner:
    """Runs argv on this machine with asyncio subprocesses; no shell in between."""

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run argv to completion; LinkError when it cannot start or exceeds ``timeout``."""
        pipe, devnull = asyncio.subprocess.PIPE, asyncio.subprocess.DEVNULL
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=pipe if input_text is not None else devnull,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            return CommandResult(tuple(argv), 127, "", f"{argv[0]}: {exc.strerror or exc}\n")
        data = input_text.encode() if input_text is not None else None
        try:
            out, err = await asyncio.wait_for(proc.communicate(data), timeout)
        except TimeoutError as exc:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise LinkError(f"{argv[0]}: no answer within {timeout:g} s") from exc
        return CommandResult(
            tuple(argv), proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
        )

    async def stream(self, argv: Sequence[str]) -> AsyncIterator[str]:
        """The command's stdout line by line (newline stripped), until it ends; the
        command is killed when the reader stops early (or is cancelled)."""
        devnull = asyncio.subprocess.DEVNULL
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=devnull, stdout=asyncio.subprocess.PIPE, stderr=devnull
        )
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                yield line.decode(errors="replace").rstrip("\n")
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
