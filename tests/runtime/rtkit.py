"""Runtime test kit: the HOWTO cluster with fast timers, runtimes joined by a fake LAN.

Each runtime gets the adapters' fakes (VIP driver, ARP announcer, script runner) and a
`LanTransport` that hands every datagram to the other runtimes on the next loop turn.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hbtui.adapters.fakes import FakeArpAnnouncer, FakeScriptRunner, FakeVipDriver
from hbtui.adapters.runtime import NodeRuntime
from hbtui.adapters.udp import DatagramCallback, TransportStats, UcastMedium
from hbtui.config.model import ClusterConfig
from hbtui.control.server import ControlServer
from tests.engine.enginesim import IPS, KEY, VIP  # the runtime tests import them from here
from tests.engine.enginesim import make_config as howto_config

FAST = {"keepalive": 50, "warntime": 150, "deadtime": 250, "initdead": 600}


def make_config(
    node: str, etc: Path, logdir: Path, key: bytes = KEY, **timers: int
) -> ClusterConfig:
    """The HOWTO cluster seen from ``node``, fast timers, ha-log in ``logdir``."""
    return howto_config(node, key=key, etc=etc, logdir=logdir, **{**FAST, **timers})


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
        self.stats.sent_bytes += len(datagram)
        self.lan.carry(self, datagram)

    def receive(self, datagram: bytes, source_ip: str) -> None:
        """One datagram from ``source_ip``, counted as the real transport counts it."""
        self.stats.received += 1
        self.stats.received_bytes += len(datagram)
        self.on_datagram(datagram, (source_ip, 694), 0)

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
                loop.call_soon(other.receive, datagram, source.ip)


@dataclass
class Member:
    """One runtime with its fakes."""

    runtime: NodeRuntime
    vips: FakeVipDriver
    arp: FakeArpAnnouncer
    scripts: FakeScriptRunner
    logdir: Path


def make_member(
    name: str,
    lan: Lan,
    tmp: Path,
    key: bytes = KEY,
    runtime_options: dict[str, Any] | None = None,
    ha_cf: dict[str, Any] | None = None,
    edit: Callable[[ClusterConfig], ClusterConfig] | None = None,
    **timers: int,
) -> Member:
    """A runtime for ``name`` on ``lan`` with state and logs under ``tmp/name``
    (``runtime_options``: extra ``NodeRuntime`` arguments; no start probe by default;
    ``ha_cf``: ``HaCf`` fields to change; ``edit``: any other change to the configuration)."""
    base = tmp / name
    (base / "log").mkdir(parents=True, exist_ok=True)
    config = make_config(name, base / "etc", base / "log", key, **timers)
    if ha_cf:
        config = dataclasses.replace(config, ha_cf=dataclasses.replace(config.ha_cf, **ha_cf))
    if edit is not None:
        config = edit(config)
    vips, arp, scripts = FakeVipDriver(), FakeArpAnnouncer(), FakeScriptRunner()
    scripts.outputs[("failback.sh", "start")] = (0, ["starting the service"])
    runtime = NodeRuntime(
        config,
        base / "state",
        open_transport=lan.opener(IPS[name]),
        vip_driver=vips,
        arp=arp,
        scripts=scripts,
        **{"probe_at_start": False, **(runtime_options or {})},
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


@asynccontextmanager
async def served(tmp_path: Path, *, peer: bool = True) -> AsyncIterator[tuple[Member, Member]]:
    """server1 answering on ``tmp_path/c.sock``, and server2 (started when ``peer``), server1
    holding the group, settled (the drill tests: CLI and console)."""
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    server = ControlServer(one.runtime, tmp_path / "c.sock")
    await server.start()
    await one.runtime.start()
    if peer:
        await two.runtime.start()
    try:
        await wait_for(lambda: VIP in one.vips.addresses, 10)
        await wait_for(lambda: one.runtime.snapshot().get("status") == "active", 10)
        await wait_for(lambda: not one.runtime.snapshot()["runtime"]["scripts_running"], 10)
        yield one, two
    finally:
        one.runtime.kill()
        two.runtime.kill()
        await server.close()
