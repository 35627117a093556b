"""Pure parts of the adapters (no root needed): frames, addresses, messages, fakes."""

from __future__ import annotations

import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from hbtui.adapters import mediasock
from hbtui.adapters.fakes import (
    FakeArpAnnouncer,
    FakeScriptRunner,
    FakeTransport,
    FakeVipDriver,
)
from hbtui.adapters.garp import ArpAnnouncer, GarpError, build_garp_frame, send_gratuitous_arp
from hbtui.adapters.mediasock import BcastMedium, McastMedium
from hbtui.adapters.netlink import VipDriver, first_free_label, network_broadcast
from hbtui.adapters.runtime import transport_media
from hbtui.adapters.scripts import ScriptRunner
from hbtui.adapters.udp import PortInUse, Transport, UcastMedium
from hbtui.config.model import HaCf, Medium

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


def test_every_ha_cf_medium_becomes_a_transport_medium() -> None:
    """issue 16: bcast and mcast lines are opened, not dropped (mcast keeps its own port)."""
    media = (
        Medium("ucast", "eth1", "10.0.0.2", 1),
        Medium("bcast", "eth0", None, 2),
        Medium("mcast", "eth0", "239.0.0.43", 3, port=7000, ttl=2, loop=True),
    )
    cf = HaCf(Path("ha.cf"), ("a", "b"), media, udpport=694)
    assert transport_media(cf) == [
        UcastMedium("eth1", "10.0.0.2"),
        BcastMedium("eth0"),
        McastMedium("eth0", "239.0.0.43", 7000, 2, True),
    ]


def test_without_a_configured_broadcast_the_subnets_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """getifaddrs reports the address itself when no ``brd`` is set (psutil passes it on)."""

    def addrs(brd: str | None) -> dict[str, list[SimpleNamespace]]:
        entry = SimpleNamespace(
            family=socket.AF_INET, address="10.9.9.1", netmask="255.255.255.0", broadcast=brd
        )
        return {"eth0": [entry]}

    for brd, wanted in (
        ("10.9.9.1", "10.9.9.255"),
        (None, "10.9.9.255"),
        ("10.9.9.127", "10.9.9.127"),
    ):
        monkeypatch.setattr(mediasock.psutil, "net_if_addrs", lambda b=brd: addrs(b))
        found = mediasock.interface_address("eth0")
        assert (found.address, found.broadcast) == ("10.9.9.1", wanted)
    with pytest.raises(mediasock.MediumError, match="interface eth9 has no IPv4 address"):
        mediasock.interface_address("eth9")
