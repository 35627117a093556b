"""``hbtui decode``: not built yet; see the project's open issues."""

from __future__ import annotations

import argparse
import sys

from hbtui.cli_common import add_common_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui decode``."""
    add_common_options(parser)


def run(args: argparse.Namespace) -> int:
    """Say plainly that this subcommand is not available yet."""
    print("hbtui decode: not implemented yet in this version", file=sys.stderr)
    return 2
