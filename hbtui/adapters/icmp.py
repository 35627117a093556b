"""ICMP echo for ping nodes: a raw socket read by the asyncio loop, never blocking.

``IcmpPinger.send(hosts)`` sends one echo request per host (the engine's ``Ping``
action, once a keepalive); each echo reply from a pinged address whose identifier is
ours calls ``on_reply(host)`` with the host as ha.cf wrote it. Needs root (or
CAP_NET_RAW), as Heartbeat's ping medium does (docs/protocol.md §12).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

ECHO_REQUEST, ECHO_REPLY = 8, 0
PAYLOAD = b"hbtui ping node"
RECV_BYTES = 2048
MAX_READS = 64  # replies read per wake-up, so a flood cannot hold the loop


class IcmpError(Exception):
    """A ping host that does not resolve, or no permission for a raw socket."""


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes = PAYLOAD) -> bytes:
    """An ICMP echo request with its checksum."""
    head = struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, seq & 0xFFFF)
    cksum = checksum(head + payload)
    return struct.pack("!BBHHH", ECHO_REQUEST, 0, cksum, ident, seq & 0xFFFF) + payload


def parse_reply(packet: bytes, ident: int) -> bool:
    """Is this IPv4 packet an echo reply carrying our identifier?"""
    if len(packet) < 20:
        return False
    ihl = (packet[0] & 0x0F) * 4
    if ihl < 20 or len(packet) < ihl + 8:
        return False
    kind: int = packet[ihl]
    their_ident: int = struct.unpack_from("!H", packet, ihl + 4)[0]
    return kind == ECHO_REPLY and their_ident == ident


async def resolve(hosts: Iterable[str]) -> dict[str, str]:
    """host as written -> IPv4 address; ``IcmpError`` naming a host that has none."""
    loop = asyncio.get_running_loop()
    out: dict[str, str] = {}
    for host in hosts:
        try:
            infos = await loop.getaddrinfo(host, None, family=socket.AF_INET)
        except (socket.gaierror, UnicodeError) as exc:
            raise IcmpError(f"cannot resolve ping host {host!r}: {exc}") from exc
        out[host] = str(infos[0][4][0])
    return out


class IcmpPinger:
    """One raw ICMP socket for every ping host."""

    def __init__(
        self, sock: socket.socket, addresses: dict[str, str], on_reply: Callable[[str], None]
    ) -> None:
        self.sock = sock
        self.addresses = addresses
        self.by_ip: dict[str, list[str]] = {}
        for host, ip in addresses.items():
            self.by_ip.setdefault(ip, []).append(host)
        self.on_reply = on_reply
        self.ident = os.getpid() & 0xFFFF
        self.seq = 0
        self.sent = 0
        self.replies = 0
        self.send_errors: dict[str, str] = {}  # host -> last error, logged once per change
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._readable)

    @classmethod
    async def open(cls, hosts: Iterable[str], on_reply: Callable[[str], None]) -> IcmpPinger:
        """Resolve ``hosts`` and open the socket; ``IcmpError`` says why not."""
        addresses = await resolve(hosts)
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        except PermissionError as exc:
            raise IcmpError(
                "ping nodes need a raw ICMP socket: run as root (or with CAP_NET_RAW)"
            ) from exc
        sock.setblocking(False)
        return cls(sock, addresses, on_reply)

    def send(self, hosts: Iterable[str]) -> None:
        """One echo request to each host (a failed send is logged, once per error)."""
        self.seq = (self.seq + 1) & 0xFFFF
        packet = echo_request(self.ident, self.seq)
        for host in hosts:
            ip = self.addresses.get(host)
            if ip is None:
                continue
            try:
                self.sock.sendto(packet, (ip, 0))
            except OSError as exc:  # unreachable, no route, buffer full: the node goes dead
                why = exc.strerror or str(exc)
                if self.send_errors.get(host) != why:
                    log.warning("ping %s (%s): %s", host, ip, why)
                self.send_errors[host] = why
                continue
            self.send_errors.pop(host, None)
            self.sent += 1

    def _readable(self) -> None:
        for _ in range(MAX_READS):
            try:
                packet, (ip, _port) = self.sock.recvfrom(RECV_BYTES)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("ICMP receive failed: %s", exc)
                return
            if ip in self.by_ip and parse_reply(packet, self.ident):
                self.replies += 1
                for host in self.by_ip[ip]:
                    self.on_reply(host)

    def close(self) -> None:
        """Stop reading and close the socket."""
        if self.sock.fileno() >= 0:
            self._loop.remove_reader(self.sock.fileno())
            self.sock.close()
