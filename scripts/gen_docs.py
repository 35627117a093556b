#!/usr/bin/env python3
"""Write the man pages and shell completions from the argparse definitions, so they never
drift from the code: packaging/man/hbtui.1 (every subcommand), packaging/man/hbtui-CMD.1
(one each), packaging/completions/hbtui.bash and _hbtui (zsh).

argparse-manpage turns a parser into roff and shtab into bash/zsh completion scripts: both
are small, maintained, pure-Python generators that read argparse itself (a hand-written page
would drift with every new option). They are test/dev dependencies only; the generated files
are committed and shipped. ``--check`` exits 1 naming each file that is out of date (the
test suite runs it).

Usage: .venv/bin/python scripts/gen_docs.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import shtab
from argparse_manpage.manpage import Manpage

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hbtui import __version__  # noqa: E402
from hbtui.cli import SUBCOMMANDS, build_parser  # noqa: E402

MAN = REPO / "packaging" / "man"
COMPLETIONS = REPO / "packaging" / "completions"


def _page(parser: argparse.ArgumentParser, date: str, summary: str) -> str:
    """The roff page of ``parser``, titled ``hbtui`` or ``hbtui-CMD`` with a whatis line."""
    data = {
        "project_name": "hbtui",
        "version": __version__,
        "date": date,
        "manual_title": "hbtui manual",
    }
    lines = str(Manpage(parser, _data=data)).splitlines()
    title = parser.prog.replace(" ", "-")
    lines[0] = lines[0].replace(f".TH {parser.prog.upper()} ", f".TH {title.upper()} ", 1)
    at = lines.index(".SH NAME") + 1
    lines[at] = f"{title} \\- {summary}"
    return "\n".join(lines) + "\n"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def generate(date: str) -> dict[Path, str]:
    """Every generated file and its text."""
    parser = build_parser()
    out = {MAN / "hbtui.1": _page(parser, date, "Heartbeat-compatible HA node and console")}
    for name, sub in _subparsers(parser).items():
        out[MAN / f"hbtui-{name}.1"] = _page(sub, date, SUBCOMMANDS[name][1])
    out[COMPLETIONS / "hbtui.bash"] = shtab.complete(parser, shell="bash")
    out[COMPLETIONS / "_hbtui"] = shtab.complete(parser, shell="zsh")
    assert set(_subparsers(parser)) == set(SUBCOMMANDS)
    return out


def _without_date(text: str) -> str:
    """The page without its .TH line (the date of generation is not drift)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(".TH "))


def main() -> int:
    check = "--check" in sys.argv[1:]
    import datetime

    files = generate(datetime.date.today().isoformat())
    stale = []
    for path, text in files.items():
        old = path.read_text() if path.exists() else None
        if old is not None and _without_date(old) == _without_date(text):
            continue
        if check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO)}")
    extra = {p for d in (MAN, COMPLETIONS) if d.exists() for p in d.iterdir()} - set(files)
    for path in sorted(extra):
        if check:
            stale.append(path)
        else:
            path.unlink()
            print(f"removed {path.relative_to(REPO)}")
    for path in stale:
        print(f"out of date: {path.relative_to(REPO)} (run scripts/gen_docs.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
