"""Prose lines folded for comments and the README (commands are never folded)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

WIDTH = 92


def folded(lines: Iterable[str], width: int = WIDTH) -> list[str]:
    """Each line folded at ``width``; continuation lines indented two more spaces."""
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())] + "  "
        out += textwrap.wrap(
            line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
    return out
