"""Who answers for each VIP on a link, as a program: ``python3 - WAIT IP=DEVICE...``.

This module is self-contained (Python 3.7+ standard library, no hbtui import) because its
own source text is what the console sends to a peer's ``python3 -`` over SSH: a peer that
runs the real Heartbeat daemon has no hbtui installed. It prints one JSON object:
``{"probes": [{"ip", "device", "mac", "here", "macs"} | {"ip", "device", "error"}]}``,
where ``mac`` is the prober's own MAC on the device, ``here`` says the address is on one
of the prober's interfaces and ``macs`` are the other machines that answered an RFC 5227
ARP probe (sender IP 0.0.0.0: no neighbour learns anything) within WAIT seconds. The frame
helpers are also the in-process probe's (``arpprobe``). Needs root (an AF_PACKET socket).
"""

from __future__ import annotations

import array
import fcntl
import json
import select
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ARPHRD_ETHER = 1
ARPOP_REQUEST = 1
ARPOP_REPLY = 2
BROADCAST_MAC = b"\xff" * 6
ZERO_MAC = b"\x00" * 6
MIN_FRAME = 60  # Ethernet minimum without FCS
SIOCGIFCONF = 0x8912
SIOCGIFHWADDR = 0x8927
_IFREQ = 16 + max(16, 2 * struct.calcsize("L") + 8)  # name + the union (struct ifmap)
_ARP = struct.Struct("!HHBBH6s4s6s4s")
_ETH_HEADER = 14
MAX_WAIT_S = 5.0


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


def own_mac(device: str) -> str:
    """The MAC of ``device`` (SIOCGIFHWADDR: this network namespace's, needs no root);
    OSError when there is no such interface."""
    if not device or len(device) > 15 or "/" in device:
        raise OSError(f"not an interface name: {device!r}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        answer = fcntl.ioctl(sock.fileno(), SIOCGIFHWADDR, struct.pack("256s", device.encode()))
    return mac_text(answer[18:24])


def local_ipv4() -> set[str]:
    """Every IPv4 address on this machine's interfaces (SIOCGIFCONF lists each one,
    secondary addresses included)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        room = 64
        while True:
            buf = array.array("B", bytes(room * _IFREQ))
            addr, _ = buf.buffer_info()
            ifconf = struct.pack("iL", room * _IFREQ, addr)
            used = struct.unpack("iL", fcntl.ioctl(sock.fileno(), SIOCGIFCONF, ifconf))[0]
            if used < room * _IFREQ:
                break
            room *= 4
    raw = buf.tobytes()
    return {socket.inet_ntoa(raw[at + 20 : at + 24]) for at in range(0, used, _IFREQ)}


def probe_device(device: str, ips: list[str], wait_s: float) -> dict[str, set[str]]:
    """The MACs other than ours answering an ARP probe for each of ``ips`` on ``device``."""
    ours = bytes.fromhex(own_mac(device).replace(":", ""))
    seen: dict[str, set[str]] = {ip: set() for ip in ips}
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP)) as sock:
        sock.bind((device, ETH_P_ARP))
        for ip in ips:
            sock.send(build_probe_frame(ours, ip))
        deadline = time.monotonic() + wait_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                break
            frame = sock.recv(2048)
            for ip in ips:
                mac = replier(frame, ip)
                if mac is not None and mac != ours:
                    seen[ip].add(mac_text(mac))
    return seen


def parse_args(argv: list[str]) -> tuple[float, list[tuple[str, str]]]:
    """``WAIT IP=DEVICE...``; ValueError naming what is wrong."""
    if len(argv) < 2:
        raise ValueError("usage: arpwho WAIT_SECONDS IP=DEVICE...")
    wait_s = float(argv[0])
    if not 0 < wait_s <= MAX_WAIT_S:
        raise ValueError(f"WAIT_SECONDS must be in (0, {MAX_WAIT_S:g}], got {argv[0]}")
    pairs = []
    for arg in argv[1:]:
        ip, _, device = arg.partition("=")
        socket.inet_aton(ip)  # OSError (a ValueError here) for a wrong address
        if not device:
            raise ValueError(f"{arg}: expected IP=DEVICE")
        pairs.append((ip, device))
    return wait_s, pairs


def run(wait_s: float, pairs: list[tuple[str, str]]) -> dict[str, object]:
    """Probe every pair (one socket per device); a device that fails is said per VIP."""
    here = local_ipv4()
    out: list[dict[str, object]] = []
    for device in dict.fromkeys(device for _, device in pairs):
        ips = [ip for ip, dev in pairs if dev == device]
        try:
            mac = own_mac(device)
            seen = probe_device(device, ips, wait_s)
        except OSError as exc:
            why = exc.strerror or str(exc)
            out += [{"ip": ip, "device": device, "error": why} for ip in ips]
            continue
        out += [
            {"ip": ip, "device": device, "mac": mac, "here": ip in here, "macs": sorted(seen[ip])}
            for ip in ips
        ]
    return {"probes": out}


def main(argv: list[str]) -> int:
    """Print the answer as one JSON line; 2 on wrong arguments."""
    try:
        wait_s, pairs = parse_args(argv)
    except (ValueError, OSError) as exc:
        print(f"arpwho: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(run(wait_s, pairs), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
