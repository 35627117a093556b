"""Running argv somewhere: the Protocol the rename executor and detection use, and a local one.

:class:`hbtui.remote.ssh.PeerLink` satisfies :class:`CommandRunner` for a peer;
:class:`LocalRunner` runs argv on this machine directly (no shell).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Protocol

from hbtui.remote.ssh import CommandResult, LinkError


class CommandRunner(Protocol):
    """Something that runs an argv and returns its result."""

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        """Run argv to completion (bounded by ``timeout``)."""
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
