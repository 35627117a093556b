"""Who answers for an IPv4 address on a link: an ARP probe and the MACs that reply.

The probe is RFC 5227's: an ARP request for the address with sender IP 0.0.0.0, so no
neighbour learns anything from it (a request with the VIP as sender would move the
address to us in every cache, as a gratuitous ARP does). Every host that has the address
replies with its MAC. Our own kernel does not answer our own frame, so on the node that
holds the address any reply is *another* machine holding it too. Stdlib only: an
AF_PACKET socket, read on the event loop, bounded by ``wait_s``; the frames are
``arpwho``'s (the program the console runs on a peer).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from hbtui.adapters.arpwho import ETH_P_ARP, build_probe_frame, mac_text, replier
from hbtui.adapters.garp import GarpError, _open_packet_socket

__all__ = ["build_probe_frame", "mac_text", "probe", "replier"]
DEFAULT_WAIT_S = 0.3


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
