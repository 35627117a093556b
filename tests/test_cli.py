"""The command line skeleton: help, version and the subcommands it routes to."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hbtui import __version__
from hbtui.cli import SUBCOMMANDS, build_parser, main


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


# `hbtui demo` builds its own cluster from the bundled HOWTO config in temporary directories.
NODE_COMMANDS = sorted(set(SUBCOMMANDS) - {"demo"})


@pytest.mark.parametrize("name", NODE_COMMANDS)
def test_every_subcommand_has_common_options(name: str) -> None:
    args = build_parser().parse_args([name, "--config-dir", "/x", "--state-dir", "/y"])
    assert args.config_dir == "/x"
    assert args.state_dir == "/y"


def test_console_script_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hbtui.cli", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"hbtui {__version__}"
