"""ha.cf ping, ping_group, deadping and respawn ipfail (docs/protocol.md §12); other respawn
lines: tests/config/test_respawn_cf.py."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.ha_cf import parse_ha_cf
from hbtui.config.lines import ConfigFile
from hbtui.config.model import HaCf, PingNode
from hbtui.config.problems import Problem, Severity

PATH = Path("/etc/ha.d/ha.cf")
BASE = "node server1 server2\nucast eth0 192.168.10.2\nauto_failback on\n"


def parse(text: str) -> tuple[HaCf, list[Problem]]:
    return parse_ha_cf(ConfigFile(PATH, BASE + text, 0o644))


def found(problems: list[Problem]) -> list[tuple[Severity, int | None]]:
    return [(p.severity, p.line) for p in problems]


def test_ping_lines_make_one_node_per_host_and_groups_one() -> None:
    text = "ping 10.0.0.254 gw\nping_group outside 10.0.0.1 10.0.0.2\n"
    text += "respawn hacluster /usr/lib/heartbeat/ipfail\n"
    ha_cf, problems = parse(text)
    assert problems == []
    assert ha_cf.ping_nodes == (
        PingNode("10.0.0.254", ("10.0.0.254",), 4),
        PingNode("gw", ("gw",), 4),
        PingNode("outside", ("10.0.0.1", "10.0.0.2"), 5, group=True),
    )
    assert ha_cf.ipfail
    assert ha_cf.deadping_ms == ha_cf.deadtime_ms == 30000


def test_deadping_is_read_and_checked_against_keepalive() -> None:
    ha_cf, problems = parse("ping 10.0.0.254\ndeadping 5\n")
    assert ha_cf.deadping_ms == 5000 and problems == []
    _, problems = parse("keepalive 2\nping 10.0.0.254\ndeadping 4\n")
    assert found(problems) == [(Severity.ERROR, 6)]
    assert "Ping dead time [4000] is too small compared to keeplive [2000]" in str(problems[0])


def test_bad_ping_hosts_are_errors_at_their_line() -> None:
    _, problems = parse("ping 10.0.0.300\nping\nping_group g\nping_group g 1.2.3.4 x/y\n")
    assert found(problems) == [(Severity.ERROR, n) for n in (4, 5, 6, 7)]
    assert "invalid IPv4 address [10.0.0.300]" in problems[0].message


def test_duplicate_ping_node_and_cluster_node_name() -> None:
    _, problems = parse("ping 10.0.0.254\nping 10.0.0.254\nping_group server2 1.2.3.4\n")
    assert found(problems) == [(Severity.WARNING, 5), (Severity.ERROR, 6)]


def test_ipfail_warnings_say_why() -> None:
    _, problems = parse("respawn hacluster /usr/lib64/heartbeat/ipfail\n")
    assert found(problems) == [(Severity.WARNING, 4)]
    assert "no ping node" in problems[0].message
    text = "ping 10.0.0.254\nrespawn hacluster /usr/lib/heartbeat/ipfail\n"
    _, problems = parse_ha_cf(ConfigFile(PATH, "node a b\nucast eth0 1.2.3.4\n" + text, 0))
    assert found(problems) == [(Severity.WARNING, 4)]
    assert "legacy" in problems[0].message


def test_other_respawn_programs_are_kept_not_ipfail() -> None:
    ha_cf, problems = parse("respawn root /usr/bin/foo --x\nrespawn root\n")
    assert found(problems) == [(Severity.ERROR, 5)]
    assert [c.command for c in ha_cf.respawn] == ["/usr/bin/foo --x"] and not ha_cf.ipfail
