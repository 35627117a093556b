"""The ``hbtui`` command line: one subcommand per job, each in ``hbtui.commands``."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Sequence

from hbtui import __version__

# subcommand -> (module in hbtui.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "console": ("console", "open the operator's console (the default)"),
    "demo": ("demo", "bring up a two-node demo cluster on this machine and open the console"),
    "node": ("node", "run this machine's node in the foreground"),
    "status": ("status", "print the running node's status, like cl_status"),
    "standby": ("hold", "give this node's resources to the other node (like hb_standby)"),
    "takeover": ("hold", "take the other node's resources (like hb_takeover)"),
    "check": ("check", "validate a Heartbeat configuration and summarise the cluster"),
    "decode": ("decode", "decode Heartbeat datagrams from pcap files or raw dumps"),
    "report": ("report", "a support bundle (logs, configs without keys, status) from every node"),
    "resource": (
        "resource",
        "after a failed stop: retry-stop, cleared (stopped by hand) or self-fence",
    ),
    "advise": ("advise", "estimate false failovers from keepalive gaps and recommend timers"),
    "install-service": (
        "install_service",
        "install the systemd unit (with this hbtui's path) and the logrotate file",
    ),
    "migrate": ("migrate", "write the Corosync + Pacemaker configuration of this cluster"),
    "postmortem": ("postmortem", "the timeline of an incident from the nodes' ha-logs"),
    "drill": ("drill", "a failover drill: the group away from its holder and back, timed"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; each subcommand module adds its own arguments. With ``only`` (a
    subcommand), only that one's module is imported: ``hbtui node`` does not import the
    console's and every other command's modules (a second at start, during which a
    restarted node's stale VIP would still answer)."""
    parser = argparse.ArgumentParser(
        prog="hbtui",
        description="A Heartbeat 3.0.6-compatible HA node and operator's console.",
    )
    parser.add_argument("--version", action="version", version=f"hbtui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"hbtui.commands.{module_name}")
        module.add_arguments(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hbtui`` console script; no subcommand means ``console``.

    Options first (``hbtui --mode attach``) also mean ``console``; an unknown word
    (``hbtui stauts``) is an error listing the commands, never a console that might start
    a node."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else None
    if first is not None and not first.startswith("-") and first not in SUBCOMMANDS:
        close = difflib.get_close_matches(first, SUBCOMMANDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        print(f"hbtui: unknown command {first!r}{hint}", file=sys.stderr)
        print(f"commands: {', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return 2
    if first is None or (first not in SUBCOMMANDS and first not in ("-h", "--help", "--version")):
        args_list = ["console", *args_list]
    chosen = args_list[0] if args_list and args_list[0] in SUBCOMMANDS else None
    args = build_parser(chosen).parse_args(args_list)
    try:
        return int(args._module.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
