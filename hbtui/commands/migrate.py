"""``hbtui migrate --to pacemaker``: write the Corosync + Pacemaker configuration of this cluster.

Reads ha.cf, haresources and authkeys like ``hbtui check``; the generation itself is pure
(``hbtui.migrate``). Here: name resolution, the new Corosync key (random, written mode 0400,
never printed), and the files.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import shlex
import socket
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from hbtui.cli_common import add_common_options
from hbtui.config.lines import shown
from hbtui.config.loader import AUTHKEYS, load_config, local_node_name
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import Problem, Severity
from hbtui.migrate.corosync import AUTHKEY_BYTES
from hbtui.migrate.plan import MigrateOptions, Migration, MigrationError, plan_migration

FORMATS = ("xml", "pcs", "crm", "corosync")
REHEARSAL_DC_DEADTIME_S = 5  # the lab's nodes boot together: no need to wait initdead
FENCING_SHORT = (
    "STONITH is off in this configuration: without fencing, a split (cut link, frozen node) "
    "runs the VIP and the scripts on both nodes. See the Fencing section of README.txt "
    "(--out) or the comments in the output for how to add it."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui migrate``."""
    add_common_options(parser)
    parser.add_argument(
        "--to", choices=["pacemaker"], default="pacemaker", help="the target (and the default)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="xml",
        help="what to print without --out: the CIB (xml, default), pcs or crm commands, "
        "or corosync.conf",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write corosync.conf, authkey, cib.xml, pcs.sh, crm.txt, README.txt (and init.d/)",
    )
    parser.add_argument("--cluster-name", default="hacluster", help="Corosync cluster_name")
    parser.add_argument(
        "--token", type=int, metavar="MS", help="Corosync token (default: from deadtime)"
    )
    parser.add_argument(
        "--dc-deadtime",
        type=int,
        metavar="S",
        help="Pacemaker dc-deadtime in seconds (default: Heartbeat's initdead)",
    )
    parser.add_argument(
        "--rehearse",
        action="store_true",
        help="build this cluster in namespaces on this machine, migrated and on hbtui's node, "
        "and time a power cut of the home node and its return on both (root; corosync and "
        "pacemaker installed; your scripts never run: stand-ins do)",
    )
    parser.add_argument(
        "--cutover",
        action="store_true",
        help="move this running cluster to Corosync + Pacemaker over the SSH links: read every "
        "node, print each step with its commands, checks and undo, then run it when you type "
        "'move' (or --yes); a failed step is rolled back to Heartbeat/hbtui",
    )
    parser.add_argument("--yes", action="store_true", help="with --cutover: run without asking")
    parser.add_argument(
        "--peer-hbtui",
        default="hbtui",
        metavar="COMMAND",
        help="with --cutover: how hbtui is run on the other nodes over SSH (default: hbtui)",
    )
    parser.add_argument(
        "--ring0",
        action="append",
        default=[],
        metavar="NODE=ADDRESS",
        help="a node's Corosync address (default: from the ucast lines and name resolution)",
    )


def resolve_ipv4(name: str) -> str | None:
    """The first IPv4 address of ``name`` (/etc/hosts, then DNS), or None."""
    try:
        found = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return None
    return str(found[0][4][0]) if found else None


def load_for_migration(
    config_dir: Path, node_name: str | None
) -> tuple[ClusterConfig | None, list[Problem]]:
    """The configuration as any node of it (which one does not matter to a migration).

    authkeys problems do not stop a migration (Corosync gets a new key): they become warnings.
    """
    config, problems = load_config(
        config_dir, node_name or local_node_name(), local_host=False, partial=True
    )
    if config is not None and config.node_name not in config.ha_cf.nodes and config.ha_cf.nodes:
        config, problems = load_config(
            config_dir, config.ha_cf.nodes[0], local_host=False, partial=True
        )
    relaxed = [
        Problem(Severity.WARNING, f"{p.message} (not used by the migration)", p.path, p.line)
        if p.severity is Severity.ERROR and p.path is not None and p.path.name == AUTHKEYS
        else p
        for p in problems
    ]
    return config, relaxed


def parse_ring0(values: list[str]) -> dict[str, str]:
    """``NODE=ADDRESS`` arguments as a dict (node names lower-cased like ha.cf's)."""
    given: dict[str, str] = {}
    for value in values:
        node, sep, address = value.partition("=")
        if not sep or not node or not address:
            raise ValueError(f"--ring0 {value}: expected NODE=ADDRESS")
        given[node.strip().lower()] = address.strip()
    return given


def write_file(path: Path, text: str | bytes, mode: int) -> None:
    """Create or replace ``path`` with ``mode`` from the start (no window with wider rights)."""
    data = text.encode() if isinstance(text, str) else text
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def write_out(migration: Migration, out_dir: Path, out: TextIO) -> None:
    """Every file of the migration in ``out_dir``; an existing authkey there is kept."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "corosync.conf": (migration.corosync_conf, 0o644),
        "cib.xml": (migration.cib_xml, 0o644),
        "pcs.sh": (migration.pcs_sh, 0o755),
        "crm.txt": (migration.crm_txt, 0o644),
        "README.txt": (migration.readme, 0o644),
    }
    for name, (text, mode) in files.items():
        write_file(out_dir / name, text, mode)
        out.write(f"wrote {out_dir / name}\n")
    if migration.wrappers:
        (out_dir / "init.d").mkdir(exist_ok=True)
        for name, text in migration.wrappers.items():
            write_file(out_dir / "init.d" / name, text, 0o755)
            out.write(f"wrote {out_dir / 'init.d' / name}\n")
    key = out_dir / "authkey"
    if key.exists():
        out.write(f"kept {key} (the key the nodes may already share; delete it for a new one)\n")
    else:
        write_file(key, secrets.token_bytes(AUTHKEY_BYTES), 0o400)
        out.write(f"wrote {key} (new random key, mode 0400)\n")


def printed(migration: Migration, fmt: str) -> str:
    """The text ``--format`` asks for."""
    return {
        "xml": migration.cib_xml,
        "pcs": migration.pcs_sh,
        "crm": migration.crm_txt,
        "corosync": migration.corosync_conf,
    }[fmt]


def migrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Load, plan, then print or write; 1 when the configuration cannot be migrated."""
    config, problems = load_for_migration(Path(args.config_dir), args.node_name)
    for problem in problems:
        err.write(shown(str(problem)) + "\n")
    if config is None or any(p.severity is Severity.ERROR for p in problems):
        err.write("hbtui migrate: fix the errors above first\n")
        return 1
    if args.rehearse:
        return rehearse(config, args, out, err)
    try:
        options = MigrateOptions(
            cluster_name=args.cluster_name,
            token_ms=args.token,
            dc_deadtime_s=args.dc_deadtime,
            ring0=parse_ring0(args.ring0),
        )
        migration = plan_migration(config, resolve_ipv4, options)
    except (MigrationError, ValueError) as exc:
        err.write(f"hbtui migrate: {exc}\n")
        return 1
    if args.cutover:
        from hbtui.commands.cutover import run_cutover

        for warning in migration.warnings:
            err.write(f"hbtui migrate: warning: {warning}\n")
        err.write(f"hbtui migrate: {FENCING_SHORT}\n")
        program = tuple(shlex.split(args.peer_hbtui)) or ("hbtui",)
        return run_cutover(config, migration, out, err, assume_yes=args.yes, hbtui_program=program)
    if args.out:
        write_out(migration, Path(args.out), out)
    else:
        out.write(printed(migration, args.format))
        if migration.wrappers:
            names = ", ".join(migration.wrappers)
            err.write(f"hbtui migrate: needs the LSB wrappers {names}: use --out DIR\n")
    for warning in migration.warnings:
        err.write(f"hbtui migrate: warning: {warning}\n")
    err.write(f"hbtui migrate: {FENCING_SHORT}\n")
    return 0


def rehearse(config: ClusterConfig, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``--rehearse``: the figures of hbtui and of the migrated cluster, side by side."""
    from hbtui.lab import rehearse as lab_rehearse
    from hbtui.lab.demo import why_not
    from hbtui.lab.pacemaker import pacemaker_unavailable

    reason = why_not() or pacemaker_unavailable()
    if reason:
        err.write(f"hbtui migrate --rehearse: cannot run here: {reason}\n")
        return 1
    with tempfile.TemporaryDirectory(prefix="hbtui-rehearse-") as tmp:
        work = Path(tmp)
        try:
            plan = lab_rehearse.rehearsal_config(config, work / "ha.d")
        except ValueError as exc:
            err.write(f"hbtui migrate --rehearse: {exc}\n")
            return 1
        lab_config, _ = load_config(plan.config_dir, plan.home, local_host=False)
        if lab_config is None:
            err.write("hbtui migrate --rehearse: the lab's copy of the configuration failed\n")
            return 1
        options = MigrateOptions(cluster_name=args.cluster_name, token_ms=args.token,
                                 dc_deadtime_s=REHEARSAL_DC_DEADTIME_S)  # fmt: skip
        write_out(
            plan_migration(lab_config, resolve_ipv4, options), work / "migrated", io.StringIO()
        )
        out.write(f"Rehearsal of {config.config_dir} in namespaces on this machine:\n")
        out.write("".join(f"  {note}\n" for note in plan.notes))
        out.write("hbtui node: starting the cluster, then kill -9 of the home node...\n")
        out.flush()
        hbtui_found = lab_rehearse.time_hbtui(plan, work / "lab-hbtui")
        out.write("Corosync + Pacemaker: booting the migrated cluster, then a power cut...\n")
        out.flush()
        pacemaker_found = lab_rehearse.time_pacemaker(plan, work / "migrated", work / "lab-pcmk")
        out.write(lab_rehearse.table(plan, hbtui_found, pacemaker_found) + "\n")
    err.write(f"hbtui migrate: {FENCING_SHORT}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    """``hbtui migrate --to pacemaker`` on ``--config-dir``."""
    return migrate(args, sys.stdout, sys.stderr)
