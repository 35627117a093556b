"""Ring addresses for the corosync nodelist, from ucast lines, names and --ring0."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.model import HaCf, Medium
from hbtui.migrate.addresses import ring_addresses


def ha_cf(nodes: tuple[str, ...], *hosts: str) -> HaCf:
    media = tuple(Medium("ucast", "eth0", host, line) for line, host in enumerate(hosts, 1))
    return HaCf(Path("ha.cf"), nodes, media)


def nothing(name: str) -> str | None:
    return None


def test_howto_layout_takes_the_ucast_addresses_in_node_order() -> None:
    found = ring_addresses(ha_cf(("server1", "server2"), "192.168.10.1", "192.168.10.2"), nothing)
    assert found.by_node == {"server1": "192.168.10.1", "server2": "192.168.10.2"}
    assert not found.errors
    assert any("order" in w for w in found.warnings)


def test_names_that_resolve_win_over_the_order() -> None:
    hosts = {"server1": "192.168.10.2", "server2": "192.168.10.1"}
    config = ha_cf(("server1", "server2"), "192.168.10.1", "192.168.10.2")
    found = ring_addresses(config, hosts.get)
    assert found.by_node == {"server1": "192.168.10.2", "server2": "192.168.10.1"}
    assert not found.warnings


def test_a_ucast_line_naming_a_node_gives_that_node() -> None:
    hosts = {"beta": "10.0.0.2", "alpha": "10.0.0.1"}
    found = ring_addresses(ha_cf(("alpha", "beta"), "beta"), hosts.get)
    assert found.by_node == {"alpha": "10.0.0.1", "beta": "10.0.0.2"}
    assert "ucast line 1 names the node" in " ".join(found.reasons)


def test_given_addresses_come_first() -> None:
    config = ha_cf(("a", "b"), "10.0.0.1", "10.0.0.2")
    found = ring_addresses(config, nothing, {"a": "10.9.9.1", "b": "10.9.9.2"})
    assert found.by_node == {"a": "10.9.9.1", "b": "10.9.9.2"}


def test_loopback_answers_are_ignored() -> None:
    # Debian's /etc/hosts maps the machine's own name to 127.0.1.1
    hosts = {"server1": "127.0.1.1"}
    config = ha_cf(("server1", "server2"), "192.168.10.1", "192.168.10.2")
    found = ring_addresses(config, hosts.get)
    assert found.by_node["server1"] == "192.168.10.1"
    assert any("loopback" in w for w in found.warnings)


def test_missing_addresses_are_errors_that_say_what_to_do() -> None:
    found = ring_addresses(ha_cf(("a", "b", "c"), "10.0.0.1"), nothing)
    assert len(found.errors) == 3
    assert all("--ring0" in e for e in found.errors)


def test_bad_given_addresses_are_errors() -> None:
    found = ring_addresses(ha_cf(("a", "b"), "10.0.0.1", "10.0.0.2"), nothing, {"x": "1.2.3.4"})
    assert found.errors and "not a node" in found.errors[0]
    found = ring_addresses(ha_cf(("a", "b"), "10.0.0.1", "10.0.0.2"), nothing, {"a": "name"})
    assert found.errors and "not an IP" in found.errors[0]


def test_unresolvable_ucast_host_is_an_error() -> None:
    found = ring_addresses(ha_cf(("a", "b"), "gone.example"), nothing)
    assert any("gone.example does not resolve" in e for e in found.errors)
