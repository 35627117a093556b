"""The man pages and completions in packaging/ are what scripts/gen_docs.py makes from the
argparse definitions today, and they load: groff reads every page without a warning, bash
completes subcommands and options."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMPLETION = REPO / "packaging" / "completions" / "hbtui.bash"


def test_generated_docs_are_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("groff") is None, reason="no groff")
def test_every_man_page_renders_without_warnings() -> None:
    pages = sorted((REPO / "packaging" / "man").glob("*.1"))
    assert len(pages) > 5
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr


def _complete(*words: str) -> list[str]:
    line = " ".join(("hbtui", *words))
    script = (
        f"source {COMPLETION}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; "
        f"COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; "
        "_shtab_hbtui; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_subcommands_and_options() -> None:
    assert {"status", "standby"} <= set(_complete("st"))
    assert "--check" in _complete("status", "--ch")
