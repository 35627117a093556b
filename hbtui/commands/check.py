"""``hbtui check``: not built yet; see the project's open issues."""

from __future__ import annotations

import argparse
import sys

from hbtui.cli_common import add_common_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui check``."""
    add_common_options(parser)


def run(args: argparse.Namespace) -> int:
    """Say plainly that this subcommand is not available yet."""
    print("hbtui check: not implemented yet in this version", file=sys.stderr)
    return 2
