"""Shared by the lab benchmarks: a VIP watcher run inside a namespace, and ha.cf times."""

from __future__ import annotations

from hbtui.config.timeparse import parse_time_ms

# Run as `python -c WATCHER IP` inside a node's namespaces: prints "ready" once its netlink
# socket is bound, then the CLOCK_MONOTONIC second at which IP was added there.
WATCHER = """
import asyncio, sys
from hbtui.adapters.netlink import watch_addresses
async def main():
    events = watch_addresses()
    first = asyncio.ensure_future(events.__anext__())
    await asyncio.sleep(0.2)  # the generator has bound its netlink socket by now
    print("ready", flush=True)
    event = await first
    while not (event.added and event.ip == sys.argv[1]):
        event = await events.__anext__()
    print(f"{event.monotonic_s:.6f}", flush=True)
asyncio.run(main())
"""


def seconds(text: str) -> float:
    """An ha.cf time (``1``, ``200ms``) in seconds."""
    ms = parse_time_ms(text)
    if ms is None:
        raise ValueError(f"not an ha.cf time: {text!r}")
    return ms / 1000
