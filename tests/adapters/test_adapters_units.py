"""Pure parts of the adapters (no root needed): frames, addresses, messages, fakes."""

from __future__ import annotations

import socket

import pytest

from hbtui.adapters.fakes import (
    FakeArpAnnouncer,
    FakeScriptRunner,
    FakeTransport,
    FakeVipDriver,
)
from hbtui.adapters.garp import ArpAnnouncer, GarpError, build_garp_frame, send_gratuitous_arp
from hbtui.adapters.netlink import VipDriver, first_free_label, network_broadcast
from hbtui.adapters.scripts import ScriptRunner
from hbtui.adapters.udp import PortInUse, Transport

MAC = bytes.fromhex("02aabbccddee")


def test_garp_request_frame_layout() -> None:
    frame = build_garp_frame(MAC, "192.168.10.10", reply=False)
    assert len(frame) == 60
    assert frame[:14] == b"\xff" * 6 + MAC + b"\x08\x06"
    assert frame[14:22] == bytes.fromhex("0001 0800 06 04 0001")
    assert frame[22:28] == MAC and frame[28:32] == bytes([192, 168, 10, 10])
    assert frame[32:38] == bytes(6) and frame[38:42] == bytes([192, 168, 10, 10])
    assert frame[42:] == bytes(18)


def test_garp_reply_frame_targets_own_mac() -> None:
    frame = build_garp_frame(MAC, "10.0.0.1", reply=True)
    assert frame[20:22] == b"\x00\x02"
    assert frame[32:38] == MAC and frame[38:42] == bytes([10, 0, 0, 1])
    with pytest.raises(ValueError):
        build_garp_frame(b"\x00", "10.0.0.1", reply=True)


@pytest.mark.parametrize(
    ("ip", "prefix", "expected"),
    [
        ("192.168.10.10", 24, "192.168.10.255"),
        ("10.1.2.3", 8, "10.255.255.255"),
        ("172.16.5.9", 20, "172.16.15.255"),
        ("192.168.10.10", 31, None),
        ("192.168.10.10", 32, None),
    ],
)
def test_network_broadcast(ip: str, prefix: int, expected: str | None) -> None:
    assert network_broadcast(ip, prefix) == expected


def test_first_free_label() -> None:
    assert first_free_label("eth0", set()) == "eth0:0"
    assert first_free_label("eth0", {"eth0", "eth0:0", "eth1:1"}) == "eth0:1"
    assert first_free_label("eth0", {"eth0:1"}) == "eth0:0"


def test_port_in_use_names_the_pid() -> None:
    message = str(PortInUse(694, [(4242, "heartbeat")]))
    assert "UDP port 694" in message and "PID 4242 (heartbeat)" in message
    assert "another process" in str(PortInUse(694, []))


async def test_fakes_satisfy_the_protocols() -> None:
    vip: VipDriver = FakeVipDriver()
    runner: ScriptRunner = FakeScriptRunner({("failback.sh", "status"): (0, ["Running OK"])})
    transport: Transport = FakeTransport()
    arp: ArpAnnouncer = FakeArpAnnouncer()
    first = await vip.add("192.168.10.10")
    assert (first.label, first.prefix, first.broadcast) == ("eth0:0", 24, "192.168.10.255")
    assert (await vip.add("192.168.10.10")).already_present
    assert (await vip.add("192.168.10.11")).label == "eth0:1"
    assert [p.ip for p in await vip.list_vips()] == ["192.168.10.10", "192.168.10.11"]
    assert (await vip.remove("192.168.10.10")) == first
    assert await vip.present("192.168.10.10") is None
    seen: list[str] = []
    result = await runner.run(
        ["/etc/ha.d/resource.d/failback.sh", "status"],
        "status",
        on_line=lambda s, x: seen.append(x),
    )
    assert result.ok and result.stdout == ("Running OK",) and seen == ["Running OK"]
    transport.send(b"x")
    assert transport.stats.sent == 1
    arp.announce("eth0", "192.168.10.10")
    arp.cancel("192.168.10.10")


def _packet_sockets_allowed() -> bool:
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _packet_sockets_allowed(), reason="packet sockets need CAP_NET_RAW")
async def test_garp_refuses_non_ethernet_and_missing_devices() -> None:
    with pytest.raises(GarpError, match="not an Ethernet device"):
        await send_gratuitous_arp("lo", "127.0.0.2", count=1)
    with pytest.raises(GarpError, match="cannot use nosuchdev0"):
        await send_gratuitous_arp("nosuchdev0", "10.0.0.1", count=1)
