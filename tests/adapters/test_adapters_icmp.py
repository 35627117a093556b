"""adapters/icmp.py: echo packets, reply parsing, and the pinger over a socket pair."""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest

from hbtui.adapters.icmp import (
    ECHO_REPLY,
    IcmpError,
    IcmpPinger,
    checksum,
    echo_request,
    parse_reply,
    resolve,
)


def test_echo_request_checksums_to_zero() -> None:
    packet = echo_request(0x1234, 7)
    assert packet[0] == 8 and checksum(packet) == 0
    assert struct.unpack_from("!HH", packet, 4) == (0x1234, 7)
    assert checksum(echo_request(1, 2, b"odd")) == 0


def _reply(ident: int, kind: int = ECHO_REPLY) -> bytes:
    ip_header = bytes([0x45]) + bytes(19)
    return ip_header + struct.pack("!BBHHH", kind, 0, 0, ident, 1) + b"x"


def test_parse_reply_wants_an_echo_reply_with_our_ident() -> None:
    assert parse_reply(_reply(99), 99)
    assert not parse_reply(_reply(98), 99)
    assert not parse_reply(_reply(99, kind=8), 99)
    assert not parse_reply(b"\x45" + bytes(10), 99)
    assert not parse_reply(bytes([0x4F]) + bytes(30), 99)  # header longer than the packet


def test_unknown_ping_host_is_a_clear_error() -> None:
    with pytest.raises(IcmpError, match=r"cannot resolve ping host 'no-such-host\.invalid'"):
        asyncio.run(resolve(["no-such-host.invalid"]))


def test_pinger_reports_replies_by_host_and_survives_send_errors() -> None:
    async def main() -> list[str]:
        here = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        here.bind(("127.0.0.1", 0))
        here.setblocking(False)
        there = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        seen: list[str] = []
        pinger = IcmpPinger(here, {"gw": "127.0.0.1", "bad": "256.0.0.1"}, seen.append)
        pinger.send(["bad"])  # a send that fails is logged and remembered, never raised
        assert pinger.sent == 0 and "bad" in pinger.send_errors
        there.sendto(_reply(pinger.ident), here.getsockname())
        there.sendto(_reply(pinger.ident + 1), here.getsockname())
        for _ in range(50):
            await asyncio.sleep(0.001)
            if seen:
                break
        pinger.close()
        there.close()
        return seen

    assert asyncio.run(main()) == ["gw"]


def test_ipfail_lines_use_the_daemon_format() -> None:
    from hbtui.adapters.halog import format_log_line
    from hbtui.engine.ipfail import say

    line = format_log_line(say("Asking other side for ping node count."), 0.0, "server1", 42)
    assert line.endswith(" server1 ipfail: [42]: info: Asking other side for ping node count.")
