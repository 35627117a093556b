"""``hbtui drill``: a failover drill on the live cluster, from this node.

Preflight (this node active, the peer alive, the addresses on one node, no failed stop,
split brain, running script or handshake), then the group moves away from its holder and
back: ``standby`` when this node holds it, else ``takeover`` (both given on this node).
Each move is timed until the snapshot shows every address on the target and nothing
running. The first anomaly (a script failing or timing out, a stop failure, a node
declared dead, a move not done within ``--timeout``) ends the drill and the group is put
back where it was. The report (Markdown printed and kept, JSON kept) goes under
``--reports-dir`` (``drills/`` in the state dir); the previous drill's times stand beside
this one's. The sequence is ``hbtui.drill.driver`` (the console's ``D`` runs the same),
here over the control socket through ``AttachedSource`` for an hbtui node, or for the
real heartbeat daemon (``--daemon heartbeat``, or found running when no hbtui node
answers) through ``DaemonTarget``: hb_standby / hb_takeover, cl_status, the addresses
on the interfaces and its ha-log (scripts, per-phase times, recent trouble). The
preflight also compares this node's ha.cf, haresources and authkeys with the peer's,
read over SSH (``hbtui.sources.drill_reads``; a breaking difference refuses the drill,
an unread file is a note), and reads this node's ha-log for recent trouble. After the
drill the peer's resource-script calls of the drill's window are read from its ha-log
over the same link, for the report beside this node's (without a link the report says
they were not read). A split brain during the drill ends it too; while it goes on the
group is not moved again (the report says where it is).

Exit status: 0 passed, 1 aborted (or the node refused), 2 refused by the preflight,
3 no node runs here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, request
from hbtui.drill.checks import peers
from hbtui.drill.driver import Drill, DrillTarget, KeepDrill, plan
from hbtui.drill.report import DrillReport
from hbtui.sources.attach import AttachedSource
from hbtui.sources.pick import find_heartbeat
from hbtui.stream.codec import rfc3339

if TYPE_CHECKING:
    from hbtui.remote.runner import CommandRunner
    from hbtui.remote.ssh import PeerLink
    from hbtui.sources.daemon_target import DaemonTarget

EXIT_PASSED, EXIT_ABORTED, EXIT_REFUSED, EXIT_NO_NODE = 0, 1, 2, 3
LINK_S = 10.0  # the SSH link to the peer, tried once


class OwnedTarget(DrillTarget, Protocol):
    """A drill target this command opened, and so closes."""

    async def close(self) -> None: ...


MakeTarget = Callable[[], OwnedTarget]


DAEMONS = ("auto", "hbtui", "heartbeat")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui drill``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds each move may take (default 120)")  # fmt: skip
    parser.add_argument("--reports-dir",
                        help="where reports are kept (default: --state-dir/drills)")  # fmt: skip
    parser.add_argument("--daemon", choices=DAEMONS, default="auto",
                        help="the node's daemon: hbtui (its control socket) or heartbeat (the "
                        "real daemon: hb_standby/hb_takeover, cl_status, its ha-log); auto: "
                        "hbtui when its control socket answers, else heartbeat when it runs "
                        "(default auto)")  # fmt: skip
    parser.add_argument("--peer", metavar="HOST",
                        help="the peer's address for SSH, to compare its ha.cf, haresources "
                        "and authkeys with this node's (default: its node name, as "
                        "ssh_config maps it)")  # fmt: skip
    parser.add_argument("--no-peer", action="store_true",
                        help="do not read the peer's configs (the report says they were "
                        "not compared)")  # fmt: skip
    parser.epilog = "exit status: 0 passed; 1 aborted; 2 refused by the preflight; 3 no node runs"


async def drive(make: MakeTarget, report: DrillReport, timeout_s: float) -> None:
    """The drill (``hbtui.drill.driver``) on the target ``make`` gives, closed after."""
    target = make()  # on the running loop
    try:
        await Drill(target, report, timeout_s=timeout_s).run()
    finally:
        await target.close()


def daemon_target(args: argparse.Namespace) -> DaemonTarget:
    """The real heartbeat daemon on this node, as the console's watch mode reads it."""
    from hbtui.config.loader import load_config
    from hbtui.sources.loader_watch import watch_source

    config_dir = Path(args.config_dir)
    config, _ = load_config(config_dir, args.node_name, partial=True)
    return watch_source(config_dir, config, args.node_name, 0).drill_target()


class Runners(NamedTuple):
    """A runner per node (the peer's: its link), the link to close, why there is none."""

    runners: dict[str, CommandRunner]
    link: PeerLink | None
    unlinked: str


async def peer_runners(
    args: argparse.Namespace, snap: dict[str, Any]
) -> tuple[Runners, dict[str, Any]]:
    """This node's runner and the peer's SSH link (by its node name, or ``--peer``; none
    with ``--no-peer``), tried once, bounded; the snapshot says when it failed."""
    from hbtui.remote.runner import LocalRunner
    from hbtui.remote.ssh import LinkError, PeerLink, PeerTarget

    node, others = str(snap.get("node") or ""), list(peers(snap))
    runners: dict[str, CommandRunner] = {node: LocalRunner()}
    if len(others) != 1 or args.no_peer:
        return Runners(runners, None, "--no-peer" if args.no_peer else ""), snap
    link = PeerLink(PeerTarget(node=others[0], host=args.peer, connect_timeout_s=LINK_S))
    try:
        await link.connect_once()
    except LinkError as exc:
        await link.close()
        why = f"no SSH link to {link.target.address}: {exc}"
        return Runners(runners, None, why), {
            **snap,
            "configs": {"unread": [f"configs not compared ({why})"]},
        }
    runners[others[0]] = link
    return Runners(runners, link, ""), snap


async def session(args: argparse.Namespace, make: MakeTarget, snap: dict[str, Any]) -> DrillReport:
    """Preflight (``snap`` with both nodes' configs compared and this node's ha-log read
    for trouble: ``hbtui.sources.drill_reads``), the drill unless refused, then the
    peer's scripts from its ha-log, all over one SSH link to the peer."""
    from hbtui.remote.ssh import LinkError
    from hbtui.sources.drill_reads import read_peer_scripts, with_reads

    config_dir = PurePosixPath(args.config_dir)
    (runners, link, unlinked), snap = await peer_runners(args, snap)
    try:
        report = plan(await with_reads(snap, runners, config_dir), rfc3339(time.time()))
        if report.refused:
            return report
        await drive(make, report, args.timeout)
        try:
            await read_peer_scripts(report, runners, config_dir)
        except (LinkError, OSError) as exc:
            report.peer_unread = f"{report.peer}: {exc}"
        report.peer_unread = unlinked or report.peer_unread
        return report
    finally:
        if link is not None:
            await link.close()


def target_and_snapshot(args: argparse.Namespace) -> tuple[MakeTarget, dict[str, Any]] | int:
    """The node to drill and its first snapshot, or the exit status when there is none."""
    path = Path(args.control_socket)
    if args.daemon != "heartbeat":
        try:
            snap = request(path, "snapshot")
            return (lambda: AttachedSource(path, snap)), snap
        except NoNodeRunning as exc:
            if args.daemon == "hbtui" or find_heartbeat() is None:
                print(f"hbtui drill: {exc}; no heartbeat daemon runs here", file=sys.stderr)
                return EXIT_NO_NODE
        except ControlError as exc:
            print(f"hbtui drill: {exc}", file=sys.stderr)
            return EXIT_ABORTED
    target = daemon_target(args)
    snap = asyncio.run(target.snapshot())
    if not snap:
        print("hbtui drill: heartbeat does not run here (cl_status hbstatus)", file=sys.stderr)
        return EXIT_NO_NODE
    return (lambda: target), snap


def previous_report(directory: Path) -> dict[str, Any] | None:
    """The last drill kept in ``directory`` (None when there is none or it is unreadable)."""
    kept = sorted(directory.glob("drill-*.json"))
    try:
        return json.loads(kept[-1].read_text()) if kept else None
    except (OSError, ValueError):
        return None


def keep(report: DrillReport, directory: Path, markdown: str) -> Path:
    """Write the report's JSON and Markdown into ``directory``; the Markdown's path."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = "drill-" + report.started.replace(":", "").replace("-", "").replace(".", "_")
    (directory / f"{stem}.json").write_text(report.to_json())
    path = directory / f"{stem}.md"
    path.write_text(markdown)
    return path


def keeper(directory: Path) -> KeepDrill:
    """Keeps a finished drill in ``directory`` beside the last one, off the loop (the
    console's ``D``); returns where the Markdown went."""

    def write(report: DrillReport) -> str:
        return str(keep(report, directory, report.to_markdown(previous_report(directory))))

    async def keep_off_loop(report: DrillReport) -> str:
        return await asyncio.to_thread(write, report)

    return keep_off_loop


def run(args: argparse.Namespace) -> int:
    """Preflight, drill, report."""
    found = target_and_snapshot(args)
    if isinstance(found, int):
        return found
    make, snap = found
    report = asyncio.run(session(args, make, snap))
    directory = Path(args.reports_dir or Path(args.state_dir) / "drills")
    markdown = report.to_markdown(previous_report(directory))
    print(markdown, end="")
    try:
        print(f"kept: {keep(report, directory, markdown)}")
    except OSError as exc:
        print(
            f"hbtui drill: cannot keep the report in {directory}: {exc.strerror}", file=sys.stderr
        )
    return {"passed": EXIT_PASSED, "refused": EXIT_REFUSED}.get(report.result, EXIT_ABORTED)
