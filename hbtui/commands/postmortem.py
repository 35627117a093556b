"""``hbtui postmortem FILES|DIR``: the timeline of an incident from the nodes' ha-logs.

Reads ha-log / ha-debug / syslog files of the real Heartbeat 3.0.6 daemon or of hbtui (rotated
and gzipped ones too; a directory is searched for them), of one node or both, and prints each
failover, failback, standby, stop, split brain and heal with its per-phase times and why, then
late heartbeats, resource script calls and problems: in the console on a terminal, as text
otherwise (``--text``), or ``--json`` (one object per timeline entry).
``--config-dir`` adds the deadtime (for "last heard") and the active key; ``--pcap`` a capture
of udp/694 that puts both nodes' lines on one clock and dates the last packet of a dead node
(with ``--config-dir``, every captured packet is checked against authkeys: a sender whose
packets fail is a "keys differ" problem).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hbtui.postmortem.files import PostmortemError
from hbtui.postmortem.inputs import report_of
from hbtui.postmortem.render import json_lines, text_lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui postmortem``."""
    parser.add_argument("inputs", nargs="*", metavar="FILE|DIR", help="ha-log files or dirs")
    parser.add_argument(
        "--config-dir",
        default=None,
        help="the cluster's /etc/ha.d (optional: gives deadtime and the active key; with "
        "--pcap each packet is checked against its authkeys)",
    )
    parser.add_argument(
        "--pcap",
        action="append",
        default=[],
        metavar="FILE",
        help="a capture of udp/694 (pcap or pcapng; repeatable): aligns the nodes' clocks and "
        "dates the last packet of a node declared dead to the ms",
    )
    parser.add_argument("--state-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="one JSON object per timeline entry")
    parser.add_argument(
        "--text",
        action="store_true",
        help="print the report (the default when stdout is not a terminal; on a terminal the "
        "report opens in the console)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the report; 2 with one clear line for input that cannot be used."""
    if not args.inputs:
        print(
            "hbtui postmortem: give the ha-log files or a directory holding them", file=sys.stderr
        )
        return 2
    try:
        config_dir = Path(args.config_dir) if args.config_dir else None
        inputs = [Path(p) for p in args.inputs]
        report = report_of(inputs, config_dir, [Path(p) for p in args.pcap])
    except PostmortemError as exc:
        print(f"hbtui postmortem: {exc}", file=sys.stderr)
        return 2
    if not args.json and not args.text and sys.stdout.isatty():
        from hbtui.console.postmortem_app import PostmortemApp

        PostmortemApp(report).run()
        return 0
    lines = json_lines(report) if args.json else text_lines(report)
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0
