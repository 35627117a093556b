"""``hbtui report``: a support bundle, like Heartbeat's hb_report, from this node and (over
SSH, as the console reaches them) every other node of ha.cf.

Per node: ha.cf, haresources, hbtui.conf, authkeys redacted (sha256 prefixes, never a key),
hb_uuid and hb_generation, the ha-log/ha-debug lines of the window (``--since``/``--until``,
local time ``YYYY-MM-DD HH:MM[:SS]``; default: the last 20 000 lines), ``hbtui status --json``
or ``cl_status``, versions and addresses. ``--capture SECONDS`` adds a capture of udp/694
taken here. One tar.gz, mode 600, with a README listing what is in it and what was not
collected (an unreachable peer, a missing file). The console's ``B`` makes the same bundle
over its own links (``hbtui.report.make.make_bundle``, which this command calls too).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.report.ask import BundleAsk
from hbtui.report.collect import Where, collect
from hbtui.report.make import Collected, Collector, bundle_name, logs_of, make_bundle, over


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui report``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    parser.add_argument(
        "--since", type=_when, help="first log time (local), e.g. '2026-12-05 09:30'"
    )
    parser.add_argument("--until", type=_when, help="last log time (local)")
    parser.add_argument(
        "--output", "-o", type=Path, help="the tar.gz (default: in the current directory)"
    )
    parser.add_argument("--no-peers", action="store_true", help="this node only")
    parser.add_argument(
        "--capture",
        type=float,
        default=0,
        metavar="SECONDS",
        help="add a capture of udp/694 taken here",
    )
    parser.add_argument("--peer-hbtui", default="hbtui", help="how hbtui is run on the peers")


def _when(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a time like '2026-12-05 09:30': {text!r}")


def run(args: argparse.Namespace) -> int:
    """Collect, write, say where."""
    return asyncio.run(_report(args))


async def _report(args: argparse.Namespace) -> int:
    from hbtui.config.loader import load_config
    from hbtui.remote.runner import LocalRunner

    config_dir = Path(args.config_dir)
    config, _ = load_config(config_dir, args.node_name, partial=True)
    me = config.node_name if config is not None else "this-node"
    where = Where(
        PurePosixPath(config_dir), PurePosixPath(args.state_dir), logs_of(config),
        (sys.executable, "-m", "hbtui"), args.control_socket,
    )  # fmt: skip
    collectors: dict[str, Collector] = {me: over(LocalRunner(), where)}
    if config is not None and not args.no_peers:
        collectors |= _peers(config, where, args.peer_hbtui)
    ask = BundleAsk(args.since, args.until, args.capture)
    out = args.output or Path(bundle_name(me))
    try:
        done = await make_bundle(
            me, collectors, ask, out,
            port=config.ha_cf.udpport if config else 694,
            config_dir=config_dir if config else None,
        )  # fmt: skip
    except OSError as exc:
        print(f"hbtui report: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    print(done.summary())
    return 0


def _peers(config: object, where: Where, hbtui: str) -> dict[str, Collector]:
    """Each peer of ha.cf, collected over an SSH link opened for it (and closed)."""
    from hbtui.remote.session import targets_for
    from hbtui.remote.ssh import PeerLink, PeerTarget

    program = tuple(shlex.split(hbtui)) or ("hbtui",)  # a venv: /opt/hbtui/bin/hbtui
    peer_where = Where(where.config_dir, where.state_dir, where.logs, program)

    def collector(target: PeerTarget) -> Collector:
        async def reach() -> Collected:
            link = PeerLink(target)
            try:
                await link.connect_once()
                return await collect(link, peer_where)
            finally:
                await link.close()

        return reach

    return {t.node: collector(t) for t in targets_for(config)}  # type: ignore[arg-type]
