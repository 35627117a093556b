"""docs/ha-cf-directives.md names every directive hbtui knows, with what it does (issue 16)."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.ha_cf import KNOWN_DIRECTIVES

TABLE = Path(__file__).resolve().parents[2] / "docs" / "ha-cf-directives.md"


def test_every_known_directive_is_in_the_table() -> None:
    rows = {line.split("`")[1] for line in TABLE.read_text().splitlines() if line.startswith("| `")}
    assert rows == set(KNOWN_DIRECTIVES)
