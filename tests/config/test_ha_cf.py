"""ha.cf: every directive, Heartbeat's defaults, and each problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.ha_cf import UNSUPPORTED, parse_ha_cf, services_port
from hbtui.config.lines import ConfigFile
from hbtui.config.loader import load_config
from hbtui.config.model import AutoFailback, HaCf, MsgFormat
from hbtui.config.problems import Problem, Severity
from hbtui.config.validate import check_media, check_nodes, check_timers

PATH = Path("/etc/ha.d/ha.cf")
BASE = "node server1 server2\nucast eth0 192.168.10.2\n"


def parse(text: str) -> tuple[HaCf, list[Problem]]:
    return parse_ha_cf(ConfigFile(PATH, text, 0o644))


def only(problems: list[Problem], severity: Severity) -> list[Problem]:
    return [p for p in problems if p.severity is severity]


def test_howto_directives(howto: Path) -> None:
    ha_cf, problems = parse((howto / "ha.cf").read_text())
    assert ha_cf.nodes == ("server1", "server2")
    assert ha_cf.keepalive_ms == 1000
    assert ha_cf.warntime_ms == 3000
    assert ha_cf.deadtime_ms == 5000
    assert ha_cf.initdead_ms == 10000
    assert ha_cf.udpport == 694
    assert ha_cf.auto_failback is AutoFailback.ON
    assert [(m.kind, m.device, m.host) for m in ha_cf.media] == [
        ("ucast", "eth0", "192.168.10.1"),
        ("ucast", "eth0", "192.168.10.2"),
    ]
    assert ha_cf.logfile == Path("/var/log/ha-log")
    assert ha_cf.debugfile == Path("/var/log/ha-debug")
    assert ha_cf.logfacility == "local0"
    assert ha_cf.autojoin == "none"
    assert ha_cf.crm == "off"
    assert ha_cf.lines["deadtime"] == 11
    assert ha_cf.node_lines == {"server1": 13, "server2": 13}
    # the HOWTO puts udpport after ucast: Heartbeat's own complaint, as a warning
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 8)]
    assert "udpport setting must precede media statements" in problems[0].message
    assert check_timers(ha_cf) == []


def test_defaults() -> None:
    ha_cf, problems = parse(BASE)
    assert problems == []
    assert (ha_cf.keepalive_ms, ha_cf.deadtime_ms) == (1000, 30000)
    assert ha_cf.warntime_ms == 15000  # deadtime / 2
    assert ha_cf.initdead_ms == 30000  # = deadtime when deadtime > 10 s
    assert ha_cf.udpport == 694
    assert ha_cf.auto_failback is AutoFailback.LEGACY
    assert ha_cf.autojoin == "none"
    assert ha_cf.logfile is None


@pytest.mark.parametrize(
    ("deadtime", "initdead_ms"), [("5", 12000), ("3", 12000), ("8", 16000), ("10", 20000)]
)
def test_default_initdead(deadtime: str, initdead_ms: int) -> None:
    ha_cf, _ = parse(BASE + f"keepalive 1\ndeadtime {deadtime}\n")
    assert ha_cf.initdead_ms == initdead_ms


def test_default_warntime_is_half_deadtime() -> None:
    ha_cf, _ = parse(BASE + "deadtime 5\n")
    assert ha_cf.warntime_ms == 2500


def test_time_units_in_directives() -> None:
    ha_cf, problems = parse(BASE + "keepalive 200ms\ndeadtime 1\nwarntime 500ms\ninitdead 10.5\n")
    assert problems == []
    assert (ha_cf.keepalive_ms, ha_cf.deadtime_ms, ha_cf.warntime_ms) == (200, 1000, 500)
    assert ha_cf.initdead_ms == 10500


def test_nodes_several_per_line_and_lines_lowercased() -> None:
    ha_cf, problems = parse("node Server1\nnode SERVER2 server3\nucast eth0 10.0.0.1\n")
    assert problems == []
    assert ha_cf.nodes == ("server1", "server2", "server3")
    assert ha_cf.node_lines == {"server1": 1, "server2": 2, "server3": 2}


def test_duplicate_node_is_a_warning_on_its_line() -> None:
    # the real daemon starts with "node server1 server2 Server1" (recorded by hand, see README)
    ha_cf, problems = parse("node server1 server2\n\nnode Server1\n")
    assert ha_cf.nodes == ("server1", "server2")
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 3)]
    assert "duplicate node [server1]" in problems[0].message
    assert "line 1" in problems[0].message


def test_comments_and_blank_lines() -> None:
    ha_cf, problems = parse("# a comment\n\n   \nkeepalive 2 # two seconds\n" + BASE)
    assert problems == []
    assert ha_cf.keepalive_ms == 2000
    assert ha_cf.lines["keepalive"] == 4


def test_typo_directive_names_its_line() -> None:
    _, problems = parse(BASE + "keepalve 2\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "unknown directive 'keepalve'" in problems[0].message
    assert "did you mean 'keepalive'" in problems[0].message
    assert str(problems[0]).startswith("/etc/ha.d/ha.cf:3: error: ")


@pytest.mark.parametrize(
    ("line", "what_differs"),
    [
        ("ping6 fe80::1", "only IPv4 ping"),
        ("baud 19200", "no serial media"),
        ("stonith_host * ssh server1", "without fencing"),
        ("watchdog /dev/watchdog", "a hung daemon reboots the machine"),
        ("ucast6 eth0 fe80::2", "IPv4 only"),
    ],
)
def test_unsupported_directive_says_what_differs(line: str, what_differs: str) -> None:
    _, problems = parse(BASE + line + "\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 3)]
    assert problems[0].message.startswith(f"{line.split()[0]} is not implemented, ignored: ")
    assert what_differs in problems[0].message


def test_every_unsupported_directive_says_what_the_daemon_does() -> None:
    for name, why in UNSUPPORTED.items():
        assert len(why) > 40 and "daemon" in why, name


@pytest.mark.parametrize(
    ("lines", "read_as"),
    [
        ("nice_failback on\n", AutoFailback.LEGACY),
        ("nice_failback off\n", AutoFailback.LEGACY),
        ("auto_failback on\nnice_failback on\n", AutoFailback.OFF),
        ("auto_failback legacy\nnice_failback on\n", AutoFailback.LEGACY),
    ],
)
def test_nice_failback_is_read_as_the_daemon_reads_it(lines: str, read_as: AutoFailback) -> None:
    """Heartbeat 3.0.6: whatever its value, ``auto_failback off`` after an on|off line,
    else ``legacy`` (and an ERROR saying the flag is obsolete)."""
    ha_cf, problems = parse(BASE + lines)
    assert ha_cf.auto_failback is read_as
    nice = [p for p in problems if "nice_failback is obsolete" in p.message]
    assert len(nice) == 1 and nice[0].severity is Severity.WARNING
    assert f"'auto_failback {read_as.value}'" in nice[0].message


def test_nice_failback_takes_a_boolean() -> None:
    _, problems = parse(BASE + "nice_failback maybe\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "invalid nice_failback [maybe]" in problems[0].message


def test_a_directive_read_but_not_acted_on_says_what_the_daemon_would_do() -> None:
    """issue 16: never silence: each says what the real daemon does that hbtui does not."""
    _, problems = parse(BASE + "coredumps true\nlog_badpack true\nmemreserve 6500\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, n) for n in (3, 4, 5)]
    assert "memreserve: the daemon grows its heap" in problems[2].message


def test_realtime_and_rtprio() -> None:
    """On by default, as the daemon; rtprio is the SCHED_RR priority."""
    cf, problems = parse(BASE)
    assert cf.realtime and cf.rtprio is None and problems == []
    cf, problems = parse(BASE + "realtime off\nrtprio 5\n")
    assert not cf.realtime and cf.rtprio == 5 and problems == []
    _, problems = parse(BASE + "realtime maybe\nrtprio 100\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3), (Severity.ERROR, 4)]
    assert "invalid realtime [maybe]: use on or off" in problems[0].message
    assert "invalid rtprio [100]: a SCHED_RR priority, 1 to 99" in problems[1].message


def test_msgfmt() -> None:
    """issue 16: classic (the daemon's default) or netstring, spelled exactly; used, so no
    warning; anything else is an error, as the daemon refuses the file."""
    cf, problems = parse(BASE)
    assert cf.msgfmt is MsgFormat.CLASSIC and problems == []
    for value in MsgFormat:
        cf, problems = parse(BASE + f"msgfmt {value}\n")
        assert cf.msgfmt is value and problems == []
    cf, problems = parse(BASE + "msgfmt netstring\nmsgfmt classic\n")
    assert cf.msgfmt is MsgFormat.CLASSIC
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 4)]
    cf, problems = parse(BASE + "msgfmt Netstring\nmsgfmt\n")
    assert cf.msgfmt is MsgFormat.CLASSIC
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3), (Severity.ERROR, 4)]
    assert "invalid msgfmt [Netstring]: use classic or netstring" in problems[0].message


@pytest.mark.parametrize("value", ["on", "yes", "respawn", "true"])
def test_crm_on_is_an_error(value: str) -> None:
    _, problems = parse(BASE + f"crm {value}\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "haresources" in problems[0].message


def test_pacemaker_on_is_an_error_and_crm_off_is_fine() -> None:
    assert [p.line for p in parse(BASE + "pacemaker on\n")[1]] == [3]
    assert parse(BASE + "crm off\n")[1] == []
    assert parse(BASE + "crm no\n")[1] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("on", AutoFailback.ON), ("off", AutoFailback.OFF), ("legacy", AutoFailback.LEGACY)],
)
def test_auto_failback(value: str, expected: AutoFailback) -> None:
    ha_cf, problems = parse(BASE + f"auto_failback {value}\n")
    assert problems == []
    assert ha_cf.auto_failback is expected


def test_bad_auto_failback() -> None:
    _, problems = parse(BASE + "auto_failback sometimes\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]


def test_bcast_and_mcast_are_media() -> None:
    ha_cf, problems = parse(BASE + "bcast eth1 eth2\nmcast eth3 225.0.0.1 7000 2 1\n")
    assert problems == []
    assert [(m.kind, m.device, m.host, m.line) for m in ha_cf.media] == [
        ("ucast", "eth0", "192.168.10.2", 2),
        ("bcast", "eth1", None, 3),
        ("bcast", "eth2", None, 3),
        ("mcast", "eth3", "225.0.0.1", 4),
    ]
    mcast = ha_cf.media[-1]
    assert (mcast.port, mcast.ttl, mcast.loop) == (7000, 2, True)
    assert [m.kind for m in ha_cf.ucast_media] == ["ucast"]


def test_bcast_alone_and_mcast_alone_pass_check_media(tmp_path: Path) -> None:
    (tmp_path / "eth0").mkdir()
    for medium in ("bcast eth0\n", "mcast eth0 239.1.2.3 694 1 0\n"):
        ha_cf, problems = parse("node a b\n" + medium)
        assert problems == []
        assert check_media(ha_cf, local_host=True, net_dir=tmp_path) == []
    ha_cf, _ = parse("node a b\nbcast eth0 eth7\nmcast eth8 239.1.2.3 694 1 0\n")
    found = check_media(ha_cf, local_host=True, net_dir=tmp_path)
    assert [(p.severity, p.line, p.message.split()[1]) for p in found] == [
        (Severity.WARNING, 2, "eth7"),
        (Severity.WARNING, 3, "eth8"),
    ]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("bcast", "bcast needs at least one interface"),
        ("bcast eth0/1", "invalid interface name [eth0/1]"),
        ("mcast eth0 225.0.0.1 694 1", "mcast takes five values"),
        ("mcast eth0 10.0.0.1 694 1 0", "bad addr [10.0.0.1]"),
        ("mcast eth0 225.0.0.300 694 1 0", "bad addr [225.0.0.300]"),
        ("mcast eth0 225.0.0.1 0 1 0", "bad port [0]"),
        ("mcast eth0 225.0.0.1 70000 1 0", "bad port [70000]"),
        ("mcast eth0 225.0.0.1 694 5 0", "bad ttl [5]: expected 0 to 4"),
        ("mcast eth0 225.0.0.1 694 x 0", "bad ttl [x]"),
        ("mcast eth0 225.0.0.1 694 1 2", "bad loop [2]: expected 0 or 1"),
    ],
)
def test_bad_bcast_and_mcast_lines_are_errors_at_their_line(line: str, words: str) -> None:
    ha_cf, problems = parse(BASE + line + "\n")
    [problem] = problems
    assert (problem.severity, problem.path, problem.line) == (Severity.ERROR, PATH, 3)
    assert words in problem.message
    assert [m.kind for m in ha_cf.media] == ["ucast"]


def test_a_medium_given_twice_is_used_once_with_a_warning() -> None:
    ha_cf, problems = parse(BASE + "bcast eth1 eth1\nucast eth0 192.168.10.2\n")
    assert [(m.kind, m.device) for m in ha_cf.media] == [("ucast", "eth0"), ("bcast", "eth1")]
    assert [(p.severity, p.line) for p in problems] == [
        (Severity.WARNING, 3),
        (Severity.WARNING, 4),
    ]
    assert "already configured at line 2" in problems[1].message


def test_ucast_uses_only_the_first_host_and_bad_ones_are_errors() -> None:
    # Heartbeat 3.0.6 starts one ucast medium per line, to the first host only
    ha_cf, problems = parse("ucast eth0 10.0.0.1 peer2\nucast eth0\nucast eth0 10.0.0.300\n")
    assert [m.host for m in ha_cf.media] == ["10.0.0.1"]
    assert [(p.severity, p.line) for p in problems] == [
        (Severity.WARNING, 1),
        (Severity.ERROR, 2),
        (Severity.ERROR, 3),
    ]
    assert "[peer2]" in problems[0].message


def test_udpport_before_media_is_silent_and_applies() -> None:
    ha_cf, problems = parse("udpport 7000\n" + BASE)
    assert problems == []
    assert ha_cf.udpport == 7000


SERVICES = """\
# a comment line
ha-cluster\t694/tcp
ha-cluster\t7694/udp\thb heartbeat # Heartbeat
"""


def test_services_port_reads_etc_services_lines() -> None:
    assert services_port(SERVICES) == 7694
    assert services_port(SERVICES, "heartbeat") == 7694  # an alias
    assert services_port(SERVICES, proto="tcp") == 694
    assert services_port("# ha-cluster 1/udp\nha-cluster x/udp\n") is None
    assert services_port("") is None


def test_without_udpport_the_loader_uses_ha_cluster_from_etc_services(
    howto: Path, tmp_path: Path
) -> None:
    (howto / "authkeys").chmod(0o600)
    services = tmp_path / "services"
    services.write_text(SERVICES)
    loaded = [
        load_config(howto, "server1", local_host=False, services=path)[0]
        for path in (services, tmp_path / "absent")
    ]
    assert [c.ha_cf.udpport if c else None for c in loaded] == [7694, 694]
    with_port = parse_ha_cf(ConfigFile(Path("ha.cf"), "udpport 7000\n" + BASE, 0o644), 7694)
    assert with_port[0].udpport == 7000


def test_udpport_after_media_is_ignored_with_heartbeats_warning() -> None:
    # recorded by hand with the real 3.0.6 daemon: "ucast ...; udpport 7010; ucast ..." starts
    # every medium on port 694 and prints "udpport setting must precede media statements"
    ha_cf, problems = parse(BASE + "udpport 7010\nucast eth0 10.0.0.3\n")
    assert ha_cf.udpport == 694
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 3)]
    assert "udpport setting must precede media statements" in problems[0].message
    assert "ignores 'udpport 7010'" in problems[0].message
    assert "harmless" not in problems[0].message
    ha_cf, problems = parse("udpport 7010\n" + BASE + "udpport 7010\n")
    assert ha_cf.udpport == 7010
    assert "harmless" in problems[0].message


@pytest.mark.parametrize("value", ["0", "65536", "port", "-5", "99999999999999999999"])
def test_bad_udpport(value: str) -> None:
    ha_cf, problems = parse(BASE + f"udpport {value}\n")
    assert ha_cf.udpport == 694
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "invalid port" in problems[0].message


@pytest.mark.parametrize("directive", ["keepalive", "deadtime", "initdead"])
def test_bad_time_value(directive: str) -> None:
    _, problems = parse(BASE + f"{directive} 5s\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert directive in problems[0].message


def test_bad_warntime_uses_heartbeat_words() -> None:
    _, problems = parse(BASE + "warntime soon\n")
    assert problems[0].message == "Warn time [soon] is invalid."


def test_wrong_argument_count() -> None:
    _, problems = parse(BASE + "keepalive 1 2\nnode\nlogfile\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, n) for n in (3, 4, 5)]


def test_directive_set_twice_warns_and_last_wins() -> None:
    ha_cf, problems = parse(BASE + "keepalive 1\nkeepalive 2\n")
    assert ha_cf.keepalive_ms == 2000
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 4)]


def test_autojoin_and_logfacility() -> None:
    ha_cf, problems = parse(BASE + "autojoin any\nlogfacility nonsense\nautojoin maybe\n")
    assert ha_cf.autojoin == "any"
    assert [(p.severity, p.line) for p in problems] == [
        (Severity.WARNING, 3),
        (Severity.WARNING, 4),
        (Severity.ERROR, 5),
    ]


def test_timer_rules() -> None:
    def timer_problems(extra: str) -> list[tuple[Severity, int | None, str]]:
        ha_cf, _ = parse(BASE + extra)
        return [(p.severity, p.line, p.message) for p in check_timers(ha_cf)]

    assert timer_problems("keepalive 1\ndeadtime 5\nwarntime 3\ninitdead 10\n") == []
    ((sev, line, msg),) = timer_problems("keepalive 2\ndeadtime 4\ninitdead 10\n")
    assert (sev, line) == (Severity.ERROR, 4)
    assert msg.startswith("Dead time [4000 ms] is too small compared to keepalive [2000 ms]")
    ((sev, line, msg),) = timer_problems("deadtime 20\ninitdead 10\n")
    assert (sev, line) == (Severity.ERROR, 4)
    assert msg == "Initial dead time [10000 ms] is smaller than deadtime [20000 ms]"
    ((sev, line, msg),) = timer_problems("keepalive 200ms\ndeadtime 1\ninitdead 5\n")
    assert (sev, line) == (Severity.WARNING, 5)
    assert msg == "Initial dead time [5000 ms] may be too small!"
    # the real daemon starts with warntime >= deadtime: only a warning
    ((sev, line, msg),) = timer_problems("deadtime 5\nwarntime 5\ninitdead 10\n")
    assert (sev, line) == (Severity.WARNING, 4)
    assert msg.startswith("warntime [5000 ms] is not less than deadtime [5000 ms]")
    ((sev, line, msg),) = timer_problems("warntime 0\n")
    assert (sev, line) == (Severity.ERROR, 3)
    assert msg.startswith("Warn time [0 ms] is invalid")
    assert "keepalive [0 ms]" in timer_problems("keepalive 0\n")[0][2]


def test_node_rules() -> None:
    ha_cf, _ = parse("\n" + BASE)
    assert check_nodes(ha_cf, "server1") == []
    (problem,) = check_nodes(ha_cf, "server3")
    assert (problem.severity, problem.path, problem.line) == (Severity.ERROR, PATH, 2)
    assert problem.message.startswith("Current node [server3] not in configuration!")
    empty, _ = parse("ucast eth0 10.0.0.1\n")
    (problem,) = check_nodes(empty, "server1")
    assert "no nodes defined" in problem.message
    three, _ = parse("node a b c\n")
    assert [p.severity for p in check_nodes(three, "a")] == [Severity.WARNING]


def test_media_rules(tmp_path: Path) -> None:
    (tmp_path / "eth0").mkdir()
    ha_cf, _ = parse(BASE + "ucast eth9 10.0.0.3\nucast eth9 10.0.0.4\n")
    problems = check_media(ha_cf, local_host=True, net_dir=tmp_path)
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 3)]
    assert "eth9 does not exist on this machine" in problems[0].message
    assert check_media(ha_cf, local_host=False, net_dir=tmp_path) == []
    no_media, _ = parse("node a b\nbcast\n")
    (problem,) = check_media(no_media, local_host=True, net_dir=tmp_path)
    assert problem.severity is Severity.ERROR
    assert "No heartbeat media defined" in problem.message


def test_a_ucast_host_no_resolver_takes_is_an_error_naming_file_and_line() -> None:
    """``hbtui node`` would fail resolving it (IDNA); ``check`` says so first (issue 13)."""
    raw = b"node server1 server2\nucast eth0 serv\xe8r2\n"
    ha_cf, problems = parse(raw.decode("utf-8", "surrogateescape"))
    assert ha_cf.media == ()
    [problem] = only(problems, Severity.ERROR)
    assert (problem.path, problem.line) == (PATH, 2)
    assert "not a valid host name" in problem.message and "serv" in problem.message


def test_debug_level() -> None:
    """issue 15: ``debug N`` as the daemon reads it (atoi, 0 to 255; 0 when unset)."""
    assert parse(BASE)[0].debug == 0
    cf, problems = parse(BASE + "debug 3\n")
    assert cf.debug == 3 and problems == []
    cf, problems = parse(BASE + "debug 2x\ndebug verbose\n")
    assert cf.debug == 0
    assert [(p.severity, p.line) for p in problems] == [
        (Severity.WARNING, 3),
        (Severity.WARNING, 4),
        (Severity.WARNING, 4),  # set again
    ]
    assert "debug [2x] is not a number: Heartbeat reads it as 2" in problems[0].message
    assert "debug [verbose] is not a number: Heartbeat reads it as 0" in problems[1].message
    for bad in ("256", "-1"):
        _, problems = parse(BASE + f"debug {bad}\n")
        assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
        assert f"invalid debug level [{bad}]: 0 to 255" in problems[0].message


def test_use_logd_and_what_the_daemon_says_of_it() -> None:
    """use_logd yes/no; no log entry at all means logd; off without any entry is refused."""
    cf, problems = parse(BASE)
    assert cf.use_logd is None and cf.uses_logd and problems == []
    cf, problems = parse(BASE + "logfacility none\n")
    assert cf.uses_logd and problems == []  # 'none' is no log entry
    cf, problems = parse(BASE + "logfile /var/log/ha-log\n")
    assert not cf.uses_logd and problems == []
    cf, problems = parse(BASE + "use_logd yes\n")
    assert cf.use_logd is True and cf.uses_logd and problems == []
    cf, problems = parse(BASE + "use_logd on\nlogfile /var/log/ha-log\nlogfacility local0\n")
    assert cf.uses_logd
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 3)]
    assert "logd is enabled but logfile/logfacility is still configured" in problems[0].message
    cf, problems = parse(BASE + "use_logd no\n")
    assert not cf.uses_logd
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "No log entry found in ha.cf and use_logd is set to off" in problems[0].message
    _, problems = parse(BASE + "use_logd sometimes\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert "invalid use_logd [sometimes]: use yes or no" in problems[0].message


@pytest.mark.parametrize("mode", ["other", "any"])
def test_autojoin_is_used_with_a_warning_that_explains_the_risk(mode: str) -> None:
    ha_cf, problems = parse(BASE + f"autojoin {mode}\n")
    assert ha_cf.autojoin == mode
    ((problem,),) = [[p for p in problems if p.line == 3]]
    assert problem.severity is Severity.WARNING
    text = problem.message
    assert "signs with the authkeys key joins" in text and "counted as a member" in text
    assert "a wrong host given the key" in text and "becomes a member too" in text
    assert "hold no haresources group" in text
    assert "R1 style resource management conflicts with autojoin set" in text
    assert ("but this one, which must be listed" in text) is (mode == "other")


def test_autojoin_none_says_nothing() -> None:
    ha_cf, problems = parse(BASE + "autojoin none\n")
    assert ha_cf.autojoin == "none" and problems == []


def test_autojoin_any_lets_this_node_be_missing_from_the_node_list() -> None:
    listed, _ = parse(BASE + "autojoin any\n")
    assert check_nodes(listed, "server3") == []
    other, _ = parse(BASE + "autojoin other\n")
    (problem,) = check_nodes(other, "server3")
    assert problem.message.startswith("Current node [server3] not in configuration!")
    nobody, _ = parse("ucast eth0 10.0.0.1\nautojoin any\n")
    assert check_nodes(nobody, "server1") == []
