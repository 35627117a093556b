"""``hbtui report``: a support bundle, like Heartbeat's hb_report, from this node and (over
SSH, as the console reaches them) every other node of ha.cf.

Per node: ha.cf, haresources, hbtui.conf, authkeys redacted (sha256 prefixes, never a key),
hb_uuid and hb_generation, the ha-log/ha-debug lines of the window (``--since``/``--until``,
local time ``YYYY-MM-DD HH:MM[:SS]``; default: the last 20 000 lines), ``hbtui status --json``
or ``cl_status``, versions and addresses. ``--capture SECONDS`` adds a capture of udp/694
taken here. One tar.gz, mode 600, with a README listing what is in it and what was not
collected (an unreachable peer, a missing file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path, PurePosixPath

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.report.bundle import write_bundle
from hbtui.report.collect import Where, collect
from hbtui.report.window import in_window


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
    logs = _logs(config)
    me = config.node_name if config is not None else "this-node"
    where = Where(
        PurePosixPath(config_dir), PurePosixPath(args.state_dir), logs,
        (sys.executable, "-m", "hbtui"), args.control_socket,
    )  # fmt: skip
    nodes: dict[str, list[tuple[str, str]]] = {}
    items, secrets = await collect(LocalRunner(), where)
    nodes[me] = items
    missing = [
        f"{me}: {name[:-6]}: {text.strip()}" for name, text in items if name.endswith(".error")
    ]
    if config is not None and not args.no_peers:
        for peer, outcome in (await _peers(config, where, args.peer_hbtui)).items():
            if isinstance(outcome, str):
                missing.append(f"{peer}: unreachable: {outcome}")
                continue
            nodes[peer] = outcome[0]
            secrets |= outcome[1]
    binaries: dict[str, bytes] = {}
    if args.capture > 0:
        port = config.ha_cf.udpport if config else 694
        pcap, why = await asyncio.to_thread(_capture, args.capture, port)
        if pcap is not None:
            binaries[f"{me}/capture-udp{port}.pcap"] = pcap
        else:
            missing.append(f"{me}: capture: {why}")
    for items in nodes.values():
        items[:] = [
            (name, in_window(text, args.since, args.until) if name.startswith("log/") else text)
            for name, text in items
        ]
    postmortem, why = _postmortem(nodes, Path(args.config_dir) if config else None, binaries)
    if postmortem:
        nodes["postmortem"] = postmortem
    elif why:
        missing.append(f"postmortem: {why}")
    window = f"{args.since or 'start'} to {args.until or 'now'} (local time)"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.output or Path(f"hbtui-report-{me}-{stamp}.tar.gz")
    write_bundle(out, nodes, secrets, window, missing, binaries)
    names = ", ".join(n for n in nodes if n != "postmortem")
    print(f"wrote {out} ({names}; {len(missing)} item(s) not collected, see README.txt)")
    return 0


def _postmortem(
    nodes: dict[str, list[tuple[str, str]]], config_dir: Path | None, binaries: dict[str, bytes]
) -> tuple[list[tuple[str, str]], str]:
    """``hbtui postmortem`` of the window's logs of every node (with the capture when one
    was taken): the report as text and as JSON lines, or why there is none."""
    from hbtui.commands.postmortem import report_of
    from hbtui.postmortem.files import PostmortemError
    from hbtui.postmortem.render import json_lines, text_lines

    with tempfile.TemporaryDirectory(prefix="hbtui-report-pm-") as tmp:
        logs, pcaps = [], []
        for node, items in nodes.items():
            for name, text in items:
                if name.startswith("log/") and not name.endswith(".error") and text.strip():
                    logs.append(Path(tmp) / node / name.removeprefix("log/"))
                    logs[-1].parent.mkdir(parents=True, exist_ok=True)
                    logs[-1].write_text(text)
        for name, data in binaries.items():
            pcaps.append(Path(tmp) / name.replace("/", "_"))
            pcaps[-1].write_bytes(data)
        if not logs:
            return [], "no ha-log lines in the window"
        try:
            report = report_of(logs, config_dir, pcaps)
        except PostmortemError as exc:
            return [], str(exc)
    text = "".join(line + "\n" for line in text_lines(report))
    return [
        ("report.txt", text),
        ("timeline.jsonl", "".join(j + "\n" for j in json_lines(report))),
    ], ""


def _logs(config: object) -> tuple[PurePosixPath, ...]:
    cf = getattr(config, "ha_cf", None)
    paths = [getattr(cf, "logfile", None), getattr(cf, "debugfile", None)] if cf else []
    found = tuple(PurePosixPath(str(p)) for p in paths if p)
    return found or Where().logs


Collected = tuple[list[tuple[str, str]], set[str]]


async def _peers(config: object, where: Where, hbtui: str) -> dict[str, Collected | str]:
    """Each peer's items over SSH, or why it could not be reached."""
    from hbtui.remote.session import targets_for
    from hbtui.remote.ssh import LinkError, PeerLink

    out: dict[str, Collected | str] = {}
    for target in targets_for(config):  # type: ignore[arg-type]
        link = PeerLink(target)
        try:
            await link.connect_once()
            peer_where = Where(where.config_dir, where.state_dir, where.logs, (hbtui,))
            out[target.node] = await collect(link, peer_where)
        except LinkError as exc:
            out[target.node] = str(exc)
        finally:
            await link.close()
    return out


def _capture(seconds: float, port: int) -> tuple[bytes | None, str]:
    """A pcap of udp/``port`` on every interface for ``seconds``, or why there is none."""
    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        return None, "tcpdump is not installed"
    with tempfile.TemporaryDirectory() as tmp:
        pcap = Path(tmp) / "capture.pcap"
        argv = [tcpdump, "-i", "any", "-w", str(pcap), "-U", f"udp port {port}"]
        with contextlib.suppress(subprocess.TimeoutExpired):  # the end of the capture
            subprocess.run(argv, timeout=seconds, capture_output=True, check=False)
        if not pcap.exists():
            return None, "tcpdump wrote no capture"
        return pcap.read_bytes(), ""
