"""Gratuitous ARP after taking a virtual IP, like Heartbeat's IPaddr but sent at once.

The real daemon sends 20 frames 250 ms apart (docs/protocol.md §7.5): Ethernet broadcast,
sender IP = target IP = the VIP, alternating ARP request (target MAC zero) and ARP reply (target MAC
= our own), starting with a request. We send the first frame immediately (t=0) and keep
the schedule absolute (frame k at t0 + k*interval, no drift). Sending is an asyncio task
per VIP that is cancelled when the VIP is released. Stdlib only: an AF_PACKET raw socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import socket
import struct
from dataclasses import dataclass
from typing import Protocol

from hbtui.adapters.arpwho import (
    ARPHRD_ETHER,
    ARPOP_REPLY,
    ARPOP_REQUEST,
    BROADCAST_MAC,
    ETH_P_ARP,
    ETH_P_IP,
    MIN_FRAME,
    SIOCGIFHWADDR,
    ZERO_MAC,
)

__all__ = [  # ETH_P_ARP is arpwho's (the nodes' ARP helpers import it from here too)
    "ETH_P_ARP", "ArpAnnouncer", "GarpAnnouncer", "GarpError", "GarpReport",
    "build_garp_frame", "send_gratuitous_arp",
]  # fmt: skip
log = logging.getLogger(__name__)

DEFAULT_COUNT = 20
DEFAULT_INTERVAL_S = 0.25


class GarpError(Exception):
    """The interface cannot be used for ARP."""


def build_garp_frame(mac: bytes, ip: str, reply: bool) -> bytes:
    """One gratuitous ARP Ethernet frame announcing ``ip`` at ``mac``."""
    if len(mac) != 6:
        raise ValueError(f"MAC must be 6 bytes, got {len(mac)}")
    ip_bytes = socket.inet_aton(ip)
    ethernet = BROADCAST_MAC + mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack(
        "!HHBBH6s4s6s4s",
        ARPHRD_ETHER,
        ETH_P_IP,
        6,
        4,
        ARPOP_REPLY if reply else ARPOP_REQUEST,
        mac,
        ip_bytes,
        mac if reply else ZERO_MAC,
        ip_bytes,
    )
    return (ethernet + arp).ljust(MIN_FRAME, b"\x00")


@dataclass(frozen=True, slots=True)
class GarpReport:
    """How an announcement ended."""

    device: str
    ip: str
    frames_sent: int
    errors: int
    cancelled: bool


def _open_packet_socket(device: str) -> tuple[socket.socket, bytes]:
    """A non-blocking send-only AF_PACKET socket and the MAC of ``device``.

    Protocol 0 and no bind(): such a socket registers no receive hook, and bind() on a
    packet socket waits for an RCU grace period (milliseconds) that would delay frame 1.
    Frames are addressed with sendto((device, ETH_P_ARP)) instead.
    """
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    except OSError as exc:
        raise GarpError(f"cannot open a packet socket: {exc.strerror}") from exc
    try:
        request = struct.pack("256s", device.encode()[:15])
        answer = fcntl.ioctl(sock.fileno(), SIOCGIFHWADDR, request)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise GarpError(f"cannot use {device} for ARP: {exc.strerror}") from exc
    hw_family = struct.unpack_from("H", answer, 16)[0]
    if hw_family != ARPHRD_ETHER:
        sock.close()
        raise GarpError(f"{device} is not an Ethernet device")
    return sock, bytes(answer[18:24])


async def send_gratuitous_arp(
    device: str,
    ip: str,
    count: int = DEFAULT_COUNT,
    interval_s: float = DEFAULT_INTERVAL_S,
) -> GarpReport:
    """Send ``count`` frames, the first now, then one every ``interval_s``; cancellable."""
    sock, mac = _open_packet_socket(device)
    loop = asyncio.get_running_loop()
    frames = (build_garp_frame(mac, ip, reply=False), build_garp_frame(mac, ip, reply=True))
    sent = errors = 0
    start = loop.time()
    try:
        for k in range(count):
            delay = start + k * interval_s - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                await loop.sock_sendto(sock, frames[k % 2], (device, ETH_P_ARP))
                sent += 1
            except OSError as exc:
                errors += 1
                if errors == 1:
                    log.warning("gratuitous ARP for %s on %s: %s", ip, device, exc)
    except asyncio.CancelledError:
        log.info("gratuitous ARP for %s on %s stopped after %d frames", ip, device, sent)
        raise
    finally:
        sock.close()
    return GarpReport(device, ip, sent, errors, cancelled=False)


class ArpAnnouncer(Protocol):
    """Announces an acquired address; stops announcing when it is released."""

    def announce(self, device: str, ip: str) -> None: ...

    def cancel(self, ip: str) -> None: ...


class GarpAnnouncer:
    """The real ArpAnnouncer: one background task per IP, replaced on re-announce."""

    def __init__(self, count: int = DEFAULT_COUNT, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.count = count
        self.interval_s = interval_s
        self._tasks: dict[str, asyncio.Task[GarpReport]] = {}

    def announce(self, device: str, ip: str) -> None:
        """Start (or restart) the announcement of ``ip`` on ``device``."""
        self.cancel(ip)
        task = asyncio.create_task(
            send_gratuitous_arp(device, ip, self.count, self.interval_s),
            name=f"garp-{ip}",
        )
        task.add_done_callback(self._finished)
        self._tasks[ip] = task

    def _finished(self, task: asyncio.Task[GarpReport]) -> None:
        for ip, known in list(self._tasks.items()):
            if known is task:
                del self._tasks[ip]
        if not task.cancelled() and task.exception() is not None:
            log.error("gratuitous ARP failed: %s", task.exception())

    def cancel(self, ip: str) -> None:
        """Stop announcing ``ip`` (no-op when idle)."""
        task = self._tasks.pop(ip, None)
        if task is not None:
            task.cancel()

    def active(self, ip: str) -> asyncio.Task[GarpReport] | None:
        """The running announcement task for ``ip``, if any."""
        return self._tasks.get(ip)

    async def aclose(self) -> None:
        """Cancel every announcement and wait for them to stop."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, GarpError):
                await task
