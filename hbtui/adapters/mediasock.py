"""Sockets for Heartbeat's ``bcast`` and ``mcast`` media (docs/protocol.md §1.1).

- ``bcast DEV``: a send socket with SO_BROADCAST, SO_DONTROUTE and SO_BINDTODEVICE DEV
  that sends to DEV's IPv4 broadcast address on udpport; the datagrams arrive on the
  same per-device receive socket as ucast (0.0.0.0:udpport bound to DEV).
- ``mcast DEV GROUP PORT TTL LOOP``: a send socket with IP_MULTICAST_IF (DEV's address),
  IP_MULTICAST_TTL and IP_MULTICAST_LOOP from the line, sending to GROUP:PORT; the
  per-device receive socket on PORT joins GROUP with IP_ADD_MEMBERSHIP on DEV's address.

Looking up an interface's addresses reads the kernel (psutil): call it from an executor.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass

import psutil  # type: ignore[import-untyped,unused-ignore]

IPTOS_LOWDELAY = 0x10


class MediumError(Exception):
    """A bcast or mcast medium cannot be set up (the message names the interface)."""


@dataclass(frozen=True, slots=True)
class BcastMedium:
    """One device of a ``bcast DEV...`` line."""

    device: str


@dataclass(frozen=True, slots=True)
class McastMedium:
    """One ``mcast DEV GROUP PORT TTL LOOP`` line."""

    device: str
    group: str
    port: int
    ttl: int = 1
    loop: bool = False


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    """The first IPv4 address of an interface and its broadcast address (if any)."""

    address: str
    broadcast: str | None


def interface_address(device: str) -> InterfaceAddress:
    """``device``'s IPv4 address; ``MediumError`` when it has none (blocking: executor).

    The broadcast address is the one configured on the interface (``ip addr ... brd``);
    without one (getifaddrs then reports the address itself) it is the subnet's.
    """
    for addr in psutil.net_if_addrs().get(device, ()):
        if addr.family != socket.AF_INET:
            continue
        broadcast = addr.broadcast
        if (not broadcast or broadcast == addr.address) and addr.netmask:
            net = ipaddress.IPv4Network(f"{addr.address}/{addr.netmask}", strict=False)
            broadcast = str(net.broadcast_address) if net.prefixlen < 31 else None
        return InterfaceAddress(str(addr.address), broadcast or None)
    raise MediumError(f"interface {device} has no IPv4 address (or does not exist)")


def _fail(sock: socket.socket, what: str, exc: OSError) -> MediumError:
    sock.close()
    return MediumError(f"{what}: {exc.strerror or exc}")


def bcast_send_socket(device: str) -> socket.socket:
    """A non-blocking socket that broadcasts out of ``device`` only."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_DONTROUTE, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, IPTOS_LOWDELAY)
        sock.setblocking(False)
    except OSError as exc:
        raise _fail(sock, f"cannot set up a bcast send socket on {device}", exc) from exc
    return sock


def mcast_send_socket(medium: McastMedium, if_address: str) -> socket.socket:
    """A non-blocking socket that sends to ``medium.group`` out of its device."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(if_address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, medium.ttl)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(medium.loop))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, medium.device.encode())
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, IPTOS_LOWDELAY)
        sock.setblocking(False)
    except OSError as exc:
        raise _fail(sock, f"cannot set up an mcast send socket on {medium.device}", exc) from exc
    return sock


def join_group(sock: socket.socket, group: str, if_address: str, device: str) -> None:
    """Make ``sock`` a member of ``group`` on the interface holding ``if_address``."""
    mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(if_address))
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    except OSError as exc:
        raise MediumError(
            f"cannot join multicast group {group} on {device}: {exc.strerror or exc}"
        ) from exc
