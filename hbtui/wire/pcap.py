"""A small reader of UDP datagrams in classic pcap and pcapng captures.

Why not dpkt or scapy: we need one path (link layer -> IPv4 -> UDP payload) out of
two simple, stable, documented formats; a hundred lines of struct parsing beat a new
dependency (scapy alone is large and slow to import) for ``hbtui decode``.

Link types: Ethernet (1, with 802.1Q tags), Linux cooked SLL (113) and SLL2 (276),
raw IPv4 (101, 228) and BSD loopback (0). IPv4 fragments and non-UDP packets are
skipped; so are IPv6 packets (Heartbeat ucast is IPv4 only).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from hbtui.wire.errors import WireError


class PcapError(WireError):
    """The file is not a capture we can read."""


@dataclass(frozen=True, slots=True)
class Datagram:
    """One UDP datagram from a capture; ``time`` is epoch seconds."""

    time: float
    src: tuple[str, int]
    dst: tuple[str, int]
    payload: bytes


_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"


def read_datagrams(data: bytes) -> Iterator[Datagram]:
    """Every IPv4/UDP datagram of a pcap or pcapng capture, in file order."""
    magic = data[:4]
    if magic in _PCAP_MAGIC:
        return _classic(data, *_PCAP_MAGIC[magic])
    if magic == _PCAPNG_SHB:
        return _pcapng(data)
    raise PcapError("not a pcap or pcapng file")


def _classic(data: bytes, endian: str, unit: float) -> Iterator[Datagram]:
    if len(data) < 24:
        raise PcapError("pcap header truncated")
    (linktype,) = struct.unpack_from(endian + "I", data, 20)
    record = struct.Struct(endian + "IIII")
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, caplen, _ = record.unpack_from(data, pos)
        frame = data[pos + 16 : pos + 16 + caplen]
        pos += 16 + caplen
        found = _udp(linktype & 0xFFFF, frame, sec + frac * unit)
        if found is not None:
            yield found


def _pcapng(data: bytes) -> Iterator[Datagram]:
    endian = "<"
    interfaces: list[tuple[int, int]] = []  # (linktype, timestamp units per second)
    pos = 0
    while pos + 12 <= len(data):
        if data[pos : pos + 4] == _PCAPNG_SHB:
            endian = "<" if data[pos + 8 : pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            interfaces = []
        btype, blen = struct.unpack_from(endian + "II", data, pos)
        if blen < 12 or blen % 4 or pos + blen > len(data):
            raise PcapError(f"pcapng block at byte {pos} has a bad length {blen}")
        body = data[pos + 8 : pos + blen - 4]
        pos += blen
        if btype == 1 and len(body) >= 8:  # interface description
            (linktype,) = struct.unpack_from(endian + "H", body, 0)
            interfaces.append((linktype, _tsresol(body[8:], endian)))
        elif btype == 6 and len(body) >= 20:  # enhanced packet
            iface, high, low, caplen = struct.unpack_from(endian + "IIII", body, 0)
            if iface >= len(interfaces):
                continue
            linktype, per_second = interfaces[iface]
            seconds, ticks = divmod((high << 32) | low, per_second)
            found = _udp(linktype, body[20 : 20 + caplen], seconds + ticks / per_second)
            if found is not None:
                yield found
        elif btype == 3 and len(body) >= 4 and interfaces:  # simple packet
            found = _udp(interfaces[0][0], body[4:], 0.0)
            if found is not None:
                yield found


def _tsresol(options: bytes, endian: str) -> int:
    """Timestamp units per second from an interface block's if_tsresol (default 10**6)."""
    pos = 0
    while pos + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, pos)
        if code == 0:
            break
        if code == 9 and length >= 1 and pos + 4 < len(options):
            value = options[pos + 4]
            return 1 << min(value & 0x7F, 63) if value & 0x80 else int(10 ** min(value, 19))
        pos += 4 + (length + 3) // 4 * 4
    return 1_000_000


def _udp(linktype: int, frame: bytes, when: float) -> Datagram | None:
    """The UDP datagram inside one frame, or None."""
    ip = _ipv4_packet(linktype, frame)
    if ip is None or len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
        return None
    header = (ip[0] & 0x0F) * 4
    flags_offset = struct.unpack_from("!H", ip, 6)[0]
    if flags_offset & 0x3FFF:  # a fragment: heartbeat datagrams fit in one packet
        return None
    total = struct.unpack_from("!H", ip, 2)[0]
    udp = ip[header:total] if header <= total <= len(ip) else ip[header:]
    if len(udp) < 8:
        return None
    sport, dport, length = struct.unpack_from("!HHH", udp, 0)
    payload = udp[8:length] if 8 <= length <= len(udp) else udp[8:]
    src = ".".join(str(b) for b in ip[12:16])
    dst = ".".join(str(b) for b in ip[16:20])
    return Datagram(when, (src, sport), (dst, dport), payload)


def _ipv4_packet(linktype: int, frame: bytes) -> bytes | None:
    """Strip the link layer; None unless the frame carries IPv4."""
    if linktype == 1:  # Ethernet, possibly VLAN-tagged
        pos = 12
        while pos + 2 <= len(frame) and frame[pos : pos + 2] in (b"\x81\x00", b"\x88\xa8"):
            pos += 4
        return frame[pos + 2 :] if frame[pos : pos + 2] == b"\x08\x00" else None
    if linktype == 113:  # Linux cooked v1
        return frame[16:] if frame[14:16] == b"\x08\x00" else None
    if linktype == 276:  # Linux cooked v2
        return frame[20:] if frame[0:2] == b"\x08\x00" else None
    if linktype in (101, 228, 12):  # raw IP / raw IPv4
        return frame
    if linktype == 0:  # BSD loopback: 4-byte family in host order, 2 = AF_INET
        return frame[4:] if frame[:4] in (b"\x02\x00\x00\x00", b"\x00\x00\x00\x02") else None
    return None
