"""``hbtui console``: open the operator's console on this machine's node.

Which source it reads (``hbtui.console.source``):

- a real ``heartbeat`` daemon runs here: watch it read-only (its ha-log, its sockets);
- an ``hbtui node`` answers on the control socket: attach to it;
- otherwise: run the node inside the console (embedded).

``--replay FILE`` (hidden; ``demo`` = the built-in trace) plays a recorded trace instead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hbtui.cli_common import add_common_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui console``."""
    add_common_options(parser)
    parser.add_argument("--replay", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--replay-speed", type=float, default=1.0, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Pick the source, run the app, return its exit status."""
    if args.replay:
        return _run_replay(args.replay, args.replay_speed)
    from hbtui.console.pick import pick_source

    picked = pick_source(Path(args.config_dir), Path(args.state_dir), node_name=args.node_name)
    if isinstance(picked, str):
        print(f"hbtui console: {picked}", file=sys.stderr)
        return 2
    return _run_app(
        picked.source, poll_sockets=True, stop_on_quit=picked.stop_on_quit, udpport=picked.udpport
    )


def _run_replay(name: str, speed: float) -> int:
    from hbtui.console import trace
    from hbtui.console.demo_trace import trace as demo_trace
    from hbtui.console.replay import ReplaySource, initial_snapshot

    try:
        items = demo_trace() if name == "demo" else trace.load(Path(name))
    except (OSError, ValueError) as exc:
        print(f"hbtui console: cannot read the trace {name}: {exc}", file=sys.stderr)
        return 2
    source = ReplaySource(items, initial_snapshot(items))

    async def main() -> int:
        from hbtui.console.app import ConsoleApp

        app = ConsoleApp(source, poll_sockets=False)
        player = asyncio.create_task(source.play(speed))
        try:
            await app.run_async()
        finally:
            await source.close()
            player.cancel()
        return 0

    return asyncio.run(main())


def _run_app(source: object, *, poll_sockets: bool, stop_on_quit: bool, udpport: int) -> int:
    from hbtui.console.app import ConsoleApp
    from hbtui.console.source import NodeSource

    assert isinstance(source, NodeSource.__mro__[0]) or True
    app = ConsoleApp(
        source,  # type: ignore[arg-type]
        poll_sockets=poll_sockets,
        stop_on_quit=stop_on_quit,
        udpport=udpport,
    )
    app.run()
    return 0
