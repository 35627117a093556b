#!/usr/bin/env python3
"""Render the console's screenshots (SVG) from a real ``hbtui demo`` into screenshots/.

Root only: it builds the demo cluster in namespaces (``hbtui.lab.demo``), opens the console
on both nodes (server1 focused, server2 in the other-nodes pane) and drives it with Pilot:

  steady.svg        both nodes active, server1 holds the VIP
  kill-confirm.svg  k asks first
  countdown.svg     server1 killed: server2 counts its deadtime down (other-nodes pane)
  failover.svg      server2 focused (tab): server1 dead, VIP and failback.sh on server2
  failover-80x24.svg  the same at 80x24 (the compact layout)
  failback.svg      server1 restarted (r), auto_failback gave the group home
  help.svg          the ? screen

Usage: sudo python scripts/screenshots.py [OUTDIR]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from hbtui.commands.demo import demo_app, wait_answering  # noqa: E402
from hbtui.console.app import ConsoleApp  # noqa: E402
from hbtui.console.screens.confirm import ConfirmScreen  # noqa: E402
from hbtui.console.screens.help import HelpScreen  # noqa: E402
from hbtui.lab.demo import VIP, DemoCluster, why_not  # noqa: E402

SIZE = (140, 44)
SMALL = (80, 24)  # an operator's SSH terminal
STEP_S = 30.0


def owner(app: ConsoleApp, node: str) -> str | None:
    vip = app.models[node].vips.get(VIP)
    return None if vip is None else vip.owner


async def render(cluster: DemoCluster, outdir: Path) -> list[Path]:
    """Drive the console through the crash drill and save each scene."""
    app = demo_app(cluster)
    written: list[Path] = []

    def save(name: str, title: str) -> None:
        path = outdir / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"hbtui demo: {title}"), encoding="utf-8")
        written.append(path)

    async with app.run_test(size=SIZE) as pilot:

        async def until(predicate: Callable[[], bool]) -> None:
            """Wait (bounded) for ``predicate``, then for the screen to be drawn."""
            async with asyncio.timeout(STEP_S):
                while not predicate():
                    await pilot.pause(0.05)
            await pilot.pause()

        m2 = app.models["server2"]

        def server1_silent_for(ms: int) -> bool:
            heard = m2.nodes["server1"].last_heard_ms
            return heard is not None and app.sources["server2"].now_ms() - heard >= ms

        await until(lambda: owner(app, "server1") == "server1" and "server1" in m2.nodes)
        gaps = app.models["server1"].node("server2").gaps
        await until(lambda: len(gaps) >= 3)  # a few keepalives for the sparkline
        save("steady", "steady state (server1 focused, server2 beside it)")
        await pilot.press("question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen))
        save("help", "keys")
        await pilot.press("escape")
        await pilot.press("k")
        await until(lambda: isinstance(app.screen, ConfirmScreen))
        save("kill-confirm", "the crash drill asks first")
        await pilot.press("y")
        await until(lambda: server1_silent_for(3400))  # past warntime (3 s)
        save("countdown", "server1 killed: server2 counts its deadtime down")
        await until(lambda: owner(app, "server2") == "server2")
        await until(lambda: any(call.rc is not None for call in m2.scripts.values()))
        await pilot.press("tab")
        await until(lambda: app.focused_node == "server2")
        save("failover", "after failover (server2 focused)")
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.5)
        save("failover-80x24", "after failover at 80x24 (compact: v shows the next pane)")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause(0.5)
        await pilot.press("tab")
        await pilot.press("r")
        await until(lambda: owner(app, "server2") == "server1")
        # `ip monitor` in the namespace, off the console's loop (raises TimeoutError)
        await asyncio.to_thread(cluster["server1"].lab_node.wait_for_address, VIP, True, STEP_S)
        await pilot.pause(1.5)
        save("failback", "server1 restarted, auto_failback")
        await pilot.press("q")
    return written


def main() -> int:
    reason = why_not()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 2
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with DemoCluster() as cluster:
        cluster.start_all()
        wait_answering(cluster, 20.0)
        for path in asyncio.run(render(cluster, outdir)):
            print(path)
    print(f"done in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
