"""Traces as JSON lines: one ``hbtui.stream.codec`` item object per line.

Used by ``hbtui console --replay FILE``, ``--record FILE`` and the test fixtures.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from hbtui.stream.codec import from_json, to_json


class TextSink(Protocol):
    """Where the console writes its trace: a ``TraceFile``, or any text file or buffer."""

    def write(self, text: str, /) -> int: ...


def dumps(items: Iterable[Any]) -> str:
    """JSON lines of ``items``."""
    return "".join(json.dumps(to_json(i), sort_keys=True) + "\n" for i in items)


def loads(text: str) -> list[Any]:
    """Items of JSON lines text (blank lines and ``#`` comments skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(from_json(json.loads(line)))
    return out


def load(path: Path) -> list[Any]:
    """Items of a JSON lines file."""
    return loads(path.read_text(encoding="utf-8"))
