"""/etc/logd.cf as cluster-glue's ha_logd reads it, and where a node's lines go (issue 15)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hbtui.config.lines import ConfigFile
from hbtui.config.logd_cf import describe_plan, log_plan, parse_logd_cf, read_logd_cf
from hbtui.config.model import LogdCf, LogdStatus
from hbtui.config.problems import Problem, Severity
from tests.engine.enginesim import make_config

PATH = Path("/etc/logd.cf")


def parse(text: str) -> tuple[LogdCf, list[Problem]]:
    return parse_logd_cf(ConfigFile(PATH, text, 0o644))


def where(problems: list[Problem]) -> list[tuple[Severity, int | None]]:
    return [(p.severity, p.line) for p in problems]


def test_ha_logds_defaults_are_syslog_daemon_and_no_file() -> None:
    """The commented values in the shipped sample are not ha_logd's defaults."""
    logd, problems = parse("#debugfile /var/log/ha-debug\n#logfile\t/var/log/ha-log\n")
    assert problems == [] and logd.status is LogdStatus.READ
    assert (logd.logfile, logd.debugfile, logd.logfacility) == (None, None, "daemon")
    assert (logd.entity, logd.syslogprefix, logd.logmode, logd.syslogmsgfmt) == (
        "logd", "", 0o644, True,
    )  # fmt: skip


def test_every_directive_as_ha_logd_reads_it() -> None:
    logd, problems = parse(
        "LogFile\t/var/log/cluster.log  # names match without case\n"
        "debugfile /var/log/cluster-debug,/ignored\n"
        "logfacility local7\n"
        "entity ha-logd\n"
        "syslogprefix linux-ha\n"
        "logmode 0640\n"
        "syslogmsgfmt off\n"
        "sendqlen 256\nrecvqlen 256\n"
    )
    assert logd.logfile == Path("/var/log/cluster.log")
    assert logd.debugfile == Path("/var/log/cluster-debug")
    assert (logd.logfacility, logd.entity, logd.syslogprefix) == ("local7", "ha-logd", "linux-ha")
    assert (logd.logmode, logd.syslogmsgfmt, logd.status) == (0o640, False, LogdStatus.READ)
    assert where(problems) == [(Severity.WARNING, 2)]  # only the first value is used
    assert "ha_logd ignores [/ignored]" in problems[0].message


def test_none_and_dev_null_turn_a_destination_off() -> None:
    logd, problems = parse("logfacility none\nlogfile /dev/null\ndebugfile\n")
    assert problems == []
    assert (logd.logfile, logd.debugfile, logd.logfacility) == (None, None, None)


def test_a_line_ha_logd_refuses_names_file_and_line_and_falls_back() -> None:
    """ha_logd refuses the whole file and does not start: Heartbeat logs by itself."""
    logd, problems = parse(
        "logfile /var/log/x\nuseapphbd no\nlogfacility DAEMON\nlogmode 0x1ff\n"
        "syslogmsgfmt maybe\nsendqlen -1\n"
    )
    assert logd.status is LogdStatus.REFUSED
    assert where(problems) == [(Severity.WARNING, n) for n in (2, 3, 4, 5, 6)]
    assert str(problems[0]).startswith("/etc/logd.cf:2: warning: Illegal directive [useapphbd]")
    assert "ha_logd refuses this file and does not start" in problems[0].message
    assert "invalid logfacility [DAEMON]" in problems[1].message
    assert "Invalid log mode [0x1ff]" in problems[2].message
    assert "invalid syslogmsgfmt [maybe]" in problems[3].message
    assert "negative sendqlen [-1]" in problems[4].message


def test_a_mode_without_its_leading_zero_and_a_long_tag_are_warned() -> None:
    logd, problems = parse(f"logmode 640\nentity {'e' * 70}\n")
    assert logd.status is LogdStatus.READ and logd.logmode == 0o640
    assert len(logd.entity) == 63
    assert where(problems) == [(Severity.WARNING, 1), (Severity.WARNING, 2)]
    assert "Log mode [640] assumed to be octal" in problems[0].message
    assert "(truncated from" in problems[1].message


def test_reading_absent_and_unreadable_files(tmp_path: Path) -> None:
    logd, problems = read_logd_cf(tmp_path / "logd.cf")
    assert logd == LogdCf(tmp_path / "logd.cf", LogdStatus.ABSENT) and problems == []
    (tmp_path / "dir.cf").mkdir()
    logd, problems = read_logd_cf(tmp_path / "dir.cf")
    assert logd.status is LogdStatus.UNREADABLE and logd.logfacility == "daemon"
    assert where(problems) == [(Severity.WARNING, None)]
    assert "Cannot open config file" in problems[0].message
    (tmp_path / "logd.cf").write_text("logfile /var/log/ha-log\n")
    logd, problems = read_logd_cf(tmp_path / "logd.cf")
    assert logd.status is LogdStatus.READ and logd.logfile == Path("/var/log/ha-log")


def test_the_plan_follows_ha_cf_or_logd_cf() -> None:
    config = make_config("server1", logdir=Path("/var/log"))  # logfile + debugfile in ha.cf
    plan = log_plan(config)
    assert not plan.through_logd and plan.logfile == Path("/var/log/ha-log")
    assert plan.facility is None and plan.logmode is None
    logd = LogdCf(PATH, LogdStatus.READ, Path("/srv/log/ha-log"), None, "local3", logmode=0o600)
    with_logd = dataclasses.replace(
        config, ha_cf=dataclasses.replace(config.ha_cf, use_logd=True), logd=logd
    )
    plan = log_plan(with_logd)
    assert plan.through_logd and plan.origin == "/etc/logd.cf"
    assert (plan.logfile, plan.debugfile, plan.facility) == (
        Path("/srv/log/ha-log"),
        None,
        "local3",
    )
    assert plan.logmode == 0o600
    text = describe_plan(plan, 2)
    assert text == "logfile /srv/log/ha-log, syslog local3; as ha_logd with /etc/logd.cf; debug 2"
    refused = dataclasses.replace(
        with_logd, logd=dataclasses.replace(logd, status=LogdStatus.REFUSED)
    )
    plan = log_plan(refused)
    assert plan.fallback and not plan.through_logd and plan.logfile == Path("/var/log/ha-log")
    absent = dataclasses.replace(with_logd, logd=LogdCf(PATH))
    plan = log_plan(absent)
    assert (plan.logfile, plan.facility) == (None, "daemon")
    assert describe_plan(plan, 0) == (
        "syslog daemon; as ha_logd with ha_logd's defaults (/etc/logd.cf absent); "
        "debug 0 (no debug lines)"
    )
