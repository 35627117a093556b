"""Heartbeat's media over asyncio UDP sockets: ucast (docs/protocol.md §1) here, bcast and
mcast sockets from ``mediasock`` (§1.1), all in one transport.

For every ``ucast <dev> <host>`` line a send socket: unbound source port,
SO_BINDTODEVICE dev, IP_TOS = IPTOS_LOWDELAY, SO_REUSEPORT. For every device one
receive socket bound to 0.0.0.0:udpport with SO_REUSEADDR, SO_REUSEPORT and
SO_BINDTODEVICE dev. Every datagram goes to every host (the node's own address
included, as the real daemon does). Send errors (ENETUNREACH, ECONNREFUSED from ICMP,
...) are counted and logged once per kind, never raised into the loop.

Because the real daemon also sets SO_REUSEPORT, a second daemon could bind the same port
silently and steal half the packets: we look for another owner of the port first and
refuse with its PID.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from hbtui.adapters.mediasock import (
    BcastMedium,
    InterfaceAddress,
    McastMedium,
    MediumError,
    bcast_send_socket,
    interface_address,
    join_group,
    mcast_send_socket,
)
from hbtui.adapters.udpport import local_addresses, port_holders

log = logging.getLogger(__name__)

IPTOS_LOWDELAY = 0x10
RECV_BUFFER = 262143  # MAXMSG - 1
DEFAULT_PORT = 694


class DatagramCallback(Protocol):
    """Called for each datagram with its payload, (source ip, source port), the monotonic
    ms and the link (the device it arrived on; fakes may leave it out)."""

    def __call__(
        self, data: bytes, addr: tuple[str, int], now_ms: int, link: str | None = None, /
    ) -> None: ...


def _wrap(make: Callable[..., socket.socket], *args: Any) -> socket.socket:
    """A bcast/mcast socket, its ``MediumError`` told as ``UdpError``."""
    try:
        return make(*args)
    except MediumError as exc:
        raise UdpError(str(exc)) from exc


class UdpError(Exception):
    """The ucast media cannot be opened."""


class PortInUse(UdpError):
    """Another process already has a UDP socket on our port."""

    def __init__(self, port: int, holders: Sequence[tuple[int | None, str]]) -> None:
        if holders:
            who = ", ".join(
                f"PID {pid} ({name})" if pid is not None else f"a process ({name})"
                for pid, name in holders
            )
        else:
            who = "another process"
        super().__init__(
            f"UDP port {port} is already in use by {who}; is heartbeat or another "
            "hbtui node running on this machine?"
        )
        self.port = port
        self.holders = tuple(holders)


@dataclass(frozen=True, slots=True)
class UcastMedium:
    """One ``ucast <device> <host>`` line."""

    device: str
    host: str


AnyMedium = UcastMedium | BcastMedium | McastMedium


@dataclass(frozen=True, slots=True)
class WireCounters:
    """(runtime event) The transport's counters at ``at_ms``: datagrams and bytes so far.

    The runtime publishes one after a send at most every few seconds, so a reader gets
    the real packet rates from the differences without polling.
    """

    at_ms: int
    sent: int
    sent_bytes: int
    received: int
    received_bytes: int


@dataclass
class TransportStats:
    """Counters for the console and the logs: datagrams and their bytes, each way."""

    sent: int = 0
    received: int = 0
    sent_bytes: int = 0
    received_bytes: int = 0
    send_errors: Counter[str] = field(default_factory=Counter)
    receive_errors: Counter[str] = field(default_factory=Counter)

    def counters(self, at_ms: int) -> WireCounters:
        """The counters as an event stamped ``at_ms``."""
        return WireCounters(at_ms, self.sent, self.sent_bytes, self.received, self.received_bytes)


class Transport(Protocol):
    """Sends one datagram over every medium; received datagrams go to a callback."""

    stats: TransportStats

    def send(self, datagram: bytes, dest: tuple[str, int] | None = None) -> None: ...

    def close(self) -> None: ...


def _error_name(exc: BaseException) -> str:
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code in errno.errorcode:
        return errno.errorcode[code]
    return type(exc).__name__


class _Endpoint(asyncio.DatagramProtocol):
    """One socket's protocol: delivers datagrams (with the link they came on), counts errors."""

    def __init__(
        self,
        label: str,
        stats: TransportStats,
        errors: Counter[str],
        on_datagram: DatagramCallback | None,
        link: str | None = None,
    ) -> None:
        self.label = label
        self.link = link
        self.stats = stats
        self.errors = errors
        self.on_datagram = on_datagram
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        if self.on_datagram is None:
            return
        self.stats.received += 1
        self.stats.received_bytes += len(data)
        now_ms = int(self.loop.time() * 1000)
        source = (str(addr[0]), int(addr[1]))
        try:
            self.on_datagram(data, source, now_ms, self.link)
        except Exception:
            log.exception("datagram handler failed for a packet from %s", source[0])

    def error_received(self, exc: Exception) -> None:
        name = _error_name(exc)
        self.errors[name] += 1
        if self.errors[name] == 1:
            log.warning("%s: %s (counted from now on, logged once)", self.label, exc)


def _send_socket(device: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, IPTOS_LOWDELAY)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise UdpError(f"cannot set up a send socket on {device}: {exc.strerror}") from exc
    return sock


def _receive_socket(device: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUFFER)
        sock.bind(("0.0.0.0", port))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port, port_holders(port)) from exc
        raise UdpError(f"cannot listen on {device} UDP port {port}: {exc.strerror}") from exc
    return sock


class UcastTransport:
    """The real Transport: open with :meth:`open`, then ``send`` and ``close``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stats = TransportStats()
        self._senders: list[tuple[asyncio.DatagramTransport, tuple[str, int], str]] = []
        self._receivers: list[asyncio.DatagramTransport] = []

    @classmethod
    async def open(
        cls,
        media: Sequence[AnyMedium],
        port: int,
        on_datagram: DatagramCallback,
        check_port: bool = True,
        skip_local: bool = False,
    ) -> UcastTransport:
        """Resolve every host once, refuse a taken port, then open all sockets.

        ``media`` mixes ucast, bcast and mcast media (docs/protocol.md §1.1); a datagram is
        handed over with the device it arrived on, its link. ``skip_local`` leaves out the
        ucast media whose host is an address of this machine: the HOWTO lists both nodes on
        both machines, and the real daemon sends every message to itself too, then decodes
        and drops the copy. Skipping it halves a node's packet work; the protocol allows it
        (peers never see the self-copy).
        """
        loop = asyncio.get_running_loop()
        self = cls(port)
        ucast = [m for m in media if isinstance(m, UcastMedium)]
        addresses = [(await resolve_host(medium.host, port), port) for medium in ucast]
        if skip_local:
            local = await loop.run_in_executor(None, local_addresses)
            kept = [(m, a) for m, a in zip(ucast, addresses, strict=True) if a[0] not in local]
            for medium, address in zip(ucast, addresses, strict=True):
                if address[0] in local:
                    log.info("ucast: %s is this machine: not sending to ourselves", medium.host)
            if kept:
                ucast = [m for m, _ in kept]
                addresses = [a for _, a in kept]
        listen = _listeners(media, port)
        ifaddrs = await _interface_addresses(media)
        if check_port:
            for used in sorted({p for _, p in listen}):
                holders = await loop.run_in_executor(None, port_holders, used)
                if holders:
                    raise PortInUse(used, holders)
        try:
            for (device, at_port), groups in listen.items():
                await self._add_receiver(device, at_port, groups, ifaddrs, on_datagram)
            for medium, address in zip(ucast, addresses, strict=True):
                await self._add_sender(_send_socket(medium.device), address, medium.device)
                log.info(
                    "ucast: started on port %d interface %s to %s", port, medium.device, address[0]
                )
            for other in media:
                if isinstance(other, BcastMedium):
                    broadcast = ifaddrs[other.device].broadcast
                    if broadcast is None:
                        raise UdpError(f"bcast: interface {other.device} has no broadcast address")
                    sock = _wrap(bcast_send_socket, other.device)
                    await self._add_sender(sock, (broadcast, port), other.device)
                    log.info("bcast: started on port %d interface %s", port, other.device)
                elif isinstance(other, McastMedium):
                    sock = _wrap(mcast_send_socket, other, ifaddrs[other.device].address)
                    await self._add_sender(sock, (other.group, other.port), other.device)
                    log.info(
                        "mcast: started on %s port %d interface %s (ttl=%d loop=%d)",
                        other.group, other.port, other.device, other.ttl, int(other.loop),
                    )  # fmt: skip
        except BaseException:
            self.close()
            raise
        return self

    async def _add_receiver(
        self,
        device: str,
        port: int,
        groups: Sequence[str],
        ifaddrs: dict[str, InterfaceAddress],
        on_datagram: DatagramCallback,
    ) -> None:
        """The receive socket of ``device``:``port``, member of every mcast ``group``."""
        sock = _receive_socket(device, port)
        try:
            for group in groups:
                join_group(sock, group, ifaddrs[device].address, device)
        except MediumError as exc:
            sock.close()
            raise UdpError(str(exc)) from exc
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Endpoint(
                f"receive on {device}:{port}",
                self.stats,
                self.stats.receive_errors,
                on_datagram,
                link=device,
            ),
            sock=sock,
        )
        self._receivers.append(transport)
        joined = f" (member of {', '.join(groups)})" if groups else ""
        log.info("listening on port %d interface %s%s", port, device, joined)

    async def _add_sender(self, sock: socket.socket, address: tuple[str, int], device: str) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Endpoint(
                f"send to {address[0]} via {device}", self.stats, self.stats.send_errors, None
            ),
            sock=sock,
        )
        self._senders.append((transport, address, device))

    def send(self, datagram: bytes, dest: tuple[str, int] | None = None) -> None:
        """Queue ``datagram`` to every host (or only to ``dest``); errors are counted.

        A ``dest`` that is no ucast host goes out through the first medium's socket.
        """
        senders = self._senders
        if dest is not None:
            matching = [s for s in senders if s[1][0] == dest[0]]
            senders = matching or [(t, dest, d) for t, _, d in senders[:1]]
        for transport, address, device in senders:
            if transport.is_closing():
                continue
            try:
                transport.sendto(datagram, address)
                self.stats.sent += 1
                self.stats.sent_bytes += len(datagram)
            except OSError as exc:  # asyncio normally routes these to error_received
                name = _error_name(exc)
                self.stats.send_errors[name] += 1
                if self.stats.send_errors[name] == 1:
                    log.warning("send to %s via %s: %s", address[0], device, exc)

    def close(self) -> None:
        """Close every socket (idempotent)."""
        for transport, _, _ in self._senders:
            transport.close()
        for receiver in self._receivers:
            receiver.close()
        self._senders.clear()
        self._receivers.clear()


async def resolve_host(host: str, port: int) -> str:
    """The IPv4 address of a ucast host; ``UdpError`` naming the host when there is none
    (an unknown name, or bytes that no resolver accepts such as a non-UTF-8 name)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise UdpError(f"cannot resolve ucast host {host!r}: {exc.strerror}") from exc
    except UnicodeError as exc:
        raise UdpError(f"cannot resolve ucast host {host!r}: not a valid host name") from exc
    return str(infos[0][4][0])


def _listeners(media: Sequence[AnyMedium], port: int) -> dict[tuple[str, int], list[str]]:
    """One receive socket per (device, port): udpport for ucast and bcast, an mcast line's
    own port for mcast, with the groups that socket joins."""
    listen: dict[tuple[str, int], list[str]] = {}
    for medium in media:
        if isinstance(medium, McastMedium):
            groups = listen.setdefault((medium.device, medium.port), [])
            if medium.group not in groups:
                groups.append(medium.group)
        else:
            listen.setdefault((medium.device, port), [])
    return listen


async def _interface_addresses(media: Sequence[AnyMedium]) -> dict[str, InterfaceAddress]:
    """The IPv4 addresses of every bcast/mcast device (``UdpError`` naming one without)."""
    loop = asyncio.get_running_loop()
    found: dict[str, InterfaceAddress] = {}
    for medium in media:
        if isinstance(medium, UcastMedium) or medium.device in found:
            continue
        try:
            found[medium.device] = await loop.run_in_executor(
                None, interface_address, medium.device
            )
        except MediumError as exc:
            raise UdpError(str(exc)) from exc
    return found
