"""Options shared by the ``hbtui`` subcommands."""

from __future__ import annotations

import argparse

from hbtui.control import DEFAULT_SOCKET

DEFAULT_CONFIG_DIR = "/etc/ha.d"
DEFAULT_STATE_DIR = "/var/lib/heartbeat"
DEFAULT_LOGD_CF = "/etc/logd.cf"


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


def add_logd_cf_option(parser: argparse.ArgumentParser) -> None:
    """``--logd-cf``: ha_logd's file, read when ha.cf logs through ha_logd (use_logd)."""
    parser.add_argument(
        "--logd-cf",
        default=DEFAULT_LOGD_CF,
        help="ha_logd's configuration, where the lines go with ha.cf's use_logd "
        f"(default {DEFAULT_LOGD_CF}, as ha_logd -c)",
    )
