"""``hbtui standby|takeover [all|foreign|local|failback]``: hb_standby / hb_takeover for hbtui.

The request goes to the running node's control socket (``--control-socket`` as for
``hbtui status``). As with the real tools: the argument defaults to ``all``, ``failback``
means ``foreign``, and the exit status is 0 when the node took the request, 1 otherwise
(a wrong or extra argument prints the usage; no node running says so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, request

RESOURCES = ("all", "foreign", "local", "failback")
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3  # as `hbtui status` and LSB `status`


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui standby`` / ``hbtui takeover`` (checked in :func:`run`)."""
    add_common_options(parser)
    parser.add_argument(
        "resources",
        nargs="*",
        metavar="{all,foreign,local,failback}",
        help="which resources (default all; failback = foreign)",
    )
    add_control_socket_option(parser)


def resources_arg(words: list[str]) -> str | None:
    """The control socket's ``arg`` for the words given; None when they are wrong."""
    if len(words) > 1 or (words and words[0] not in RESOURCES):
        return None
    which = words[0] if words else "all"
    return "foreign" if which == "failback" else which


def run(args: argparse.Namespace) -> int:
    """Send the request; 0 when the node took it."""
    verb = str(args.command)
    which = resources_arg(list(args.resources))
    if which is None:
        shown = " ".join(args.resources)
        print(f"hbtui {verb}: wrong resources ({shown})", file=sys.stderr)
        print(f"usage: hbtui {verb} [{'|'.join(RESOURCES)}]", file=sys.stderr)
        return EXIT_FAILED
    try:
        request(Path(args.control_socket), verb, arg=which)
    except NoNodeRunning as exc:
        print(f"hbtui {verb}: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except (ControlError, OSError) as exc:
        print(f"hbtui {verb}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"hbtui {verb} {which}: requested")
    return EXIT_OK
