"""Heartbeat's start-up rules across ha.cf, haresources and this machine."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.haresources import BUILTIN_RESOURCES, INIT_D, script_candidates
from hbtui.config.lines import shown
from hbtui.config.model import HaCf, Haresources
from hbtui.config.problems import Problem, Severity

NET_DIR = Path("/sys/class/net")
MIN_INITDEAD_MS = 10_000


def _at(ha_cf: HaCf, *names: str) -> int | None:
    """The line of the first of ``names`` that ha.cf sets, else None (a default)."""
    for name in names:
        if name in ha_cf.lines:
            return ha_cf.lines[name]
    return None


def check_timers(ha_cf: HaCf) -> list[Problem]:
    """keepalive, deadtime, warntime and initdead against each other (docs/protocol.md §6)."""
    found: list[Problem] = []
    path = ha_cf.path
    keep, dead, warn, init = (
        ha_cf.keepalive_ms,
        ha_cf.deadtime_ms,
        ha_cf.warntime_ms,
        ha_cf.initdead_ms,
    )

    def add(severity: Severity, message: str, *names: str) -> None:
        found.append(Problem(severity, message, path, _at(ha_cf, *names)))

    if keep <= 0:
        add(Severity.ERROR, f"keepalive [{keep} ms] must be more than 0", "keepalive")
    if dead <= 2 * keep:
        add(
            Severity.ERROR,
            f"Dead time [{dead} ms] is too small compared to keepalive [{keep} ms]: "
            "deadtime must be more than twice keepalive",
            "deadtime",
            "keepalive",
        )
    if warn <= 0:
        add(Severity.ERROR, f"Warn time [{warn} ms] is invalid: it must be more than 0", "warntime")
    elif warn >= dead:
        # Heartbeat 3.0.6 starts with this; a late-heartbeat warning just can never come first
        add(
            Severity.WARNING,
            f"warntime [{warn} ms] is not less than deadtime [{dead} ms]: a late heartbeat "
            "is never reported before the peer is declared dead",
            "warntime",
            "deadtime",
        )
    if init < dead:
        add(
            Severity.ERROR,
            f"Initial dead time [{init} ms] is smaller than deadtime [{dead} ms]",
            "initdead",
            "deadtime",
        )
    elif init < MIN_INITDEAD_MS:
        add(Severity.WARNING, f"Initial dead time [{init} ms] may be too small!", "initdead")
    return found


def check_nodes(ha_cf: HaCf, node_name: str) -> list[Problem]:
    """A node list exists and names this machine (Heartbeat refuses to start otherwise)."""
    path = ha_cf.path
    adds_itself = ha_cf.autojoin == "any"  # the daemon adds this node (engine/autojoin.py)
    if not ha_cf.nodes and not adds_itself:
        return [Problem(Severity.ERROR, "no nodes defined: add 'node NAME1 NAME2'", path)]
    found: list[Problem] = []
    if node_name not in ha_cf.nodes and not adds_itself:
        first = min(ha_cf.node_lines.values()) if ha_cf.node_lines else None
        listed = " ".join(ha_cf.nodes)
        found.append(
            Problem(
                Severity.ERROR,
                f"Current node [{shown(node_name)}] not in configuration! (node list: "
                f"{shown(listed)}). Cluster nodes are named by `uname -n` and must be declared "
                "with a 'node' directive in ha.cf (or pass --node-name)",
                path,
                first,
            )
        )
    if len(ha_cf.nodes) > 2:
        found.append(
            Problem(
                Severity.WARNING,
                f"{len(ha_cf.nodes)} nodes: when a node dies, hbtui gives its resources to one "
                "node, the first alive of the node list; the real Heartbeat 3.0.6 daemon (whose "
                "haresources mode is two-node) has every survivor take them, so they run twice: "
                "never mix it in; beyond two nodes, see `hbtui migrate --to pacemaker`",
                path,
                _at(ha_cf, "node") or max(ha_cf.node_lines.values()),
            )
        )
    return found


def check_homes(haresources: Haresources, ha_cf: HaCf) -> list[Problem]:
    """With more than two nodes every group must have one home: a resource message says
    only "local" or "foreign", so a third node could not tell whose groups a peer holds."""
    if len(ha_cf.nodes) <= 2 or not haresources.groups:
        return []
    first = haresources.groups[0]
    return [
        Problem(
            Severity.ERROR,
            f"group of {shown(group.node)} beside groups of {shown(first.node)} "
            f"(line {first.line}): with {len(ha_cf.nodes)} nodes every haresources line must "
            "name the same home node (Heartbeat's holds say only local or foreign)",
            haresources.path,
            group.line,
        )
        for group in haresources.groups
        if group.node != first.node
    ]


def check_media(ha_cf: HaCf, *, local_host: bool, net_dir: Path = NET_DIR) -> list[Problem]:
    """At least one medium (ucast, bcast or mcast); on this machine, their interfaces exist."""
    if not ha_cf.media:
        return [
            Problem(
                Severity.ERROR,
                "No heartbeat media defined: hbtui needs at least one 'ucast DEV HOST', "
                "'bcast DEV' or 'mcast DEV GROUP PORT TTL LOOP' line",
                ha_cf.path,
            )
        ]
    if not local_host:
        return []
    found: list[Problem] = []
    warned: set[str] = set()
    for medium in ha_cf.media:
        if medium.device in warned:
            continue
        try:
            exists = (net_dir / medium.device).exists()
        except (OSError, ValueError):
            exists = False
        if not exists:
            warned.add(medium.device)
            found.append(
                Problem(
                    Severity.WARNING,
                    f"interface {shown(medium.device)} does not exist on this machine "
                    "(expected when checking another host's configuration)",
                    ha_cf.path,
                    medium.line,
                )
            )
    return found


def _missing_script(name: str, config_dir: Path, init_d: Path) -> str:
    candidates = script_candidates(name, config_dir, init_d)
    for candidate in candidates:
        try:
            if candidate.is_file():
                return f"resource script {candidate} exists but is not executable (chmod +x)"
        except (OSError, ValueError):
            continue
    where = " or ".join(str(c) for c in candidates)
    return f"no script for resource {shown(name)}: looked for {shown(where)}"


def check_resources(
    haresources: Haresources,
    ha_cf: HaCf,
    config_dir: Path,
    *,
    local_host: bool,
    init_d: Path = INIT_D,
) -> list[Problem]:
    """Every group's node is a cluster node; every script exists and is executable."""
    found: list[Problem] = []
    path = haresources.path
    for group in haresources.groups:
        if ha_cf.nodes and group.node not in ha_cf.nodes:
            found.append(
                Problem(
                    Severity.ERROR,
                    f"Bad nodename in haresources [{shown(group.node)}]: not a cluster node "
                    f"(ha.cf node list: {shown(' '.join(ha_cf.nodes))})",
                    path,
                    group.line,
                )
            )
        for resource in group.resources:
            if resource.script is not None or resource.name in BUILTIN_RESOURCES:
                continue
            severity = Severity.ERROR if local_host else Severity.WARNING
            message = _missing_script(resource.name, config_dir, init_d)
            message += " (Heartbeat would start, then fail at takeover)"
            found.append(Problem(severity, message, path, group.line))
    return found
