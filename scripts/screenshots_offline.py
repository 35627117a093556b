#!/usr/bin/env python3
"""Render the screenshots that need no root (SVG) into screenshots/, from recorded input:

  postmortem-80x24.svg            hbtui postmortem of server2's ha-log (real Heartbeat 3.0.6:
                                  server1 killed, takeover, failback), at 80x24
  postmortem.svg                  the same at 100x30
  postmortem-findings-80x24.svg   the same after v: script calls and problems
  split-brain-80x24.svg           the console's banner: server2's ARP probe found another MAC
  gaps-histogram-80x24.svg        the Wire pane (v v v at 80x24) after a recorded lossy link
                                  (scripts/record_lossy_link.py: two hbtui nodes, 25 % loss)
  gaps-histogram.svg              the same at 140x44 (every pane)

The scenes are tests/console/scenes_offline.py's, which the snapshot tests check at 80x24.
Usage: python scripts/screenshots_offline.py [OUTDIR]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.console import scenes_offline as scenes  # noqa: E402

SMALL = (80, 24)
LARGE = (100, 30)
WIDE = (140, 44)
SHOTS: list[tuple[str, Any, tuple[int, int], str]] = [
    ("postmortem-80x24", scenes.postmortem, SMALL, "hbtui postmortem: a failover and failback"),
    ("postmortem", scenes.postmortem, LARGE, "hbtui postmortem: a failover and failback"),
    ("postmortem-findings-80x24", scenes.postmortem_findings, SMALL, "hbtui postmortem: v"),
    ("split-brain-80x24", scenes.split_brain, SMALL, "hbtui console: split brain"),
    (
        "gaps-histogram-80x24",
        lambda: scenes.gap_histogram(view_presses=3),
        SMALL,
        "hbtui console: keepalive gaps on a lossy link (v v v: the Wire pane)",
    ),
    ("gaps-histogram", scenes.gap_histogram, WIDE, "hbtui console: keepalive gaps on a lossy link"),
]


async def shoot(make: Any, size: tuple[int, int], title: str) -> str:
    """One scene's SVG at ``size``."""
    app, steps = make()
    async with app.run_test(size=size) as pilot:
        await steps(pilot)
        return str(app.export_screenshot(title=title))


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    for name, make, size, title in SHOTS:
        path = outdir / f"{name}.svg"
        path.write_text(asyncio.run(shoot(make, size, title)), encoding="utf-8")
        print(path)
    print(f"done in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
