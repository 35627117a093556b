"""haresources: one resource group per line, its preferred node first."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

from hbtui.config.lines import ConfigFile, ConfigLine, has_nul, shown, split_lines
from hbtui.config.model import Haresources, Resource, ResourceGroup
from hbtui.config.problems import Problem, Severity

INIT_D = Path("/etc/init.d")
# Resource types hbtui performs itself (it adds the VIP over netlink): no script needed.
BUILTIN_RESOURCES = frozenset({"IPaddr", "IPaddr2"})

_BARE_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:/.*)?")
_IFNAME = re.compile(r"[^\s/:]{1,15}(?::[^\s/:]+)?")


def script_candidates(name: str, config_dir: Path, init_d: Path = INIT_D) -> tuple[Path, ...]:
    """Where Heartbeat looks for a resource's script, in order."""
    return (config_dir / "resource.d" / name, init_d / name)


def is_executable_file(path: Path) -> bool:
    """A regular file this process may execute."""
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return False


def resolve_script(name: str, config_dir: Path, init_d: Path = INIT_D) -> Path | None:
    """The first executable candidate script for resource ``name``, or None."""
    if not name or "/" in name or name in (".", ".."):
        return None
    for candidate in script_candidates(name, config_dir, init_d):
        if is_executable_file(candidate):
            return candidate
    return None


def parse_resource_token(token: str) -> tuple[str, tuple[str, ...]]:
    """``Type::a1::a2`` -> (Type, (a1, a2)); a bare IPv4 ``A.B.C.D[/..]`` -> IPaddr."""
    if "::" in token:
        name, *args = token.split("::")
        return name, tuple(args)
    if _BARE_IPV4.fullmatch(token):
        return "IPaddr", (token,)
    return token, ()


def ipaddr_problem(args: tuple[str, ...]) -> str | None:
    """What is wrong with an IPaddr/IPaddr2 argument ``ip[/cidr[/iface[/broadcast]]]``."""
    if len(args) != 1:
        return "IPaddr takes one argument: ip[/cidr[/iface[/broadcast]]]"
    ip, *rest = args[0].split("/")
    try:
        ipaddress.IPv4Address(ip)
    except ValueError:
        return f"invalid IPv4 address [{shown(ip)}]"
    if rest and rest[0]:
        mask = rest[0]
        try:
            ipaddress.IPv4Network(f"0.0.0.0/{mask}")
        except ValueError:
            return f"invalid netmask [{shown(mask)}]: use a prefix length 0-32 or a dotted mask"
    if len(rest) > 1 and rest[1] and _IFNAME.fullmatch(rest[1]) is None:
        return f"invalid interface name [{shown(rest[1])}]"
    if len(rest) > 2 and rest[2]:
        try:
            ipaddress.IPv4Address(rest[2])
        except ValueError:
            return f"invalid broadcast address [{shown(rest[2])}]"
    if len(rest) > 3:
        return "too many '/' parts: ip[/cidr[/iface[/broadcast]]]"
    return None


def _read_group(
    line: ConfigLine, path: Path, config_dir: Path, init_d: Path, problems: list[Problem]
) -> ResourceGroup | None:
    def error(message: str) -> None:
        problems.append(Problem(Severity.ERROR, message, path, line.number))

    if has_nul(line):
        error("line contains a NUL byte")
        return None
    node = line.tokens[0].lower()
    if "::" in node or _BARE_IPV4.fullmatch(node):
        error(f"a line must start with the preferred node's name, not [{shown(line.tokens[0])}]")
        return None
    if len(line.tokens) == 1:
        problems.append(
            Problem(Severity.WARNING, f"node {shown(node)} has no resources", path, line.number)
        )
    resources: list[Resource] = []
    for token in line.tokens[1:]:
        name, args = parse_resource_token(token)
        if not name or "/" in name or name in (".", ".."):
            error(f"invalid resource [{shown(token)}]: expected Type or Type::arg1::arg2")
            continue
        if name in BUILTIN_RESOURCES:
            why = ipaddr_problem(args)
            if why is not None:
                error(f"{shown(token)}: {why}")
        script = resolve_script(name, config_dir, init_d)
        resources.append(Resource(token, name, args, script))
    return ResourceGroup(node, tuple(resources), line.number)


def parse_haresources(
    source: ConfigFile, config_dir: Path, init_d: Path = INIT_D
) -> tuple[Haresources, list[Problem]]:
    """Every group of haresources with scripts resolved, and the problems found."""
    problems: list[Problem] = []
    groups: list[ResourceGroup] = []
    for line in split_lines(source.text, continuation=True):
        group = _read_group(line, source.path, config_dir, init_d, problems)
        if group is not None:
            groups.append(group)
    seen: dict[str, int] = {}
    for group in groups:
        for resource in group.resources:
            first = seen.setdefault(resource.token, group.line)
            if first != group.line:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        f"resource {shown(resource.token)} already belongs to the group "
                        f"at line {first}",
                        source.path,
                        group.line,
                    )
                )
    return Haresources(source.path, tuple(groups)), problems
