"""Shared by the lab benchmarks: a VIP watcher run inside a namespace, and ha.cf times."""

from __future__ import annotations

from hbtui.config.timeparse import parse_time_ms

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
