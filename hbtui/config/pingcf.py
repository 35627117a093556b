"""ha.cf ``ping`` and ``ping_group`` lines and the checks of ipfail: ping nodes and ipfail
(``respawn .../ipfail`` is read by ``respawncf``).

The handlers take the ha.cf builder through a small protocol so this module does not
import ``ha_cf`` (which registers them). Facts: docs/protocol.md §12.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Protocol

from hbtui.config.lines import ConfigLine, shown
from hbtui.config.model import AutoFailback, PingNode

_DOTTED = re.compile(r"[0-9.]+")
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")


class Sink(Protocol):
    """What the handlers need from ha.cf's builder."""

    ping_nodes: list[PingNode]
    ipfail_line: int | None

    def error(self, line: ConfigLine, message: str) -> None: ...

    def warn(self, line: ConfigLine, message: str) -> None: ...


def host_problem(host: str) -> str | None:
    """Why ``host`` cannot be pinged (None: a dotted quad or a host name)."""
    if _DOTTED.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"invalid IPv4 address [{shown(host)}]"
        return None
    if _HOSTNAME.fullmatch(host) is None:
        return f"[{shown(host)}] is neither an IPv4 address nor a host name"
    return None


def _add(b: Sink, line: ConfigLine, node: PingNode) -> None:
    for earlier in b.ping_nodes:
        if earlier.name == node.name:
            b.warn(
                line,
                f"ping node [{shown(node.name)}] already configured at line {earlier.line}; "
                "this one is ignored",
            )
            return
    b.ping_nodes.append(node)


def ping(b: Sink, line: ConfigLine) -> None:
    """``ping HOST [HOST...]``: one ping node per host."""
    if len(line.tokens) < 2:
        b.error(line, "ping needs at least one host: ping HOST [HOST...]")
        return
    for host in line.tokens[1:]:
        problem = host_problem(host)
        if problem is not None:
            b.error(line, f"ping: {problem}")
            continue
        _add(b, line, PingNode(host, (host,), line.number))


def ping_group(b: Sink, line: ConfigLine) -> None:
    """``ping_group NAME HOST [HOST...]``: one ping node, up while any host answers."""
    if len(line.tokens) < 3:
        b.error(line, "ping_group needs a name and at least one host: ping_group NAME HOST...")
        return
    name, hosts = line.tokens[1], line.tokens[2:]
    for host in hosts:
        problem = host_problem(host)
        if problem is not None:
            b.error(line, f"ping_group {shown(name)}: {problem}")
            return
    _add(b, line, PingNode(name, tuple(dict.fromkeys(hosts)), line.number, group=True))


def check(
    b: Sink,
    line_of: dict[str, int],
    keepalive_ms: int,
    deadping_ms: int,
    auto_failback: AutoFailback,
    nodes: list[str],
) -> list[tuple[int, str, bool]]:
    """Whole-file checks: ``(line, message, is_error)`` for each problem found."""
    found: list[tuple[int, str, bool]] = []
    if "deadping" in line_of and deadping_ms <= 2 * keepalive_ms:
        text = (
            f"Ping dead time [{deadping_ms}] is too small compared to keeplive [{keepalive_ms}]"
            " (deadping must be more than twice keepalive)"
        )
        found.append((line_of["deadping"], text, True))
    for node in b.ping_nodes:
        if node.name in nodes:
            text = f"ping node [{shown(node.name)}] has the name of a cluster node"
            found.append((node.line, text, True))
    if b.ipfail_line is not None and not b.ping_nodes:
        text = "ipfail without any ping or ping_group line does nothing: no ping node to count"
        found.append((b.ipfail_line, text, False))
    if b.ipfail_line is not None and auto_failback is AutoFailback.LEGACY:
        text = (
            "ipfail refuses auto_failback legacy (it exits at start): set auto_failback on "
            "or off; hbtui does not move resources on ping loss with legacy"
        )
        found.append((b.ipfail_line, text, False))
    return found
