"""Self-fence: run the configured reboot command (``SelfFence`` from the engine).

Heartbeat reboots a node whose resource will not stop (``reboot -nf``); hbtui does so
only when the operator opted in (``stop_failure = reboot``) or asked (``self-fence``).
The lab replaces the command with a stand-in that records the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

DEFAULT_FENCE_COMMAND = ("reboot", "-nf")
FENCE_TIMEOUT_S = 30.0


async def run_fence(argv: Sequence[str]) -> str:
    """Run ``argv`` (no shell); an empty string on success, else what went wrong."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        return f"cannot run {' '.join(argv)}: {exc}"
    try:
        _, err = await asyncio.wait_for(proc.communicate(), FENCE_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return f"{' '.join(argv)} did not return within {FENCE_TIMEOUT_S:.0f} s"
    if proc.returncode != 0:
        text = err.decode(errors="replace").strip()
        return f"{' '.join(argv)} returned {proc.returncode}: {text}"
    return ""
