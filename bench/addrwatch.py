"""Shared by the lab benchmarks: a VIP watcher run inside a namespace, and ha.cf times."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
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


# Like WATCHER, but runs until killed and prints every change of IP: "+ <second>" when it is
# added, "- <second>" when it is removed.
EVENTS_WATCHER = """
import asyncio, sys
from hbtui.adapters.netlink import AddressWatch
async def main():
    async with AddressWatch() as watch:
        print("ready", flush=True)
        async for event in watch:
            if event.ip == sys.argv[1]:
                print("+" if event.added else "-", f"{event.monotonic_s:.6f}", flush=True)
asyncio.run(main())
"""


class AddressEvents:
    """EVENTS_WATCHER in several network namespaces at once, each read by a thread.

    ``events`` gathers ``(name, added, monotonic second)`` as the kernels report them; the
    watchers start (and subscribe) before ``__enter__`` returns and are killed by PID after.
    """

    def __init__(self, netns: dict[str, str], ip: str) -> None:
        self.netns, self.ip = netns, ip
        self.events: list[tuple[str, bool, float]] = []
        self._procs: list[subprocess.Popen[str]] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> AddressEvents:
        try:
            for name, netns in self.netns.items():
                self._watch(name, netns)
        except BaseException:
            self.close()
            raise
        return self

    def _watch(self, name: str, netns: str) -> None:
        argv = ["ip", "netns", "exec", netns, sys.executable, "-c", EVENTS_WATCHER, self.ip]
        env = clean_env({"PYTHONPATH": str(REPO)})
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env, cwd="/")
        self._procs.append(proc)
        assert proc.stdout is not None
        if read_line_until(proc.stdout, time.monotonic() + 10) != "ready\n":
            raise LabError(f"address watcher in {netns} did not start")
        thread = threading.Thread(target=self._read, args=(name, proc), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _read(self, name: str, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            sign, _, at = line.partition(" ")
            with contextlib.suppress(ValueError):
                self.events.append((name, sign == "+", float(at)))

    def close(self) -> None:
        for proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        for proc in self._procs:
            if proc.stdout:
                proc.stdout.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


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
