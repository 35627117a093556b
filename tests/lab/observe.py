"""Watch and disturb a lab: wait for a VIP (netlink events), capture on the bridge, drop packets.

`wait_for_vip` follows `ip monitor address` in the node's network namespace and re-reads the
addresses on every event (and at least every 20 ms), so the time it returns is when the kernel
reported the change, not the end of a sleep; `AddressEvents` records every add and removal of a
VIP in several nodes at once. `capture` runs tcpdump on the bridge in the bridge's
own namespace. `drop_traffic` installs an nftables table inside a node (`numgen random mod 100 < P
drop`; the kernel here has no netem).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hbtui.lab.commands import LabError, clean_env, read_line_until, reap, run
from hbtui.lab.netns import BRIDGE, Lab
from hbtui.lab.node import Node
from hbtui.lab.nodeproc import NODE_ENV

if TYPE_CHECKING:
    from .cluster import Cluster

POLL_S = 0.02
SAMPLE_S = 0.05  # VipSampler's period
NFT_TABLE = "hbtui_lab"


def wait_for_vip(node: Node, ip: str, present: bool = True, timeout: float = 30.0) -> float:
    """Wait until `ip` is (or is no longer) on `node`; see :meth:`Node.wait_for_address`."""
    return node.wait_for_address(ip, present, timeout)


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = POLL_S
) -> float:
    """Poll `predicate()` (bounded) for state without an event source; return when it held."""
    deadline = time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if predicate():
            return now
        if now >= deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(min(interval, deadline - now))


@contextmanager
def capture(
    lab: Lab, pcap: Path, bpf: str = "udp port 694", timeout: float = 5.0
) -> Iterator[Path]:
    """tcpdump on the bridge (in the bridge namespace) into `pcap` while the block runs."""
    argv = ["nsenter", f"--net=/run/netns/{lab.bridge_netns}", "tcpdump", "-i", BRIDGE]
    argv += ["-n", "-U", "--immediate-mode", "-w", str(pcap), *bpf.split()]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert proc.stderr is not None
    try:
        line = read_line_until(proc.stderr, time.monotonic() + timeout)
        if not line or "listening on" not in line:
            raise LabError(f"tcpdump did not start: {line!r}")
        yield pcap
    finally:
        proc.send_signal(signal.SIGINT)
        reap(proc, timeout)
        proc.stderr.close()


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
        env = clean_env(NODE_ENV)
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


def drop_rules(percent: int, udp_port: int | None = None) -> str:
    """nft script: drop `percent` % of the node's packets (in and out), optionally one UDP port."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0..100")
    match = f"udp dport {int(udp_port)} " if udp_port is not None else ""
    verdict = "drop" if percent == 100 else f"numgen random mod 100 < {percent} drop"
    chains = ""
    for hook in ("input", "output"):
        chains += f"  chain {hook} {{ type filter hook {hook} priority 0; policy accept;"
        chains += f" {match}{verdict}; }}\n"
    return f"table inet {NFT_TABLE} {{\n{chains}}}\n"


def drop_traffic(node: Node, percent: int = 100, udp_port: int | None = None) -> None:
    """Make `node` lose `percent` % of its traffic (both directions) until `restore_traffic`."""
    restore_traffic(node)
    argv = ["nsenter", f"--net=/run/netns/{node.netns}", "nft", "-f", "-"]
    run(argv, input_text=drop_rules(percent, udp_port))


def drop_from(node: Node, source_ip: str, udp_port: int) -> None:
    """One-way cut: `node` stops receiving udp/`udp_port` from `source_ip` (it still sends),
    until `restore_traffic`."""
    restore_traffic(node)
    rules = (
        f"table inet {NFT_TABLE} {{\n  chain input {{ type filter hook input priority 0;"
        f" policy accept; ip saddr {source_ip} udp dport {int(udp_port)} drop; }}\n}}\n"
    )
    run(["nsenter", f"--net=/run/netns/{node.netns}", "nft", "-f", "-"], input_text=rules)


def restore_traffic(node: Node) -> None:
    """Remove the lab's nftables table from `node` (no error when there is none)."""
    argv = ["nsenter", f"--net=/run/netns/{node.netns}", "nft", "delete", "table", "inet"]
    run([*argv, NFT_TABLE], check=False)


class VipSampler:
    """Samples who has the cluster's VIP every 50 ms in a thread; measures the longest double
    hold of live nodes (a crashed node's address is not a claim: its next start removes it)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.vip = cluster.setup.vip_ip
        self.samples: list[tuple[float, list[str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _holders(self) -> list[str]:
        found = []
        for node in self.cluster.lab:
            done = run(["ip", "-n", node.netns, "-j", "addr", "show", "dev", "eth0"], check=False)
            links = json.loads(done.stdout or "[]")
            if any(a.get("local") == self.vip for link in links for a in link.get("addr_info", [])):
                found.append(node.name)
        return found

    def _loop(self) -> None:
        while not self._stop.is_set():
            holders = self._holders()
            if len(holders) > 1:  # only live nodes count
                holders = [name for name in holders if self.cluster[name].running()]
            self.samples.append((time.monotonic(), holders))
            self._stop.wait(SAMPLE_S)

    def longest_double(self) -> float:
        """Longest stretch (s) during which two live nodes held the VIP."""
        longest, began = 0.0, None
        for at, holders in self.samples:
            if len(holders) > 1:
                began = at if began is None else began
                longest = max(longest, at - began)
            else:
                began = None
        return longest

    def __enter__(self) -> VipSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
