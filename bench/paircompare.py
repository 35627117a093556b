"""Shared main of the two-pair lab benchmarks: real daemons against hbtui nodes, one table."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.lab.cluster import LabNodeProcess, RealHeartbeat
from tests.lab.conftest import lab_unavailable
from tests.lab.hbtui_node import HbtuiNode

Measure = Callable[[type[LabNodeProcess], int, Path], dict[str, list[float]]]
PAIRS: dict[str, type[LabNodeProcess]] = {"heartbeat": RealHeartbeat, "hbtui": HbtuiNode}


def shown(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def compare(measure: Measure, title: str, doc: str) -> int:
    """Parse --runs/--work, run `measure` for both pairs, print medians (min-max) and ratios."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the nodes' directories (logs) here")
    args = parser.parse_args()
    reason = lab_unavailable() or RealHeartbeat.available()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    results = {}
    with tempfile.TemporaryDirectory(prefix="hbtui-bench-") as tmp:
        for name, kind in PAIRS.items():
            results[name] = measure(kind, args.runs, (args.work or Path(tmp)) / name)
    print(title)
    width = max(len(what) for what in results["hbtui"]) + 1
    print(f"{'':<{width}} {'heartbeat':>22} {'hbtui':>22} {'hbtui/hb':>9}")
    for what in results["hbtui"]:
        hb, ours = results["heartbeat"][what], results["hbtui"][what]
        ratio = statistics.median(ours) / statistics.median(hb)
        print(f"{what:<{width}} {shown(hb):>22} {shown(ours):>22} {ratio:>9.2f}")
    return 0
