"""ha.cf ``respawn USER /path/prog [args]`` (issue 16): kept in order, checked as Heartbeat
3.0.6's add_client_child_base does (unknown user, relative path, not executable: errors, the
daemon refuses to start), at their line."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from hbtui.config.ha_cf import parse_ha_cf
from hbtui.config.lines import ConfigFile
from hbtui.config.loader import load_config
from hbtui.config.model import HaCf, RespawnClient
from hbtui.config.problems import Problem, Severity
from hbtui.config.respawncf import check_respawn
from hbtui.config.summary import cluster_summary, summary_lines

PATH = Path("/etc/ha.d/ha.cf")
BASE = "node server1 server2\nucast eth0 192.168.10.2\nauto_failback on\n"
ME = pwd.getpwuid(os.geteuid()).pw_name
NO_USER = "no-such-user-hbtui"


def parse(text: str) -> tuple[HaCf, list[Problem]]:
    return parse_ha_cf(ConfigFile(PATH, BASE + text, 0o644))


def program(tmp_path: Path, name: str = "mon", mode: int = 0o755) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return path


def test_respawn_lines_are_kept_in_order_with_their_arguments() -> None:
    text = "respawn root /usr/bin/a\nrespawn  nobody   /usr/bin/b  -x  'two  words'\n"
    text += "respawn hacluster /usr/lib/heartbeat/ipfail\nping 10.0.0.254\n"
    ha_cf, problems = parse(text)
    assert problems == []
    assert ha_cf.respawn == (
        RespawnClient("root", "/usr/bin/a", 4),
        RespawnClient("nobody", "/usr/bin/b  -x  'two  words'", 5),
    )
    assert [c.line for c in ha_cf.respawn] == [4, 5] and ha_cf.ipfail
    assert ha_cf.respawn[1].path == "/usr/bin/b" and ha_cf.respawn[1].name == "b"


def test_a_relative_program_is_an_error_as_heartbeat_says() -> None:
    ha_cf, problems = parse("respawn root bin/mon\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 4)]
    assert problems[0].message == "Client child command [bin/mon] is not full pathname"
    assert ha_cf.respawn == ()


def test_an_api_client_is_run_but_warned_about() -> None:
    ha_cf, problems = parse("respawn hacluster /usr/lib/heartbeat/ccm\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 4)]
    assert "client API" in problems[0].message and "not implemented" not in problems[0].message
    assert len(ha_cf.respawn) == 1


def test_unknown_user_and_unusable_programs_are_errors_at_their_line(tmp_path: Path) -> None:
    good = program(tmp_path)
    plain = program(tmp_path, "plain", 0o644)
    text = f"respawn {ME} {good} -v\nrespawn {NO_USER} {good}\n"
    text += f"respawn {ME} {plain}\nrespawn {ME} {tmp_path / 'missing'}\nrespawn {ME} {tmp_path}\n"
    ha_cf, problems = parse(text)
    assert problems == []
    found = check_respawn(ha_cf, local_host=True)
    assert [(p.severity, p.line) for p in found] == [(Severity.ERROR, n) for n in (5, 6, 7, 8)]
    assert str(found[0]).startswith(f"{PATH}:5: error: Invalid uid [{NO_USER}] specified")
    assert f"Client child command [{plain}] is not executable: no execute permission" in str(
        found[1]
    )
    assert found[2].message.endswith("no such file (Heartbeat refuses to start)")
    assert "not a regular file" in found[3].message
    other_host = check_respawn(ha_cf, local_host=False)
    assert {p.severity for p in other_host} == {Severity.WARNING} and len(other_host) == 4


def test_the_loader_refuses_and_check_names_the_file_and_line(howto: Path, tmp_path: Path) -> None:
    good = program(tmp_path)
    with (howto / "ha.cf").open("a") as ha_cf:
        ha_cf.write(f"respawn {ME} {good} --flag\n")
    config, problems = load_config(howto, "server1")
    assert config is not None and config.ha_cf.respawn[0].command == f"{good} --flag"
    assert cluster_summary(config)["respawn"] == [{"user": ME, "command": f"{good} --flag"}]
    assert f"respawn:   {good} --flag as {ME}" in summary_lines(config)
    with (howto / "ha.cf").open("a") as ha_cf:
        ha_cf.write(f"respawn {NO_USER} {good}\n")
    config, problems = load_config(howto, "server1")
    assert config is None
    (error,) = [p for p in problems if p.severity is Severity.ERROR]
    assert str(error).startswith(f"{howto / 'ha.cf'}:17: error: Invalid uid [{NO_USER}]")
