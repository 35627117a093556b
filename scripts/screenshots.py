#!/usr/bin/env python3
"""Render the console's screenshots (SVG) from the demo replay into screenshots/.

The replay is the HOWTO cluster seen from server2 (``hbtui.console.demo_trace``), on a
hand-driven clock, so every run draws the same pictures:

  steady.svg     both nodes active, server1 holds the VIP
  countdown.svg  server1 crashed: its deadtime bar has passed warntime
  failover.svg   server1 declared dead, VIP and failback.sh on server2, timeline row
  failback.svg   server1 back, auto_failback gave the group home
  help.svg       the ? screen

Usage: python scripts/screenshots.py [OUTDIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from hbtui.console.app import ConsoleApp  # noqa: E402
from hbtui.console.demo_trace import (  # noqa: E402
    DEADTIME_MS,
    LAST_HEARD_MS,
    WARNTIME_MS,
    trace,
)
from hbtui.console.replay import ReplaySource, initial_snapshot  # noqa: E402

SIZE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(6):
        await pilot.pause()


async def render(outdir: Path) -> list[Path]:
    """Drive one console through the demo and save each scene."""
    items = trace()
    source = ReplaySource(items, initial_snapshot(items))
    app = ConsoleApp(source, poll_sockets=False)
    written: list[Path] = []

    def save(name: str, title: str) -> None:
        path = outdir / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"hbtui console: {title}"), encoding="utf-8")
        written.append(path)

    async with app.run_test(size=SIZE) as pilot:
        await source.advance_to(LAST_HEARD_MS + 50)
        await settle(pilot)
        save("steady", "steady state")
        await pilot.press("question_mark")
        await settle(pilot)
        save("help", "keys")
        await pilot.press("escape")
        await pilot.press("k")
        await settle(pilot)
        save("kill-confirm", "crash drill asks first")
        await pilot.press("y")
        await settle(pilot)
        await source.advance_to(LAST_HEARD_MS + WARNTIME_MS + 700)
        await settle(pilot)
        save("countdown", "server1 silent, countdown past warntime")
        await source.advance_to(LAST_HEARD_MS + DEADTIME_MS + 2000)
        await settle(pilot)
        save("failover", "after failover")
        await pilot.press("r")
        await settle(pilot)
        await source.advance(3000)
        await settle(pilot)
        save("failback", "server1 back, auto_failback")
    return written


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(render(outdir)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
