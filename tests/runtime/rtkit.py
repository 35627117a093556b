"""Runtime test kit: the HOWTO cluster with fast timers, runtimes joined by a fake LAN.

Each runtime gets the adapters' fakes (VIP driver, ARP announcer, script runner) and a
`LanTransport` that hands every datagram to the other runtimes on the next loop turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hbtui.adapters.fakes import FakeArpAnnouncer, FakeScriptRunner, FakeVipDriver
from hbtui.adapters.runtime import NodeRuntime
from hbtui.adapters.udp import DatagramCallback, TransportStats, UcastMedium
from hbtui.config.model import (
    AuthKey,
    AuthKeys,
    AuthMethod,
    AutoFailback,
    ClusterConfig,
    HaCf,
    Haresources,
    Medium,
    Resource,
    ResourceGroup,
)

IPS = {"server1": "192.168.10.1", "server2": "192.168.10.2"}
VIP = "192.168.10.10"
KEY = b"PutYourSuperSecretKeyHere"
FAST = {"keepalive": 50, "warntime": 150, "deadtime": 250, "initdead": 600}


def make_config(
    node: str, etc: Path, logdir: Path, key: bytes = KEY, **timers: int
) -> ClusterConfig:
    """The HOWTO cluster seen from ``node``, fast timers, ha-log in ``logdir``."""
    t = {**FAST, **timers}
    media = tuple(Medium("ucast", "eth0", ip) for ip in IPS.values())
    ha_cf = HaCf(
        etc / "ha.cf",
        ("server1", "server2"),
        media,
        694,
        t["keepalive"],
        t["deadtime"],
        t["warntime"],
        t["initdead"],
        AutoFailback.ON,
        logfile=logdir / "ha-log",
        debugfile=logdir / "ha-debug",
    )
    script = etc / "resource.d" / "failback.sh"
    group = ResourceGroup(
        "server1",
        (
            Resource(f"IPaddr::{VIP}/24", "IPaddr", (f"{VIP}/24",)),
            Resource("failback.sh", "failback.sh", (), script),
        ),
    )
    keys = AuthKeys(etc / "authkeys", 1, {1: AuthKey(1, AuthMethod.SHA1, key)})
    return ClusterConfig(etc, node, ha_cf, Haresources(etc / "haresources", (group,)), keys)


@dataclass
class LanTransport:
    """A Transport on the fake LAN; ``up=False`` makes it silent (a cut cable)."""

    lan: Lan
    ip: str
    on_datagram: DatagramCallback
    stats: TransportStats = field(default_factory=TransportStats)
    closed: bool = False
    sent: list[bytes] = field(default_factory=list)

    def send(self, datagram: bytes, dest: tuple[str, int] | None = None) -> None:
        if self.closed:
            return
        self.sent.append(datagram)
        self.stats.sent += 1
        self.lan.carry(self, datagram)

    def close(self) -> None:
        self.closed = True


class Lan:
    """Every transport hears every other one, one loop turn later."""

    def __init__(self) -> None:
        self.transports: list[LanTransport] = []

    def opener(self, ip: str) -> Callable[..., Any]:
        async def open_transport(
            media: Sequence[UcastMedium], port: int, on_datagram: DatagramCallback
        ) -> LanTransport:
            transport = LanTransport(self, ip, on_datagram)
            self.transports.append(transport)
            return transport

        return open_transport

    def carry(self, source: LanTransport, datagram: bytes) -> None:
        loop = asyncio.get_running_loop()
        for other in self.transports:
            if other is not source and not other.closed:
                loop.call_soon(other.on_datagram, datagram, (source.ip, 694), 0)


@dataclass
class Member:
    """One runtime with its fakes."""

    runtime: NodeRuntime
    vips: FakeVipDriver
    arp: FakeArpAnnouncer
    scripts: FakeScriptRunner
    logdir: Path


def make_member(name: str, lan: Lan, tmp: Path, key: bytes = KEY, **timers: int) -> Member:
    """A runtime for ``name`` on ``lan`` with state and logs under ``tmp/name``."""
    base = tmp / name
    (base / "log").mkdir(parents=True, exist_ok=True)
    config = make_config(name, base / "etc", base / "log", key, **timers)
    vips, arp, scripts = FakeVipDriver(), FakeArpAnnouncer(), FakeScriptRunner()
    scripts.outputs[("failback.sh", "start")] = (0, ["starting the service"])
    runtime = NodeRuntime(
        config,
        base / "state",
        open_transport=lan.opener(IPS[name]),
        vip_driver=vips,
        arp=arp,
        scripts=scripts,
    )
    return Member(runtime, vips, arp, scripts, base / "log")


async def wait_for(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``predicate`` on the loop (bounded); fail with the timeout."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


async def wait_event(sub: Any, predicate: Callable[[Any], bool], timeout: float = 3.0) -> Any:
    """Consume ``sub`` until an item matches (bounded); return it."""
    async with asyncio.timeout(timeout):
        while True:
            item = await sub.get()
            if predicate(item):
                return item
