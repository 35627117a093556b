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
from .holds import (
    ADDR,
    UP,
    Mark,
    Span,
    acquisitions,
    both,
    final,
    longest,
    nobody,
    settled_after,
    spans,
)
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


def test_holds_measure_double_and_empty_holds_from_address_events() -> None:
    marks = [
        Mark(1.0, "server1", ADDR, True),
        Mark(5.0, "server2", ADDR, True),  # both from 5 to 7
        Mark(7.0, "server1", ADDR, False),
        Mark(8.0, "server2", ADDR, False),  # nobody from 8 to 9.5
        Mark(9.5, "server1", ADDR, True),
    ]
    found = spans(["server1", "server2"], marks, 0.0, 12.0)
    assert longest(found, both) == 2.0
    assert longest(found, nobody) == 1.5  # 0-1 and 8-9.5
    assert settled_after(found, 7.5) == 0.0 and settled_after(found, 5.5) == 1.5
    assert settled_after(found, 8.5) == 1.0
    assert final(found) == ["server1"]
    assert acquisitions(marks, 0.0, 12.0) == 3


def test_holds_a_crashed_nodes_address_is_no_claim() -> None:
    marks = [
        Mark(0.5, "server1", ADDR, True),
        Mark(2.0, "server1", UP, False),  # killed with the VIP on it
        Mark(3.0, "server2", ADDR, True),
        Mark(6.0, "server1", UP, True),  # started again: its stale VIP counts until removed
        Mark(6.2, "server1", ADDR, False),
    ]
    found = spans(["server1", "server2"], marks, 1.0, 10.0)
    assert longest(found, both) == pytest.approx(0.2)
    assert longest(found, nobody) == 1.0  # 2-3: the dead node's address held nothing
    assert settled_after(found, 6.0) == pytest.approx(0.2)
    assert final(found) == ["server2"]


def test_holds_never_settled_and_marks_outside_the_window() -> None:
    marks = [Mark(0.0, "a", ADDR, True), Mark(0.0, "b", ADDR, True), Mark(20.0, "b", ADDR, False)]
    found = spans(["a", "b"], marks, 1.0, 10.0)
    assert found == [Span(1.0, 10.0, frozenset({"a", "b"}))]
    assert settled_after(found, 2.0) is None and longest(found, both) == 9.0
