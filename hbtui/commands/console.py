"""``hbtui console``: open the operator's console on this machine's node.

Which source it reads (``hbtui.console.pick``):

- a real ``heartbeat`` daemon runs here: watch it read-only (its ha-log, cl_status);
- an ``hbtui node`` answers on the control socket: attach to it;
- otherwise: run the node inside the console (embedded; quitting stops it gracefully).

``--record FILE`` writes what the console shows as a trace; ``--replay FILE`` (hidden;
``demo`` = the built-in trace) plays one back instead of reading a node.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

from hbtui.cli_common import add_common_options
from hbtui.control import DEFAULT_SOCKET


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui console``."""
    add_common_options(parser)
    parser.add_argument(
        "--control-socket",
        default=str(DEFAULT_SOCKET),
        help=f"where a running `hbtui node` answers (default {DEFAULT_SOCKET})",
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "watch", "attach", "embedded"),
        default="auto",
        help="auto (default): watch a real heartbeat, else attach to `hbtui node`, "
        "else run the node here",
    )
    parser.add_argument(
        "--record",
        default=None,
        metavar="FILE",
        help="also write every event the console shows to FILE (JSON lines) for a later replay",
    )
    parser.add_argument("--replay", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--replay-speed", type=float, default=1.0, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Pick the source, run the app, return its exit status."""
    if args.replay:
        return _run_replay(args.replay, args.replay_speed)
    from hbtui.console.app import ConsoleApp
    from hbtui.console.pick import pick_source

    picked = pick_source(
        Path(args.config_dir),
        Path(args.state_dir),
        Path(args.control_socket),
        node_name=args.node_name,
        mode=args.mode,
    )
    if isinstance(picked, str):
        print(f"hbtui console: {picked}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        record = None
        if args.record:
            record = stack.enter_context(open(args.record, "w", encoding="utf-8", buffering=1))
        app = ConsoleApp(
            picked.source,
            autostart=picked.autostart,
            stop_on_quit=picked.stop_on_quit,
            udpport=picked.udpport,
            record=record,
        )
        app.run()
    return 0


def _run_replay(name: str, speed: float) -> int:
    from hbtui.console import trace
    from hbtui.console.app import ConsoleApp
    from hbtui.console.demo_trace import trace as demo_trace
    from hbtui.console.replay import ReplaySource, initial_snapshot

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
