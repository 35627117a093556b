"""``hbtui console``: open the operator's console on this machine's node.

Which source it reads (``hbtui.sources.pick``):

- a real ``heartbeat`` daemon runs here: watch it read-only (its ha-log, cl_status);
- an ``hbtui node`` answers on the control socket: attach to it;
- Corosync + Pacemaker answer ``crm_mon`` here (after ``hbtui migrate``): the Pacemaker
  view (``hbtui.console.pacemaker_app``); ``--pacemaker-host HOST`` shows HOST's, read-only;
- otherwise: show the configuration and the peers, and offer to run the node inside the
  console (``r``, with a dialog saying what will happen; ``--embedded`` starts it at once);
  quitting a console that runs the node asks first, then stops it gracefully.

Every other node of ha.cf is reached over SSH (``hbtui.sources.peers``; ``--no-peers``
skips it): its own view shows beside ours, the keys act on it when it is focused, and
``h`` runs the hostname wizard over the links. ``D`` runs a failover drill on the focused
node (as ``hbtui drill``); its reports go to ``drills/`` in the state dir. ``B`` makes a
support bundle (as ``hbtui report``) over the same links into ``reports/`` in the state dir.

``--record FILE`` writes what the console shows as a trace; ``--replay FILE`` (hidden;
``demo`` = the built-in trace) plays one back instead of reading a node.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import shlex
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.sources.tracefile import TraceFile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui console``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    parser.add_argument(
        "--mode",
        choices=("auto", "watch", "attach", "embedded", "pacemaker"),
        default="auto",
        help="auto (default): watch a real heartbeat, else attach to `hbtui node`, "
        "else the Pacemaker view when Corosync + Pacemaker run here, else show the config "
        "and peers and offer (r) to start a node here",
    )
    parser.add_argument(
        "--pacemaker-host",
        default=None,
        metavar="HOST",
        help="the Pacemaker view of HOST's cluster over SSH, read-only (crm_mon runs there)",
    )
    parser.add_argument(
        "--embedded",
        dest="mode",
        action="store_const",
        const="embedded",
        help="start a node inside the console at once (quitting asks, then stops it)",
    )
    parser.add_argument(
        "--record",
        default=None,
        metavar="FILE",
        help="also write every event the console shows to FILE (JSON lines) for a later replay",
    )
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="do not reach the other nodes of ha.cf over SSH (by default their views are shown "
        "beside ours and `h` can rename a node)",
    )
    parser.add_argument(
        "--peer-hbtui",
        default="hbtui",
        metavar="COMMAND",
        help="how `hbtui` is run on the other nodes over SSH, split like a shell would "
        "(default: hbtui on the SSH session's PATH; a venv: /opt/hbtui/bin/hbtui)",
    )
    parser.add_argument("--replay", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--replay-speed", type=float, default=1.0, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Pick the source, run the app, return its exit status."""
    if args.replay:
        return _run_replay(args.replay, args.replay_speed)
    if args.mode == "pacemaker" or args.pacemaker_host:
        return _run_pacemaker(args.pacemaker_host)
    from hbtui.commands.drill import keeper
    from hbtui.console.app import ConsoleApp
    from hbtui.drill.driver import DrillSetup
    from hbtui.sources.drill_reads import after_reads, preflight_reads
    from hbtui.sources.pick import pick_source

    picked = pick_source(
        Path(args.config_dir),
        Path(args.state_dir),
        Path(args.control_socket),
        node_name=args.node_name,
        mode=args.mode,
    )
    nothing_runs = isinstance(picked, str) or picked.source.mode == "embedded"
    if args.mode == "auto" and nothing_runs and _pacemaker_here():
        # migrated: show Pacemaker, never offer to start a Heartbeat node beside it
        return _run_pacemaker(None)
    if isinstance(picked, str):
        print(f"hbtui console: {picked}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        record = None
        if args.record:
            record = stack.enter_context(TraceFile(Path(args.record)))
        peers, rename = _peers(args, picked.source.node_name)
        app: ConsoleApp = ConsoleApp(
            picked.source,
            others=peers,
            autostart=picked.autostart,
            stop_on_quit=picked.stop_on_quit,
            udpport=picked.udpport,
            record=record,
            rename=rename,
            reopen=None if args.no_peers else _reopener(args, picked.source),
            drill=DrillSetup(
                keep=keeper(Path(args.state_dir) / "drills"),
                reads=preflight_reads(lambda: runners_of(app), PurePosixPath(args.config_dir)),
                peer_scripts=after_reads(lambda: runners_of(app), PurePosixPath(args.config_dir)),
            ),
            cutover=_cutover(args, picked.source.node_name, peers),
            postmortem=_postmortem(args, picked.source.node_name),
            bundle=bundle_setup(args, picked.source.node_name, lambda: runners_of(app)),
        )
        app.run()
    return 0


def runners_of(app: Any, local: Any = None) -> dict[str, Any]:
    """A runner per node the console shows: this machine's (``local``, by default a
    ``LocalRunner``), or the peer's SSH link."""
    from hbtui.remote.runner import LocalRunner
    from hbtui.sources.peer import PeerSource

    here = local if local is not None else LocalRunner()
    return {
        name: src.session.link if isinstance(src, PeerSource) else here
        for name, src in app.sources.items()
    }


def _peers(args: argparse.Namespace, us: str) -> tuple[list[Any], Any]:
    """The other nodes over SSH and the rename wizard over them (none with --no-peers)."""
    if args.no_peers:
        return [], None
    from hbtui.config.loader import load_config
    from hbtui.sources.peers import options_for_dirs, peers_for

    config, _problems = load_config(Path(args.config_dir), us)
    if config is None:
        return [], None
    options = options_for_dirs(Path(args.config_dir), Path(args.state_dir))
    program = tuple(shlex.split(args.peer_hbtui)) or options.hbtui_program
    options = dataclasses.replace(
        options,
        hbtui_program=program,
        rename_options={**options.rename_options, "hbtui_program": program},
        **_peer_probe(Path(args.config_dir), config),
    )
    return peers_for(config, us, options)


def _peer_probe(config_dir: Path, config: Any) -> dict[str, Any]:
    """The split-brain probe from each peer's side, as hbtui.conf's ``split_brain_probe``
    asks (nothing when it is off or unreadable: ``hbtui check`` names the problem)."""
    from hbtui.adapters.splitbrain import probe_targets
    from hbtui.config.hbtui_conf import load_settings
    from hbtui.config.problems import ConfigError

    try:
        every_ms = load_settings(config_dir).split_brain_probe_ms
    except ConfigError:
        return {}
    if every_ms is None:
        return {}
    return {"probe_every_s": every_ms / 1000, "probe_on": tuple(probe_targets(config))}


def _cutover(args: argparse.Namespace, us: str, peers: list[Any]) -> Any:
    """The move to Pacemaker over this node and every peer's SSH link (none without peers)."""
    if args.no_peers or not peers:
        return None
    from hbtui.commands.migrate import load_for_migration, resolve_ipv4
    from hbtui.cutover.wizard import cutover_backend
    from hbtui.migrate.plan import plan_migration
    from hbtui.remote.runner import LocalRunner

    config, _problems = load_for_migration(Path(args.config_dir), us)
    if config is None:
        return None
    runners = {us: LocalRunner(), **{p.node_name: p.session.link for p in peers}}
    program = tuple(shlex.split(args.peer_hbtui)) or ("hbtui",)
    options = {
        name: {"config_dir": PurePosixPath(args.config_dir), "hbtui_program": program}
        for name in runners
    }
    options[us] = {**options[us], "hbtui_program": (sys.executable, "-m", "hbtui.cli")}
    return cutover_backend(config, lambda: plan_migration(config, resolve_ipv4), runners, options)


def _postmortem(args: argparse.Namespace, us: str) -> Any:
    """``P``: the post-mortem of this node's ha-log (and ha-debug), read off the loop."""
    from hbtui.config.loader import load_config
    from hbtui.postmortem.inputs import report_of

    config, _problems = load_config(Path(args.config_dir), us, local_host=False, partial=True)
    if config is None or config.ha_cf.logfile is None:
        return None
    logs = [p for p in (config.ha_cf.logfile, config.ha_cf.debugfile) if p is not None]

    async def make_report() -> Any:
        found = [p for p in logs if p.exists()] or logs[:1]  # a missing log is said by name
        return await asyncio.to_thread(report_of, found, Path(args.config_dir), [])

    return make_report


def bundle_setup(
    args: argparse.Namespace, us: str, runners: Any, directory: Path | None = None
) -> Any:
    """``B``: a support bundle (as ``hbtui report``) of this node and every peer, over the
    runners ``runners()`` gives when asked (this node's first, then the console's own
    links), into ``directory`` (default: the state dir's ``reports/``)."""
    from hbtui.config.loader import load_config
    from hbtui.report.ask import BundleAsk, Bundled, BundleSetup
    from hbtui.report.collect import Where
    from hbtui.report.make import bundle_name, logs_of, make_bundle, over

    config, _problems = load_config(Path(args.config_dir), us, local_host=False, partial=True)
    config_dir, state_dir = PurePosixPath(args.config_dir), PurePosixPath(args.state_dir)
    logs = logs_of(config)
    here = Where(config_dir, state_dir, logs, (sys.executable, "-m", "hbtui"), args.control_socket)
    there = Where(config_dir, state_dir, logs, tuple(shlex.split(args.peer_hbtui)) or ("hbtui",))
    directory = directory or Path(args.state_dir) / "reports"

    async def make(ask: BundleAsk) -> Bundled:
        given = runners()
        me = next(iter(given), us)
        collectors = {n: over(r, here if n == me else there) for n, r in given.items()}
        return await make_bundle(
            me, collectors, ask, directory / bundle_name(me),
            port=config.ha_cf.udpport if config else 694,
            config_dir=Path(args.config_dir) if config else None,
        )  # fmt: skip

    return BundleSetup(make, directory)


def _reopener(args: argparse.Namespace, first: Any) -> Any:
    """After the wizard renamed a node: this node's source and the peers from the new config.

    An attached or watched node is picked again (it was restarted, maybe under a new
    name); an embedded one is this process and stays.
    """
    from hbtui.sources.pick import pick_source

    current = [first]

    async def reopen(old: str, new: str) -> tuple[Any, list[Any], Any]:
        source = current[0]
        if source.mode != "embedded":
            node_name = new if args.node_name == old else args.node_name
            picked = await asyncio.to_thread(
                pick_source,
                Path(args.config_dir),
                Path(args.state_dir),
                Path(args.control_socket),
                node_name=node_name,
                mode=args.mode,
            )
            if isinstance(picked, str):
                raise RuntimeError(picked)
            source = current[0] = picked.source
        peers, rename = await asyncio.to_thread(_peers, args, source.node_name)  # reads ha.cf
        return source, peers, rename

    return reopen


def _pacemaker_here() -> bool:
    """Whether crm_mon answers for a cluster on this machine."""
    from hbtui.commands.status import pacemaker_view

    return pacemaker_view() is not None


def _run_pacemaker(host: str | None) -> int:
    """The Pacemaker view: crm_mon on this machine, or on ``host`` over SSH (read-only)."""
    import socket

    from hbtui.console.pacemaker_app import PacemakerApp
    from hbtui.remote.runner import LocalRunner
    from hbtui.remote.ssh import PeerLink, PeerTarget
    from hbtui.sources.pacemaker import PacemakerFeed

    async def main() -> int:
        link = PeerLink(PeerTarget(node=host)) if host else None
        if link is not None:
            link.start()
            feed = PacemakerFeed(link, host or "", read_only=True)
        else:
            feed = PacemakerFeed(LocalRunner(), socket.gethostname())
        try:
            await PacemakerApp(feed).run_async()
        finally:
            await feed.close()
            if link is not None:
                await link.close()
        return 0

    return asyncio.run(main())


def _run_replay(name: str, speed: float) -> int:
    from hbtui.console.app import ConsoleApp
    from hbtui.sources.demo_trace import trace as demo_trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot
    from hbtui.stream import trace

    try:
        items = demo_trace() if name == "demo" else trace.load(Path(name))
    except (OSError, ValueError) as exc:
        print(f"hbtui console: cannot read the trace {name}: {exc}", file=sys.stderr)
        return 2
    source = ReplaySource(items, initial_snapshot(items))

    async def main() -> int:
        app = ConsoleApp(source, poll_sockets=False)
        player = asyncio.create_task(source.play(speed))
        try:
            await app.run_async()
        finally:
            await source.close()
            player.cancel()
        return 0

    return asyncio.run(main())
