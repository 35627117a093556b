"""README.txt of ``hbtui migrate --out DIR``: what each file is, the steps, and the reasons."""

from __future__ import annotations

from collections.abc import Sequence

from hbtui.config.model import ClusterConfig
from hbtui.migrate.fencing import fencing_lines
from hbtui.migrate.model import PacemakerConfig
from hbtui.migrate.prose import folded
from hbtui.migrate.timing import Timing


def _steps(has_wrappers: bool) -> list[str]:
    steps = [
        "Steps (every node unless it says one node):",
        "  1. apt-get install corosync pacemaker pacemaker-cli-utils resource-agents",
        "     (pcs or crmsh only if you want their commands; nothing starts at install on a",
        "     Debian host without systemd, on a systemd host: systemctl disable --now corosync",
        "     pacemaker until step 4).",
        "  2. Stop Heartbeat (or hbtui) on both nodes: /etc/init.d/heartbeat stop (or hbtui),",
        "     and keep it from starting at boot. Keep /etc/ha.d: it is the way back, and the",
        "     resource.d scripts are still used.",
        "  3. install -m 0644 corosync.conf /etc/corosync/corosync.conf",
        "     install -m 0400 authkey /etc/corosync/authkey   (the same key on every node)",
    ]
    if has_wrappers:
        steps += [
            "     install -m 0755 init.d/* /etc/init.d/   (never enable them at boot)",
        ]
    steps += [
        "  4. Start corosync, then pacemaker (systemctl start corosync pacemaker, or",
        "     corosync and pacemakerd). Wait until 'crm_mon -1' shows every node online.",
        "  5. One node: crm_verify --xml-file cib.xml && cibadmin --replace --xml-file cib.xml",
        "     (or: sh pcs.sh, or: crm configure load update crm.txt).",
        "  6. Check: crm_mon -1 shows each group started on its home node; ip addr shows the VIP.",
        "Way back: stop pacemaker and corosync on both nodes, start heartbeat (or hbtui) again.",
    ]
    return steps


def readme_text(
    config: ClusterConfig,
    pacemaker: PacemakerConfig,
    timing: Timing,
    address_reasons: Sequence[str],
    warnings: Sequence[str],
) -> str:
    """The README for the output directory."""
    nodes = config.ha_cf.nodes
    out = [
        f"Moving the Heartbeat cluster in {config.config_dir} to Corosync + Pacemaker",
        "",
        "Files:",
        "  corosync.conf  Corosync 3 (knet, encrypted), for /etc/corosync/ on every node",
        "  authkey        its key (secret, mode 0400), for /etc/corosync/ on every node",
        "  cib.xml        the Pacemaker configuration (cibadmin --replace --xml-file cib.xml)",
        "  pcs.sh         the same as pcs commands",
        "  crm.txt        the same for crmsh (crm configure load update crm.txt)",
    ]
    if pacemaker.wrappers:
        out.append("  init.d/        LSB wrappers for Heartbeat resource scripts (see Resources)")
    out += ["", *_steps(bool(pacemaker.wrappers)), "", "Nodes (corosync nodelist):"]
    out += [f"  {reason}" for reason in address_reasons]
    out += ["", "Timers:", *(f"  {line}" for line in folded(timing.reasoning))]
    out += ["", "Resources (each haresources line is a group, started left to right):"]
    for group in pacemaker.groups:
        out.append(f"  group {group.id} (line {group.line}), home node {group.home_node}:")
        for p in group.primitives:
            out += folded([f"    {p.token} -> {p.id} {p.agent}: {p.mapping}"])
    out += [
        "",
        "  Generated LSB wrappers run the Heartbeat script with the same arguments",
        "  (SCRIPT ARG1 ARG2 start|stop|status, from /etc/ha.d/resource.d then /etc/init.d) and",
        "  answer status as Heartbeat judged it: 'running'/'OK' -> running, 'not running' ->",
        "  stopped; a script that says neither counts as running between the wrapper's start",
        "  and stop. Pacemaker then monitors only that; write an OCF agent for a real check.",
        "",
        "Cluster options:",
        *(f"  {note}" for note in folded(pacemaker.notes)),
        "",
        *fencing_lines(nodes),
    ]
    if warnings:
        out += ["", "Check these:", *folded(f"  - {w}" for w in warnings)]
    return "\n".join(out) + "\n"
