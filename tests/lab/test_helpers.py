"""The lab's pure helpers (no root needed): config writer, parsers, nft rules, log filter."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hbtui.lab.node import Address, Node, parse_addresses

from . import conftest
from .haconfig import HaSetup, parse_failback_log
from .halog import complaints, protocol_complaints
from .observe import drop_rules

REPO = Path(__file__).resolve().parents[2]
HOWTO_DIR = REPO / "hbtui" / "data" / "howto"
VECTORS = REPO / "tests" / "wire" / "vectors"


def without_comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_default_setup_writes_the_howto_files(tmp_path: Path) -> None:
    setup = HaSetup()
    setup.write(tmp_path)
    for name in ("ha.cf", "haresources", "authkeys"):
        expected = without_comments((HOWTO_DIR / name).read_text())
        assert without_comments((tmp_path / name).read_text()) == expected, name
    assert (tmp_path / "authkeys").stat().st_mode & 0o777 == 0o600
    assert os.access(tmp_path / "resource.d" / "failback.sh", os.X_OK)
    assert setup.vip_ip == "192.168.10.10"


def test_setup_variants() -> None:
    fast = HaSetup().with_timers("200ms", "600ms", "1", "5")
    assert "keepalive 200ms\nwarntime 600ms\ndeadtime 1\ninitdead 5\n" in fast.ha_cf()
    assert HaSetup(auth_method="crc").authkeys() == "auth 1\n1 crc\n"
    assert HaSetup(auth_method="md5", auth_key="k", auth_index=3).authkeys() == "auth 3\n3 md5 k\n"
    assert "auto_failback off" in HaSetup(auto_failback="off").ha_cf()
    three = HaSetup(nodes=("server1", "server2", "server3"))
    assert "ucast eth0 192.168.10.3" in three.ha_cf() and three.node_ip("server3").endswith(".3")


def test_parsers() -> None:
    calls = parse_failback_log("1795666322.825 server1 status\n1795666322.871 server1 start\n")
    assert [(c.node, c.action) for c in calls] == [("server1", "status"), ("server1", "start")]
    ip_json = json.dumps(
        [
            {
                "ifname": "lo",
                "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}],
            },
            {
                "ifname": "eth0",
                "addr_info": [
                    {"family": "inet", "local": "192.168.10.1", "prefixlen": 24, "label": "eth0"},
                    {
                        "family": "inet",
                        "local": "192.168.10.10",
                        "prefixlen": 24,
                        "label": "eth0:0",
                    },
                    {"family": "inet6", "local": "fe80::1", "prefixlen": 64},
                ],
            },
        ]
    )
    assert parse_addresses(ip_json)[-1] == Address("eth0", "192.168.10.10", 24, "eth0:0")
    assert len(parse_addresses(ip_json)) == 3


def test_host_path_maps_private_dirs() -> None:
    node = Node("server1", 1, "x", Path("/lab/server1"))
    assert node.host_path("/var/log/ha-log") == Path("/lab/server1/var-log/ha-log")
    assert node.host_path("/etc/ha.d") == Path("/lab/server1/etc-ha.d")
    with pytest.raises(ValueError):
        node.host_path("/etc/passwd")


def test_drop_rules() -> None:
    assert "numgen random mod 100 < 30 drop" in drop_rules(30)
    assert "udp dport 694 drop;" in drop_rules(100, udp_port=694)
    assert drop_rules(100).count("hook") == 2
    with pytest.raises(ValueError):
        drop_rules(-1)


def test_complaints_on_recorded_logs() -> None:
    cold = (VECTORS / "ha-log-a-cold-start-server1.txt").read_text()
    assert complaints(cold) == []
    takeover = (VECTORS / "ha-log-b-node-dead-takeover-server2.txt").read_text()
    assert complaints(takeover) == []
    assert complaints(takeover, allow_failover=False) != []
    wrong_key = (VECTORS / "ha-log-f-wrong-key-server1.txt").read_bytes().decode(errors="replace")
    assert any("netstring authentication failed" in line for line in complaints(wrong_key))
    assert protocol_complaints(wrong_key)


def test_skip_reason_without_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in (conftest.lab_unavailable.__wrapped__() or "")
