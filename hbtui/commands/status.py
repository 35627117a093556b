"""``hbtui status``: what ``cl_status`` would print, read from the node's control socket.

``hbtui status`` prints hbstatus, listnodes, nodestatus per node, rscstatus and each
VIP's owner; ``hbtui status hbstatus|listnodes|rscstatus|nodestatus NODE`` prints just
that, as cl_status does. ``--json`` prints one snapshot, ``--follow`` streams JSON lines.
Exit 3 (with a clear message) when no node runs here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, follow, request

EXIT_NOT_RUNNING = 3
QUIET_REASONS = ("from_self", "not_for_us", "duplicate_seq")  # normal on a healthy link
QUERIES = ("hbstatus", "listnodes", "nodestatus", "rscstatus")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui status`` (the common ones are accepted; only the socket matters)."""
    add_common_options(parser)
    parser.add_argument("query", nargs="?", choices=QUERIES, help="one cl_status query only")
    parser.add_argument("node", nargs="?", help="the node for `nodestatus`")
    add_control_socket_option(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON snapshot")
    mode.add_argument("--follow", action="store_true", help="stream the snapshot then events")


def rscstatus(snap: dict[str, Any]) -> str:
    """What cl_status rscstatus prints: this node's rsc_hold."""
    return str(snap.get("rsc_hold") or "none")


def link_lines(name: str, info: dict[str, Any]) -> list[str]:
    """A peer's links as ``cl_status hblinkstatus`` reports them (none in older snapshots)."""
    links = info.get("links") or {}
    return [f"link {name}:{dev}: {link.get('status')}" for dev, link in links.items()]


def render(snap: dict[str, Any]) -> list[str]:
    """The full human report."""
    nodes: dict[str, Any] = snap.get("nodes", {})
    lines = ["Heartbeat is running on this machine."]
    lines.append("listnodes: " + " ".join(nodes))
    for name, info in nodes.items():
        extra = " (this node)" if info.get("self") else ""
        if not info.get("self") and info.get("auth_failures_in_window"):
            extra = f" ({info['auth_failures_in_window']} packets failed authentication)"
        lines.append(f"nodestatus {name}: {info.get('status')}{extra}")
        lines.extend(link_lines(name, info))
    lines.append(f"rscstatus: {rscstatus(snap)}")
    for vip in snap.get("vips", []):
        lines.append(f"VIP {vip['ip']} ({vip['resource']}): {vip.get('owner') or 'nobody'}")
    for item in snap.get("rejected", []):
        if item.get("reason") not in QUIET_REASONS:
            lines.append(f"rejected: {item['count']} from {item['ip']} ({item['reason']})")
    return lines


def answer(snap: dict[str, Any], query: str, node: str | None) -> tuple[int, list[str]]:
    """One cl_status query (exit code, lines)."""
    if query == "hbstatus":
        return 0, ["Heartbeat is running on this machine."]
    if query == "listnodes":
        return 0, list(snap.get("nodes", {}))
    if query == "rscstatus":
        return 0, [rscstatus(snap)]
    info = snap.get("nodes", {}).get(node or "")
    if info is None:
        return 1, [f"nodestatus: unknown node {node!r}"]
    return 0, [str(info.get("status"))]


def run(args: argparse.Namespace) -> int:
    """Ask the node and print."""
    path = Path(args.control_socket)
    try:
        if args.follow:
            for item in follow(path):
                print(json.dumps(item, separators=(",", ":")), flush=True)
            return 0
        snap = request(path, "snapshot")
    except NoNodeRunning as exc:
        if args.query == "hbstatus":
            print("Heartbeat is stopped on this machine.")
        print(f"hbtui status: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except ControlError as exc:
        print(f"hbtui status: {exc}", file=sys.stderr)
        return 1
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    if args.json:
        print(json.dumps(snap, indent=2, sort_keys=True))
        return 0
    if args.query:
        code, lines = answer(snap, args.query, args.node)
    else:
        code, lines = 0, render(snap)
    for line in lines:
        print(line)
    return code
