"""haresources: groups, resource tokens, continuations and script lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.haresources import parse_haresources, parse_resource_token, resolve_script
from hbtui.config.lines import ConfigFile
from hbtui.config.model import Haresources
from hbtui.config.problems import Problem, Severity


def make_script(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return path


def parse(
    text: str, config_dir: Path, init_d: Path | None = None
) -> tuple[Haresources, list[Problem]]:
    source = ConfigFile(config_dir / "haresources", text, 0o644)
    return parse_haresources(source, config_dir, init_d or config_dir / "no-init.d")


@pytest.mark.parametrize(
    ("token", "name", "args"),
    [
        ("IPaddr::192.168.10.10/24", "IPaddr", ("192.168.10.10/24",)),
        ("192.168.10.10", "IPaddr", ("192.168.10.10",)),
        ("192.168.10.10/24/eth0", "IPaddr", ("192.168.10.10/24/eth0",)),
        ("Filesystem::/dev/sda1::/data::ext4", "Filesystem", ("/dev/sda1", "/data", "ext4")),
        ("failback.sh", "failback.sh", ()),
        ("apache", "apache", ()),
    ],
)
def test_resource_tokens(token: str, name: str, args: tuple[str, ...]) -> None:
    assert parse_resource_token(token) == (name, args)


def test_howto_group(howto: Path) -> None:
    res, problems = parse((howto / "haresources").read_text(), howto)
    assert problems == []
    (group,) = res.groups
    assert (group.node, group.line, group.key) == ("server1", 2, "IPaddr::192.168.10.10/24")
    ip, script = group.resources
    assert (ip.name, ip.args, ip.script) == ("IPaddr", ("192.168.10.10/24",), None)
    assert script.name == "failback.sh"
    assert script.script == howto / "resource.d" / "failback.sh"


def test_continuation_and_comments(tmp_path: Path) -> None:
    text = "# groups\nServer1 10.0.0.5 \\\n   apache # web\n\nserver2 10.0.0.6\n"
    res, problems = parse(text, tmp_path)
    assert [(g.node, g.line, [r.token for r in g.resources]) for g in res.groups] == [
        ("server1", 2, ["10.0.0.5", "apache"]),
        ("server2", 5, ["10.0.0.6"]),
    ]
    assert problems == []


def test_script_lookup_order(tmp_path: Path) -> None:
    config_dir, init_d = tmp_path / "ha.d", tmp_path / "init.d"
    in_init = make_script(init_d / "apache")
    assert resolve_script("apache", config_dir, init_d) == in_init
    in_resource_d = make_script(config_dir / "resource.d" / "apache")
    assert resolve_script("apache", config_dir, init_d) == in_resource_d
    in_resource_d.chmod(0o644)  # not executable: the next candidate wins
    assert resolve_script("apache", config_dir, init_d) == in_init
    assert resolve_script("../apache", config_dir, init_d) is None
    assert resolve_script("missing", config_dir, init_d) is None


def test_builtin_ipaddr_records_a_script_when_present(tmp_path: Path) -> None:
    script = make_script(tmp_path / "resource.d" / "IPaddr2")
    res, _ = parse("server1 IPaddr2::10.0.0.5/24\n", tmp_path)
    assert res.groups[0].resources[0].script == script


@pytest.mark.parametrize(
    "token",
    [
        "IPaddr::10.0.0.300/24",
        "IPaddr::10.0.0.5/33",
        "IPaddr::10.0.0.5/24/eth0/10.0.0.999",
        "IPaddr::10.0.0.5::extra",
        "IPaddr2::nonsense",
        "::10.0.0.5",
        "../evil",
    ],
)
def test_bad_resources_are_errors_with_line(token: str, tmp_path: Path) -> None:
    _, problems = parse(f"\nserver1 {token}\n", tmp_path)
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 2)]


@pytest.mark.parametrize(
    "token", ["IPaddr::10.0.0.5", "IPaddr::10.0.0.5/24/eth0", "IPaddr::10.0.0.5/255.255.255.0"]
)
def test_good_ipaddr_arguments(token: str, tmp_path: Path) -> None:
    assert parse(f"server1 {token}\n", tmp_path)[1] == []


def test_node_only_line_warns_and_ip_first_is_an_error(tmp_path: Path) -> None:
    _, problems = parse("server1\n10.0.0.5 apache\n", tmp_path)
    assert [(p.severity, p.line) for p in problems] == [
        (Severity.WARNING, 1),
        (Severity.ERROR, 2),
    ]


def test_same_resource_in_two_groups_warns(tmp_path: Path) -> None:
    _, problems = parse("server1 10.0.0.5\nserver2 10.0.0.5\n", tmp_path)
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 2)]
