"""Options shared by the ``hbtui`` subcommands."""

from __future__ import annotations

import argparse

from hbtui.control import DEFAULT_SOCKET

DEFAULT_CONFIG_DIR = "/etc/ha.d"
DEFAULT_STATE_DIR = "/var/lib/heartbeat"


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand that touches a node understands."""
    parser.add_argument(
        "--config-dir",
        default=DEFAULT_CONFIG_DIR,
        help=f"Heartbeat configuration directory (default {DEFAULT_CONFIG_DIR})",
    )
    parser.add_argument(
        "--state-dir",
        default=DEFAULT_STATE_DIR,
        help=f"node state directory with hb_uuid (default {DEFAULT_STATE_DIR})",
    )
    parser.add_argument(
        "--node-name",
        default=None,
        help="this node's name (default: uname -n, lower-cased)",
    )


def add_control_socket_option(parser: argparse.ArgumentParser) -> None:
    """``--control-socket``: where a running ``hbtui node`` answers (one definition)."""
    parser.add_argument(
        "--control-socket",
        default=str(DEFAULT_SOCKET),
        help=f"the node's control socket, where `hbtui status` and the console reach it "
        f"(default {DEFAULT_SOCKET})",
    )
