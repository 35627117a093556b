"""The virtual IP through rtnetlink (pyroute2 ``AsyncIPRoute``), as Heartbeat's IPaddr does it.

``add`` picks the device with a connected route to the IP (unless one is given), the
prefix of that route (unless given), the network's broadcast address and the first free
alias label ``<dev>:<n>``, adds the address, then waits until the kernel lists it (RTNL
changes show up asynchronously, as pyroute2's ``ensure()`` warns) before returning.
``remove`` deletes it and waits until it is gone. ``watch_addresses`` streams address
events with monotonic timestamps (benchmarks measure VIP up time with it).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from pyroute2 import AsyncIPRoute  # type: ignore[import-untyped]
from pyroute2.netlink.exceptions import NetlinkError  # type: ignore[import-untyped]
from pyroute2.netlink.rtnl import RTMGRP_IPV4_IFADDR  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

SETTLE_TIMEOUT_S = 2.0
SETTLE_INTERVAL_S = 0.005
MAX_LABEL_LEN = 15  # IFNAMSIZ - 1


class VipError(Exception):
    """The address cannot be added or removed."""


@dataclass(frozen=True, slots=True)
class VipPlacement:
    """Where an IPv4 address sits: device, alias label, prefix and broadcast."""

    ip: str
    prefix: int
    device: str
    ifindex: int
    label: str
    broadcast: str | None
    already_present: bool = False


@dataclass(frozen=True, slots=True)
class AddressEvent:
    """One kernel address change: added (True) or removed (False), when we read it."""

    ip: str
    added: bool
    monotonic_s: float
    device_index: int
    label: str | None
    prefix: int


class VipDriver(Protocol):
    """Adds, removes and finds virtual IPv4 addresses."""

    async def add(
        self,
        ip: str,
        prefix: int | None = None,
        device: str | None = None,
        broadcast: str | None = None,
        label: str | None = None,
    ) -> VipPlacement: ...

    async def remove(self, ip: str) -> VipPlacement | None: ...

    async def present(self, ip: str) -> VipPlacement | None: ...

    async def list_vips(self) -> list[VipPlacement]: ...


def network_broadcast(ip: str, prefix: int) -> str | None:
    """The directed broadcast of ``ip/prefix`` (none for /31 and /32)."""
    if prefix >= 31:
        return None
    return str(ipaddress.IPv4Network(f"{ip}/{prefix}", strict=False).broadcast_address)


def first_free_label(device: str, used: set[str]) -> str:
    """``<device>:<n>`` with the smallest n not in ``used``."""
    n = 0
    while f"{device}:{n}" in used:
        n += 1
    return f"{device}:{n}"


class NetlinkVipDriver:
    """The real VipDriver over one ``AsyncIPRoute`` socket (use in one event loop)."""

    def __init__(self, settle_timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        self.settle_timeout_s = settle_timeout_s
        self._ipr: Any = None
        self._lock = asyncio.Lock()

    def _socket(self) -> Any:
        if self._ipr is None:
            self._ipr = AsyncIPRoute()
        return self._ipr

    def close(self) -> None:
        """Close the netlink socket (idempotent)."""
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None

    async def _addresses(self) -> list[Any]:
        ipr = self._socket()
        return [msg async for msg in await ipr.addr("dump", family=2)]

    async def _ifname(self, index: int) -> str:
        links = await self._socket().link("get", index=index)
        return str(links[0].get("ifname"))

    async def _ifindex(self, device: str) -> int:
        found = await self._socket().link_lookup(ifname=device)
        if not found:
            raise VipError(f"no such network device: {device}")
        return int(found[0])

    async def _placement(self, msg: Any, already: bool = False) -> VipPlacement:
        index = int(msg.get("index"))
        device = await self._ifname(index)
        return VipPlacement(
            ip=str(msg.get("address")),
            prefix=int(msg.get("prefixlen")),
            device=device,
            ifindex=index,
            label=str(msg.get("label") or device),
            broadcast=msg.get("broadcast"),
            already_present=already,
        )

    async def _find(self, ip: str) -> Any | None:
        for msg in await self._addresses():
            if msg.get("address") == ip or msg.get("local") == ip:
                return msg
        return None

    async def present(self, ip: str) -> VipPlacement | None:
        """Where ``ip`` is configured, or None."""
        msg = await self._find(ip)
        return None if msg is None else await self._placement(msg)

    async def list_vips(self) -> list[VipPlacement]:
        """Every IPv4 address on an alias label (``dev:n``): what IPaddr and we add."""
        found = []
        for msg in await self._addresses():
            label = msg.get("label")
            if label and ":" in str(label):
                found.append(await self._placement(msg))
        return found

    async def _route_to(self, ip: str) -> tuple[int, int | None]:
        """(ifindex, connected prefix) of the route to ``ip``; refuses gateway routes."""
        try:
            routes = await self._socket().route("get", dst=ip)
        except NetlinkError as exc:
            raise VipError(f"no route to {ip}: {exc}") from exc
        if not routes or routes[0].get("oif") is None:
            raise VipError(f"no interface has a route to {ip}")
        route = routes[0]
        if route.get("gateway"):
            raise VipError(
                f"{ip} is reachable only via gateway {route.get('gateway')}: no interface "
                "is on its network; give the device and prefix (IPaddr::ip/prefix/dev)"
            )
        index = int(route.get("oif"))
        prefix = await self._connected_prefix(ip, index)
        return index, prefix

    async def _connected_prefix(self, ip: str, index: int) -> int | None:
        target = ipaddress.IPv4Address(ip)
        best: int | None = None
        for msg in await self._addresses():
            if int(msg.get("index")) != index:
                continue
            net = ipaddress.IPv4Network(f"{msg.get('address')}/{msg['prefixlen']}", strict=False)
            if target in net and (best is None or net.prefixlen > best):
                best = net.prefixlen
        return best

    async def add(
        self,
        ip: str,
        prefix: int | None = None,
        device: str | None = None,
        broadcast: str | None = None,
        label: str | None = None,
    ) -> VipPlacement:
        """Add ``ip`` (no-op when already there) and return once the kernel lists it."""
        async with self._lock:
            existing = await self._find(ip)
            if existing is not None:
                return await self._placement(existing, already=True)
            if device is None:
                index, route_prefix = await self._route_to(ip)
                device = await self._ifname(index)
            else:
                index = await self._ifindex(device)
                route_prefix = await self._connected_prefix(ip, index)
            if prefix is None:
                if route_prefix is None:
                    raise VipError(f"no prefix given for {ip} and {device} is not on its network")
                prefix = route_prefix
            if broadcast is None:
                broadcast = network_broadcast(ip, prefix)
            if label is None:
                used = {str(m.get("label")) for m in await self._addresses() if m.get("label")}
                label = first_free_label(device, used)
            if len(label) > MAX_LABEL_LEN:
                raise VipError(f"label {label!r} is longer than {MAX_LABEL_LEN} characters")
            spec: dict[str, Any] = {
                "index": index,
                "address": ip,
                "prefixlen": prefix,
                "label": label,
            }
            if broadcast is not None:
                spec["broadcast"] = broadcast
            try:
                await self._socket().addr("add", **spec)
            except NetlinkError as exc:
                if exc.code != errno.EEXIST:
                    raise VipError(f"adding {ip}/{prefix} on {label} failed: {exc}") from exc
            msg = await self._settle(ip, present=True)
            log.info("added %s/%d on %s broadcast %s", ip, prefix, label, broadcast)
            return await self._placement(msg)

    async def remove(self, ip: str) -> VipPlacement | None:
        """Delete ``ip`` wherever it is; returns where it was (None if absent)."""
        async with self._lock:
            msg = await self._find(ip)
            if msg is None:
                return None
            placement = await self._placement(msg)
            try:
                await self._socket().addr(
                    "del", index=placement.ifindex, address=ip, prefixlen=placement.prefix
                )
            except NetlinkError as exc:
                if exc.code not in (errno.EADDRNOTAVAIL, errno.ENODEV, errno.ENOENT):
                    raise VipError(f"removing {ip} from {placement.label} failed: {exc}") from exc
            await self._settle(ip, present=False)
            log.info("removed %s/%d from %s", ip, placement.prefix, placement.label)
            return placement

    async def _settle(self, ip: str, present: bool) -> Any:
        """Poll until the kernel's address list agrees (bounded by settle_timeout_s)."""
        deadline = time.monotonic() + self.settle_timeout_s
        while True:
            msg = await self._find(ip)
            if (msg is not None) == present:
                return msg
            if time.monotonic() >= deadline:
                state = "appear" if present else "disappear"
                raise VipError(f"{ip} did not {state} within {self.settle_timeout_s} s")
            await asyncio.sleep(SETTLE_INTERVAL_S)


class AddressWatch:
    """IPv4 address additions and removals as they happen.

    ``async with AddressWatch() as watch:`` returns once the kernel subscription is in
    place (so no later change is missed); then ``async for event in watch``.
    """

    def __init__(self) -> None:
        self._ipr: Any = None

    async def __aenter__(self) -> AddressWatch:
        self._ipr = AsyncIPRoute()
        try:
            await self._ipr.bind(groups=RTMGRP_IPV4_IFADDR)
        except BaseException:
            self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the subscription (idempotent)."""
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None

    async def __aiter__(self) -> AsyncIterator[AddressEvent]:
        if self._ipr is None:
            raise RuntimeError("use AddressWatch in 'async with' before iterating")
        while self._ipr is not None:
            async for msg in self._ipr.get():
                event = msg.get("event")
                if event not in ("RTM_NEWADDR", "RTM_DELADDR"):
                    continue
                yield AddressEvent(
                    ip=str(msg.get("address")),
                    added=event == "RTM_NEWADDR",
                    monotonic_s=time.monotonic(),
                    device_index=int(msg.get("index")),
                    label=msg.get("label"),
                    prefix=int(msg.get("prefixlen")),
                )


async def watch_addresses() -> AsyncIterator[AddressEvent]:
    """Address events until the consumer stops (subscribes on the first ``__anext__``)."""
    async with AddressWatch() as watch:
        async for event in watch:
            yield event
