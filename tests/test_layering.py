"""The pure layers (config, wire, engine) import no I/O framework: data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PURE = ("config", "wire", "engine")
FORBIDDEN = {"asyncio", "textual", "pyroute2", "psutil", "asyncssh", "socket", "subprocess"}
ROOT = Path(__file__).resolve().parent.parent / "hbtui"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_io(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
