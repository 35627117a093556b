"""Who answers for an IPv4 address on a link: an ARP probe and the MACs that reply.

The probe is RFC 5227's: an ARP request for the address with sender IP 0.0.0.0, so no
neighbour learns anything from it (a request with the VIP as sender would move the
address to us in every cache, as a gratuitous ARP does). Every host that has the address
replies with its MAC. Our own kernel does not answer our own frame, so on the node that
holds the address any reply is *another* machine holding it too. Stdlib only: an
AF_PACKET socket, read on the event loop, bounded by ``wait_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from hbtui.adapters.garp import (
    ARPHRD_ETHER,
    ARPOP_REPLY,
    ARPOP_REQUEST,
    BROADCAST_MAC,
    ETH_P_ARP,
    ETH_P_IP,
    MIN_FRAME,
    ZERO_MAC,
    GarpError,
    _open_packet_socket,
)

DEFAULT_WAIT_S = 0.3
_ARP = struct.Struct("!HHBBH6s4s6s4s")
_ETH_HEADER = 14


def build_probe_frame(mac: bytes, ip: str) -> bytes:
    """The ARP probe for ``ip`` from ``mac`` (sender IP zero, broadcast)."""
    if len(mac) != 6:
        raise ValueError(f"MAC must be 6 bytes, got {len(mac)}")
    ethernet = BROADCAST_MAC + mac + struct.pack("!H", ETH_P_ARP)
    arp = _ARP.pack(
        ARPHRD_ETHER, ETH_P_IP, 6, 4, ARPOP_REQUEST, mac, bytes(4), ZERO_MAC, socket.inet_aton(ip)
    )
    return (ethernet + arp).ljust(MIN_FRAME, b"\x00")


def replier(frame: bytes, ip: str) -> bytes | None:
    """The sender MAC of ``frame`` if it is an ARP reply for ``ip``, else None."""
    if len(frame) < _ETH_HEADER + _ARP.size or frame[12:14] != struct.pack("!H", ETH_P_ARP):
        return None
    _, ptype, hlen, plen, op, sha, spa, _, _ = _ARP.unpack_from(frame, _ETH_HEADER)
    if ptype != ETH_P_IP or (hlen, plen) != (6, 4) or op != ARPOP_REPLY:
        return None
    return bytes(sha) if spa == socket.inet_aton(ip) else None


def mac_text(mac: bytes) -> str:
    """``02:00:00:00:00:01``."""
    return ":".join(f"{b:02x}" for b in mac)


async def probe(device: str, ip: str, wait_s: float = DEFAULT_WAIT_S) -> tuple[str, ...]:
    """The MACs (other than ours) that answer an ARP probe for ``ip`` on ``device``
    within ``wait_s``, sorted; ``GarpError`` when the device cannot be used."""
    _, ours = await asyncio.to_thread(_open_mac, device)
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    seen: set[bytes] = set()
    try:
        sock.setblocking(False)
        await asyncio.to_thread(sock.bind, (device, ETH_P_ARP))  # bind waits for RCU
        await loop.sock_sendto(sock, build_probe_frame(ours, ip), (device, ETH_P_ARP))
        deadline = loop.time() + wait_s
        while (left := deadline - loop.time()) > 0:
            try:
                frame = await asyncio.wait_for(loop.sock_recv(sock, 2048), left)
            except TimeoutError:
                break
            mac = replier(frame, ip)
            if mac is not None and mac != ours:
                seen.add(mac)
    except OSError as exc:
        raise GarpError(f"ARP probe of {ip} on {device}: {exc.strerror}") from exc
    finally:
        sock.close()
    return tuple(sorted(mac_text(m) for m in seen))


def _open_mac(device: str) -> tuple[None, bytes]:
    """Our MAC on ``device`` (through garp's checked opener)."""
    sock, mac = _open_packet_socket(device)
    with contextlib.suppress(OSError):
        sock.close()
    return None, mac
