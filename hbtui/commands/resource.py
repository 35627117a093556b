"""``hbtui resource retry-stop|cleared|self-fence``: the operator's answer to a failed stop.

When a resource's stop fails the node keeps holding its group (never telling the peer it
released what still runs) and waits for one of these:

- ``retry-stop``: run the group's stop again;
- ``cleared``: the operator stopped it by hand; the node releases the group;
- ``self-fence``: reboot this machine with the fence command (hbtui.conf ``fence_command``).

``cleared`` and ``self-fence`` ask for confirmation unless ``--yes``. Exit 0 when the node
took the request, 1 when it refused (e.g. no stop failed), 3 when no node runs here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, request

# what the operator types -> the control request
ACTIONS = {"retry-stop": "retry-stop", "cleared": "stop-cleared", "self-fence": "self-fence"}
WARNINGS = {
    "cleared": "the node will release the group as if its stop had succeeded: only say so if "
    "you stopped the resource by hand (else it runs on both nodes)",
    "self-fence": "this machine will reboot now (fence_command of hbtui.conf)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui resource``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    parser.add_argument("action", nargs="?", choices=tuple(ACTIONS), help="what to do")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace) -> int:
    """Confirm, send, report."""
    if args.action is None:
        print("hbtui resource: say what to do: retry-stop, cleared or self-fence", file=sys.stderr)
        return 2
    warning = WARNINGS.get(args.action)
    if warning and not args.yes:
        print(f"hbtui resource {args.action}: {warning}.")
        if not sys.stdin.isatty():
            print("not a terminal: add --yes to confirm", file=sys.stderr)
            return 1
        if input("type yes to go on: ").strip() != "yes":
            print("nothing done")
            return 1
    try:
        request(Path(args.control_socket), ACTIONS[args.action])
    except NoNodeRunning as exc:
        print(f"hbtui resource: {exc}", file=sys.stderr)
        return 3
    except (ControlError, OSError) as exc:
        print(f"hbtui resource: {exc}", file=sys.stderr)
        return 1
    print(f"hbtui resource {args.action}: requested")
    return 0
