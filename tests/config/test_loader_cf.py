"""load_config / read_config: the whole directory, every problem collected, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hbtui.config.loader import load_config, local_node_name, read_config
from hbtui.config.model import AuthMethod, AutoFailback
from hbtui.config.problems import ConfigError, Problem, Severity


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def test_howto_loads_as_server1(howto: Path) -> None:
    config = read_config(howto, "server1")
    assert config.node_name == "server1"
    assert config.peers == ("server2",)
    assert config.ha_cf.auto_failback is AutoFailback.ON
    assert config.authkeys.active_key.method is AuthMethod.SHA1
    assert [r.token for r in config.haresources.groups[0].resources] == [
        "IPaddr::192.168.10.10/24",
        "failback.sh",
    ]


def test_node_name_is_lowercased(howto: Path) -> None:
    assert read_config(howto, "SERVER2").node_name == "server2"


def test_default_node_name_is_uname(howto: Path) -> None:
    assert local_node_name() == os.uname().nodename.lower()
    config, problems = load_config(howto)
    if local_node_name() in ("server1", "server2"):
        assert config is not None
    else:
        assert config is None
        assert any(f"Current node [{local_node_name()}]" in p.message for p in problems)


def test_node_not_in_list_is_named(howto: Path) -> None:
    config, problems = load_config(howto, "server3")
    assert config is None
    (error,) = errors(problems)
    assert error.path == howto / "ha.cf"
    assert error.line == 13
    assert error.message.startswith("Current node [server3] not in configuration!")
    with pytest.raises(ConfigError) as exc:
        read_config(howto, "server3")
    assert "server3" in str(exc.value)
    assert exc.value.problems == problems


def test_partial_returns_config_despite_errors(howto: Path) -> None:
    config, problems = load_config(howto, "server3", partial=True)
    assert config is not None
    assert errors(problems)


def test_authkeys_644_is_an_error(howto: Path) -> None:
    (howto / "authkeys").chmod(0o644)
    config, problems = load_config(howto, "server1")
    assert config is None
    (error,) = errors(problems)
    assert error.path == howto / "authkeys"
    assert "Bad permissions on keyfile" in error.message
    assert "0644" in error.message


@pytest.mark.parametrize("name", ["ha.cf", "haresources", "authkeys"])
def test_missing_file_is_one_problem_naming_it(howto: Path, name: str) -> None:
    (howto / name).unlink()
    config, problems = load_config(howto, "server1")
    assert config is None
    (error,) = errors(problems)
    assert (error.path, error.line, error.message) == (howto / name, None, "file not found")


def test_directory_instead_of_file(howto: Path) -> None:
    (howto / "haresources").unlink()
    (howto / "haresources").mkdir()
    _, problems = load_config(howto, "server1")
    (error,) = errors(problems)
    assert error.message == "not a regular file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(howto: Path) -> None:
    (howto / "ha.cf").chmod(0)
    _, problems = load_config(howto, "server1")
    assert any("permission denied" in p.message for p in errors(problems))


def test_missing_directory(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path / "nope", "server1")
    assert config is None
    assert [(p.path, p.message) for p in problems] == [
        (tmp_path / "nope", "configuration directory not found")
    ]


def test_every_problem_is_collected(howto: Path) -> None:
    (howto / "ha.cf").write_text(
        "node server1 server2\nucast eth0 10.0.0.2\nkeepalve 1\ndeadtime 1\nnode server1\n"
    )
    (howto / "haresources").write_text("server9 IPaddr::10.0.0.5/24 nosuchscript\n")
    (howto / "authkeys").write_text("auth 1\n1 sha1\n")
    (howto / "authkeys").chmod(0o644)
    _, problems = load_config(howto, "server1", init_d=howto / "none")
    assert any(p.message.startswith("Bad nodename in haresources [server9]") for p in problems)
    found = [(p.path.name if p.path else None, p.line, p.severity.value) for p in problems]
    assert found == [
        ("ha.cf", 3, "error"),  # typo: an unknown directive, refused as Heartbeat does
        ("ha.cf", 4, "error"),  # deadtime <= 2 x keepalive
        ("ha.cf", 5, "warning"),  # duplicate node
        ("haresources", 1, "error"),  # server9 not a node
        ("haresources", 1, "error"),  # no script
        ("authkeys", None, "error"),  # mode
        ("authkeys", 1, "error"),  # so key 1 is not found
        ("authkeys", 2, "error"),  # sha1 needs a key
    ]


def test_missing_script_is_an_error_locally_and_a_warning_elsewhere(howto: Path) -> None:
    (howto / "resource.d" / "failback.sh").chmod(0o644)
    _, problems = load_config(howto, "server1", init_d=howto / "none")
    (error,) = errors(problems)
    assert (error.path, error.line) == (howto / "haresources", 2)
    assert "exists but is not executable" in error.message
    config, problems = load_config(howto, "server1", local_host=False, init_d=howto / "none")
    assert config is not None
    assert [p.severity for p in problems if "failback.sh" in p.message] == [Severity.WARNING]


def test_interface_check_uses_net_dir(howto: Path, tmp_path: Path) -> None:
    net = tmp_path / "net"
    net.mkdir()
    _, problems = load_config(howto, "server1", net_dir=net)
    assert any("eth0 does not exist" in p.message for p in problems)
    (net / "eth0").mkdir()
    _, problems = load_config(howto, "server1", net_dir=net)
    assert not any("eth0" in p.message for p in problems)
