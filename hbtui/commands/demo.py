"""``hbtui demo``: for now, check the bundled HOWTO cluster configuration as server1."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from hbtui.cli_common import add_common_options
from hbtui.commands.check import check_config

HOWTO_DIR = Path(__file__).resolve().parent.parent / "data" / "howto"
DEMO_NODE = "server1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui demo``."""
    add_common_options(parser)


def run(args: argparse.Namespace) -> int:
    """Copy the HOWTO config to a temp dir (authkeys 600), check it as server1, say what's next."""
    with tempfile.TemporaryDirectory(prefix="hbtui-demo-") as tmp:
        config_dir = Path(tmp) / "ha.d"
        shutil.copytree(HOWTO_DIR, config_dir)
        # a git checkout or a wheel gives 644; Heartbeat (and hbtui) demand 600
        (config_dir / "authkeys").chmod(0o600)
        for script in (config_dir / "resource.d").iterdir():
            script.chmod(0o755)  # in case packaging dropped the execute bit
        print(f"Checking the bundled Heartbeat HOWTO configuration ({HOWTO_DIR}) as {DEMO_NODE}:")
        status = check_config(config_dir, DEMO_NODE, as_json=False, out=sys.stdout)
    print(
        "hbtui demo: the live two-node demo with the console is not built yet; "
        "this only checked the bundled HOWTO configuration."
    )
    return status
