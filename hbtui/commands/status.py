"""``hbtui status``: what ``cl_status`` would print, read from the node's control socket.

``hbtui status`` prints hbstatus, listnodes, nodestatus per node, rscstatus and each
VIP's owner; ``hbtui status hbstatus|listnodes|rscstatus|nodestatus NODE`` prints just
that, as cl_status does. ``--json`` prints one snapshot, ``--follow`` streams JSON lines.
``--metrics`` prints the node's metrics in the Prometheus text format (docs/metrics.md).
``--check`` is a monitoring plugin (Nagios / monitoring-plugins / Icinga): one status line
with perfdata, then one line per finding, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
(``hbtui.stream.health``).

Exit codes without ``--check``: 0 answered, 1 the node refused or the query failed (an
unknown node), 3 no node runs here (as LSB ``status`` and ``hbtui standby``/``takeover``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, follow, request
from hbtui.crm.state import CrmParseError
from hbtui.migrate.crm_status import ClusterView, parse_crm_mon
from hbtui.stream.health import State, assess

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
    mode.add_argument(
        "--metrics",
        action="store_true",
        help="print the node's metrics in the Prometheus text format (docs/metrics.md)",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL (peer dead, split brain, "
        "stop failed, nobody holds a group), 3 UNKNOWN; one line with perfdata",
    )
    parser.epilog = (
        "exit status: 0 answered; 1 refused or failed; 3 no node runs here "
        "(--check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"
    )


def rscstatus(snap: dict[str, Any]) -> str:
    """What cl_status rscstatus prints: this node's rsc_hold."""
    return str(snap.get("rsc_hold") or "none")


def link_lines(name: str, info: dict[str, Any]) -> list[str]:
    """A peer's links as ``cl_status hblinkstatus`` reports them (none in older snapshots)."""
    links = info.get("links") or {}
    return [f"link {name}:{dev}: {link.get('status')}" for dev, link in links.items()]


def ping_lines(snap: dict[str, Any]) -> list[str]:
    """Ping nodes (as cl_status nodestatus says: ping or dead) and ipfail's pending move."""
    lines = []
    for name, info in (snap.get("ping_nodes") or {}).items():
        hosts = " ".join(info.get("hosts") or [])
        lines.append(f"nodestatus {name}: {info.get('status')} (ping node {hosts})")
    ipfail = snap.get("ipfail")
    if ipfail and ipfail.get("giveup") and ipfail.get("giveup_at_ms") is not None:
        left = max(0, ipfail["giveup_at_ms"] - (snap.get("now_ms") or 0)) / 1000
        lines.append(
            f"ipfail: giving [{ipfail['giveup']}] resources to {ipfail['peer']} in {left:g} s"
        )
    return lines


def respawn_lines(snap: dict[str, Any]) -> list[str]:
    """One line per ha.cf respawn client: its state, pid, restarts and last exit."""
    lines = []
    for client in snap.get("respawn") or []:
        facts = [str(client.get("state"))]
        if client.get("why"):
            facts[0] += f" ({client['why']})"
        if client.get("pid") is not None:
            facts.append(f"pid {client['pid']}")
        restarts = client.get("restarts") or 0
        facts.append(f"{restarts} restart{'' if restarts == 1 else 's'}")
        if client.get("last_exit"):
            facts.append(f"last exit: {client['last_exit']}")
        lines.append(
            f"respawn {client.get('program')} (as {client.get('user')}): " + ", ".join(facts)
        )
    return lines


def render(snap: dict[str, Any]) -> list[str]:
    """The full human report."""
    nodes: dict[str, Any] = snap.get("nodes", {})
    lines = ["Heartbeat is running on this machine."]
    lines.append("listnodes: " + " ".join([*nodes, *(snap.get("ping_nodes") or {})]))
    stopping = (snap.get("runtime") or {}).get("state") == "stopping"
    for name, info in nodes.items():
        extra = " (this node)" if info.get("self") else ""
        if info.get("self") and stopping:
            extra = " (this node, stopping: releasing its resources)"
        if not info.get("self") and info.get("auth_failures_in_window"):
            extra = f" ({info['auth_failures_in_window']} packets failed authentication)"
        if info.get("joined"):
            extra += " (joined: autojoin, no node line; holds no resources)"
        lines.append(f"nodestatus {name}: {info.get('status')}{extra}")
        lines.extend(link_lines(name, info))
    lines.extend(ping_lines(snap))
    lines.extend(respawn_lines(snap))
    lines.append(f"rscstatus: {rscstatus(snap)}")
    acquiring = snap.get("phase") == "acquiring"
    for vip in snap.get("vips", []):
        owner = vip.get("owner") or (f"{snap.get('node')} (acquiring)" if acquiring else "nobody")
        lines.append(f"VIP {vip['ip']} ({vip['resource']}): {owner}")
    if snap.get("stop_failed"):
        held = ", ".join(snap["stop_failed"])
        lines.append(f"CRIT: stop failed for {held}: this node holds the group until you run")
        lines.append("  hbtui resource retry-stop   (run the stop again)")
        lines.append("  hbtui resource cleared      (you stopped it by hand: release the group)")
        lines.append("  hbtui resource self-fence   (reboot this machine)")
    for run in (snap.get("runtime") or {}).get("scripts_running", []):
        elapsed, limit = run["elapsed_ms"] / 1000, run["timeout_ms"] / 1000
        lines.append(
            f"script: {run['resource']} {run['op']} running {elapsed:.0f} s of {limit:g} s"
        )
    for item in snap.get("rejected", []):
        if item.get("reason") not in QUIET_REASONS:
            lines.append(f"rejected: {item['count']} from {item['ip']} ({item['reason']})")
    return lines


def answer(snap: dict[str, Any], query: str, node: str | None) -> tuple[int, list[str]]:
    """One cl_status query (exit code, lines)."""
    if query == "hbstatus":
        return 0, ["Heartbeat is running on this machine."]
    pings = snap.get("ping_nodes") or {}
    if query == "listnodes":
        return 0, [*snap.get("nodes", {}), *pings]
    if query == "rscstatus":
        return 0, [rscstatus(snap)]
    info = snap.get("nodes", {}).get(node or "") or pings.get(node or "")
    if info is None:
        return 1, [f"nodestatus: unknown node {node!r}"]
    return 0, [str(info.get("status"))]


def pacemaker_view() -> ClusterView | None:
    """The Corosync + Pacemaker cluster this machine belongs to (``crm_mon``), or None
    when crm_mon is missing or no cluster answers it."""
    exe = shutil.which("crm_mon")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, "-1", "--output-as=xml"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return parse_crm_mon(done.stdout)
    except CrmParseError:
        return None


def pacemaker_text(view: ClusterView, as_json: bool) -> str:
    """``hbtui status`` for a node of a Pacemaker cluster (after ``hbtui migrate``)."""
    if as_json:
        data = {
            "pacemaker": {
                "dc": view.dc,
                "online": sorted(view.online),
                "running": {r: list(nodes) for r, nodes in view.running.items()},
                "failed": list(view.failed),
            }
        }
        return json.dumps(data, indent=2, sort_keys=True)
    lines = [
        f"no hbtui node runs here; Corosync + Pacemaker: DC {view.dc or 'none'}, "
        f"online {', '.join(sorted(view.online)) or 'none'}"
    ]
    lines += [f"  {res}: {', '.join(nodes) or 'stopped'}" for res, nodes in view.running.items()]
    lines += [f"  failed: {failure}" for failure in view.failed] or ["  failed actions: none"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Ask the node and print (a Pacemaker cluster's state when no hbtui node runs)."""
    path = Path(args.control_socket)
    try:
        if args.follow:
            for item in follow(path):
                print(json.dumps(item, separators=(",", ":")), flush=True)
            return 0
        if args.metrics:
            print(request(path, "metrics")["metrics"], end="")
            return 0
        snap = request(path, "snapshot")
    except NoNodeRunning as exc:
        if args.check:
            print(f"HBTUI CRITICAL - no node runs here: {exc}")
            return int(State.CRITICAL)
        if not args.query and (view := pacemaker_view()) is not None:
            print(pacemaker_text(view, as_json=args.json))
            return 0
        if args.query == "hbstatus":
            print("Heartbeat is stopped on this machine.")
        print(f"hbtui status: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except ControlError as exc:
        if args.check:
            print(f"HBTUI UNKNOWN - {exc}")
            return int(State.UNKNOWN)
        print(f"hbtui status: {exc}", file=sys.stderr)
        return 1
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    if args.json:
        print(json.dumps(snap, indent=2, sort_keys=True))
        return 0
    if args.check:
        return check(snap)
    if args.query:
        code, lines = answer(snap, args.query, args.node)
    else:
        code, lines = 0, render(snap)
    for line in lines:
        print(line)
    return code


def check(snap: dict[str, Any]) -> int:
    """``--check``: print the plugin output, return its exit code."""
    runtime = snap.get("runtime") or {}
    try:
        warntime = int(runtime.get("warntime_ms") or 0) or _half_deadtime(snap)
        health = assess(snap, warntime)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        print(f"HBTUI UNKNOWN - the node's snapshot cannot be read: {exc!r}")
        return int(State.UNKNOWN)
    for line in health.lines():
        print(line)
    return int(health.state)


def _half_deadtime(snap: dict[str, Any]) -> int:
    """Warntime when the node did not say (an older node): half the peers' deadtime."""
    times = [int(i.get("deadtime_ms") or 0) for i in snap.get("nodes", {}).values()]
    return max([*times, 2000]) // 2
