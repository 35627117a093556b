"""Heartbeat resource.d shims -> OCF agents: how ``::`` arguments become parameters."""

from __future__ import annotations

import pytest

from hbtui.migrate.ocf_agents import KNOWN, ocf_match


@pytest.mark.parametrize(
    ("argument", "params"),
    [
        ("192.168.10.10", {"ip": "192.168.10.10"}),
        ("192.168.10.10/24", {"ip": "192.168.10.10", "cidr_netmask": "24"}),
        ("10.0.0.5/255.255.255.0", {"ip": "10.0.0.5", "cidr_netmask": "24"}),
        ("10.0.0.5/24/eth1", {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth1"}),
        (
            "10.0.0.5/24/eth1/10.0.0.255",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth1", "broadcast": "10.0.0.255"},
        ),
        # a third part starting with a digit is the broadcast, as the shim reads it
        (
            "10.0.0.5/24/10.0.0.255",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "broadcast": "10.0.0.255"},
        ),
        (
            "10.0.0.5/24/eth1:web",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth1", "iflabel": "web"},
        ),
    ],
)
@pytest.mark.parametrize("name", ["IPaddr", "IPaddr2"])
def test_ipaddr_becomes_ipaddr2(name: str, argument: str, params: dict[str, str]) -> None:
    match = ocf_match(name, (argument,))
    assert match is not None
    assert match.agent == "IPaddr2"
    assert dict(match.params) == params
    assert match.params[0] == ("ip", params["ip"])


@pytest.mark.parametrize(
    "args", [(), ("a", "b"), ("not-an-ip",), ("10.0.0.5/99",), ("10.0.0.5/24/eth0/1.2.3.4/x",)]
)
def test_ipaddr_arguments_it_cannot_read(args: tuple[str, ...]) -> None:
    assert ocf_match("IPaddr", args) is None


@pytest.mark.parametrize(
    ("name", "args", "agent", "params"),
    [
        (
            "Filesystem",
            ("/dev/sdb1", "/srv", "ext4"),
            "Filesystem",
            {"device": "/dev/sdb1", "directory": "/srv", "fstype": "ext4"},
        ),
        (
            "Filesystem",
            ("/dev/sdb1", "/srv", "ext4", "noatime"),
            "Filesystem",
            {"device": "/dev/sdb1", "directory": "/srv", "fstype": "ext4", "options": "noatime"},
        ),
        ("MailTo", ("root@x",), "MailTo", {"email": "root@x"}),
        ("MailTo", ("root@x", "hi"), "MailTo", {"email": "root@x", "subject": "hi"}),
        ("IPsrcaddr", ("10.0.0.5",), "IPsrcaddr", {"ipaddress": "10.0.0.5"}),
        ("LVM", ("vg0",), "LVM", {"volgrpname": "vg0"}),
        ("Delay", (), "Delay", {"startdelay": "10"}),
        ("Delay", ("3", "4"), "Delay", {"startdelay": "3", "stopdelay": "4"}),
        ("apache", (), "apache", {}),
        ("apache", ("/etc/a.conf",), "apache", {"configfile": "/etc/a.conf"}),
        ("Xinetd", ("tftp",), "Xinetd", {"service": "tftp"}),
        (
            "portblock",
            ("tcp", "80,443", "block"),
            "portblock",
            {"protocol": "tcp", "portno": "80,443", "action": "block"},
        ),
        ("SendArp", ("10.0.0.5/eth0",), "SendArp", {"ip": "10.0.0.5", "nic": "eth0"}),
        (
            "IPv6addr",
            ("fd00::5/64/eth0",),
            "IPv6addr",
            {"ipv6addr": "fd00::5", "cidr_netmask": "64", "nic": "eth0"},
        ),
        ("WAS", ("9080",), "WAS", {"port": "9080"}),
        ("WAS", ("/etc/was.xml",), "WAS", {"config": "/etc/was.xml"}),
        ("AudibleAlarm", ("a", "b"), "AudibleAlarm", {"nodelist": "a b"}),
        ("db2", ("db2inst1",), "db2", {"instance": "db2inst1"}),
        ("ids", (), "ids", {}),
    ],
)
def test_shims_map_by_position(
    name: str, args: tuple[str, ...], agent: str, params: dict[str, str]
) -> None:
    match = ocf_match(name, args)
    assert match is not None
    assert (match.agent, dict(match.params)) == (agent, params)
    assert match.mapping


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("Filesystem", ("/dev/sdb1",)),
        ("portblock", ("tcp", "80")),
        ("MailTo", ("a", "b", "c")),
        ("ids", ("a",)),
        ("SendArp", ("10.0.0.5",)),
        ("OCF", ("IPaddr", "vip")),
        ("httpd", ()),
    ],
)
def test_no_match_leaves_the_token_to_a_wrapper(name: str, args: tuple[str, ...]) -> None:
    assert ocf_match(name, args) is None


def test_every_known_shim_is_an_installed_agent_name() -> None:
    # resource-agents ships each of these under /usr/lib/ocf/resource.d/heartbeat
    assert {"IPaddr", "IPaddr2", "Filesystem", "MailTo", "apache", "portblock"} <= KNOWN
    assert "OCF" not in KNOWN
