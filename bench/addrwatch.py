"""Shared by the lab benchmarks: a VIP watcher run inside a namespace, and ha.cf times."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hbtui.config.timeparse import parse_time_ms
from hbtui.lab.commands import LabError, clean_env, read_line_until

REPO = Path(__file__).resolve().parent.parent
# Run as `python -c WATCHER IP` inside a node's namespaces: prints "ready" once its netlink
# subscription is in place (AddressWatch's `async with`), then the CLOCK_MONOTONIC second at
# which IP was added there.
WATCHER = """
import asyncio, sys
from hbtui.adapters.netlink import AddressWatch
async def main():
    async with AddressWatch() as watch:
        print("ready", flush=True)
        async for event in watch:
            if event.added and event.ip == sys.argv[1]:
                print(f"{event.monotonic_s:.6f}", flush=True)
                return
asyncio.run(main())
"""


def seconds(text: str) -> float:
    """An ha.cf time (``1``, ``200ms``) in seconds."""
    ms = parse_time_ms(text)
    if ms is None:
        raise ValueError(f"not an ha.cf time: {text!r}")
    return ms / 1000


@contextlib.contextmanager
def vip_watch(netns: str, ip: str, timeout: float) -> Iterator[Callable[[], float]]:
    """A netlink watcher in `netns`; the block gets a function returning the VIP's add time."""
    argv = ["ip", "netns", "exec", netns, sys.executable, "-c", WATCHER, ip]
    env = clean_env({"PYTHONPATH": str(REPO)})
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env, cwd="/")
    assert proc.stdout is not None
    stdout = proc.stdout
    try:
        if read_line_until(stdout, time.monotonic() + 10) != "ready\n":
            raise LabError("address watcher did not start")

        def added() -> float:
            line = read_line_until(stdout, time.monotonic() + timeout)
            if not line:
                raise LabError(f"{ip} did not come up in {netns} within {timeout} s")
            return float(line)

        yield added
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=5)
        stdout.close()
