"""In-memory stand-ins for the adapter Protocols, for runtime and console tests.

They record what was asked of them and answer instantly; no sockets, no processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from hbtui.adapters.netlink import VipError, VipPlacement, first_free_label, network_broadcast
from hbtui.adapters.scripts import LineCallback, ScriptResult
from hbtui.adapters.udp import TransportStats


@dataclass
class FakeVipDriver:
    """A VipDriver over a dict; ``devices`` maps device -> (ifindex, connected prefix)."""

    devices: dict[str, tuple[int, int]] = field(default_factory=lambda: {"eth0": (2, 24)})
    addresses: dict[str, VipPlacement] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def add(
        self,
        ip: str,
        prefix: int | None = None,
        device: str | None = None,
        broadcast: str | None = None,
        label: str | None = None,
    ) -> VipPlacement:
        self.calls.append(("add", ip))
        if ip in self.addresses:
            return replace(self.addresses[ip], already_present=True)
        device = device or next(iter(self.devices), None)
        if device is None or device not in self.devices:
            raise VipError(f"no such network device: {device}")
        index, connected = self.devices[device]
        prefix = connected if prefix is None else prefix
        used = {p.label for p in self.addresses.values()}
        placement = VipPlacement(
            ip,
            prefix,
            device,
            index,
            label or first_free_label(device, used),
            broadcast or network_broadcast(ip, prefix),
        )
        self.addresses[ip] = placement
        return placement

    async def remove(self, ip: str) -> VipPlacement | None:
        self.calls.append(("remove", ip))
        return self.addresses.pop(ip, None)

    async def present(self, ip: str) -> VipPlacement | None:
        return self.addresses.get(ip)

    async def list_vips(self) -> list[VipPlacement]:
        return list(self.addresses.values())


@dataclass
class FakeScriptRunner:
    """A ScriptRunner answering from ``outputs[(script name, op)] = (rc, stdout lines)``."""

    outputs: dict[tuple[str, str], tuple[int, Sequence[str]]] = field(default_factory=dict)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    timeouts_s: list[float | None] = field(default_factory=list)  # asked of each call

    async def run(
        self,
        argv: Sequence[str],
        op: str,
        on_line: LineCallback | None = None,
        timeout_s: float | None = None,
    ) -> ScriptResult:
        full = tuple(argv)
        self.calls.append(full)
        self.timeouts_s.append(timeout_s)
        name = argv[0].rsplit("/", 1)[-1]
        rc, lines = self.outputs.get((name, op), (0, ()))
        for line in lines:
            if on_line is not None:
                on_line("stdout", line)
        return ScriptResult(full, rc, 0, stdout=tuple(lines))


@dataclass
class FakeTransport:
    """A Transport that keeps what was sent; ``deliver`` feeds the receive callback."""

    on_datagram: Callable[[bytes, tuple[str, int], int], None] | None = None
    sent: list[tuple[bytes, tuple[str, int] | None]] = field(default_factory=list)
    stats: TransportStats = field(default_factory=TransportStats)
    closed: bool = False

    def send(self, datagram: bytes, dest: tuple[str, int] | None = None) -> None:
        self.sent.append((datagram, dest))
        self.stats.sent += 1
        self.stats.sent_bytes += len(datagram)

    def deliver(self, datagram: bytes, source: tuple[str, int], now_ms: int) -> None:
        self.stats.received += 1
        self.stats.received_bytes += len(datagram)
        if self.on_datagram is not None:
            self.on_datagram(datagram, source, now_ms)

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeArpAnnouncer:
    """An ArpAnnouncer that records announcements and cancellations."""

    announced: list[tuple[str, str]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def announce(self, device: str, ip: str) -> None:
        self.announced.append((device, ip))

    def cancel(self, ip: str) -> None:
        self.cancelled.append(ip)
