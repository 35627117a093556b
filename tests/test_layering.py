"""Which package may import which: data flows wire -> engine -> runtime (adapters) -> stream
-> sources -> console, and a lower package never imports a higher one.

Imports under ``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "hbtui"
IO_LIBRARIES = {"asyncio", "textual", "pyroute2", "psutil", "asyncssh", "socket", "subprocess"}
HEAVY = ("pyroute2", "psutil", "asyncssh")

# package -> the hbtui packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "wire": {"config"},
    "engine": {"config", "wire"},
    "stream": {"config", "wire", "engine"},
    # the deadtime advisor: captures through the codec; ha-logs through the post-mortem's reader
    "advise": {"config", "wire", "postmortem"},
    # ha-log post-mortems: reads files, never a runtime adapter; the console may open its report
    "postmortem": {"config", "wire", "engine", "stream"},
    # Prometheus metrics: counted from the event stream, rendered with the snapshot
    "metrics": {"config", "wire", "engine", "stream"},
    # failover drills: preflight and report from snapshots and stream items (pure); the
    # real daemon's ha-log read through the post-mortem's parser
    "drill": {"config", "wire", "engine", "stream", "postmortem"},
    # Pacemaker clusters: crm_mon's XML read, changes and transitions, actions as argv (pure)
    "crm": set(),
}
# package -> the hbtui packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "remote": {"console", "sources", "commands", "lab", "adapters", "control"},
    "adapters": {"console", "sources", "commands", "remote", "lab", "control", "rename"},
    "console": {"adapters", "remote", "sources", "control", "lab", "commands", "rename"},
    "sources": {"console", "commands"},
    "control": {"console", "sources", "commands", "remote", "lab"},
}
PURE = ("config", "wire", "engine", "crm")


def package_of(path: Path) -> str:
    """``hbtui/engine/node.py`` -> ``engine``; ``hbtui/bus.py`` -> ``bus``."""
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *runtime_nodes(child)])
            continue
        yield node
        yield from runtime_nodes(node)


def imports_of(path: Path) -> set[str]:
    """Top-level module names imported at run time (``hbtui.x`` kept as ``hbtui.x``)."""
    found: set[str] = set()
    for node in runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            found.add(".".join(parts[:2]) if parts[0] == "hbtui" and len(parts) > 1 else parts[0])
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        package = package_of(path)
        targets = {name.split(".")[1] for name in imports_of(path) if name.startswith("hbtui.")}
        graph.setdefault(package, set()).update(targets - {package})
    return graph


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_io(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imports_of(path) & IO_LIBRARIES
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_stream_imports_no_io_framework() -> None:
    for path in sorted((ROOT / "stream").rglob("*.py")):
        bad = imports_of(path) & (IO_LIBRARIES - {"asyncio"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_low_packages_import_nothing_above_them(package: str) -> None:
    above = package_graph().get(package, set()) - ALLOWED[package]
    assert not above, f"hbtui.{package} imports hbtui.{sorted(above)}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_direction(package: str) -> None:
    wrong = package_graph().get(package, set()) & FORBIDDEN[package]
    assert not wrong, f"hbtui.{package} imports hbtui.{sorted(wrong)}"


def test_no_import_cycle_between_packages() -> None:
    graph = package_graph()
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> None:
        if package in path:
            cycle = [*path[path.index(package) :], package]
            pytest.fail("package import cycle: " + " -> ".join(cycle))
        if package in done:
            return
        for target in sorted(graph.get(package, set())):
            visit(target, [*path, package])
        done.add(package)

    for package in sorted(graph):
        visit(package, [])


def test_the_console_loads_no_networking_library() -> None:
    """The model, widgets and app import no pyroute2, psutil or asyncssh (fast to start,
    testable without them)."""
    probe = (
        "import sys\n"
        "import hbtui.console.app, hbtui.console.model, hbtui.console.widgets.others\n"
        "import hbtui.console.screens.dashboard, hbtui.console.screens.rename\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
