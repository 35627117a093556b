"""(run inside server1's network namespace by test_console_netns.py) The console in
embedded mode on a real node: watch server2, kill server1 with k, see server2 take the
VIP, restart with r, see auto_failback bring it home, quit (graceful stop).

Prints one JSON object with what it saw; exit status 0 when every step happened.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hbtui.config.loader import load_config  # noqa: E402
from hbtui.console.app import ConsoleApp  # noqa: E402
from hbtui.console.screens.confirm import ConfirmScreen  # noqa: E402
from hbtui.sources.embedded import EmbeddedSource  # noqa: E402

VIP = "192.168.10.10"
STEP_S = 30.0


def vip_in(netns: str) -> bool:
    out = subprocess.run(
        ["ip", "-n", netns, "-o", "addr", "show"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout
    return f" {VIP}/" in out


async def main(etc: Path, state: Path, peer_netns: str) -> dict[str, object]:
    config, problems = load_config(etc, "server1")
    assert config is not None, problems
    source = EmbeddedSource(config, state)
    app = ConsoleApp(source, poll_sockets=True, autostart=True, stop_on_quit=True)
    seen: dict[str, object] = {}
    t0 = time.monotonic()

    async def until(step: str, predicate: Callable[[], bool | Awaitable[bool]]) -> None:
        """Wait (bounded) for ``predicate``; one that runs ``ip`` returns an awaitable."""

        async def holds() -> bool:
            result = predicate()
            return await result if inspect.isawaitable(result) else result

        async with asyncio.timeout(STEP_S):
            while not await holds():
                await pilot.pause(0.05)
        seen[step] = round(time.monotonic() - t0, 2)

    def vip_there() -> Awaitable[bool]:  # `ip` runs off the console's event loop
        return asyncio.to_thread(vip_in, peer_netns)

    async def vip_home() -> bool:
        return model.vips[VIP].owner == "server1" and not await vip_there()

    async with app.run_test(size=(120, 40)) as pilot:
        model = app.model
        await until(
            "server2 heard",
            lambda: "server2" in model.nodes and model.nodes["server2"].last_heard_ms is not None,
        )
        await until("VIP here", lambda: VIP in model.vips and model.vips[VIP].owner == "server1")
        await until(
            "failback.sh start output",
            lambda: any(
                "failback.sh: starting" in line
                for c in model.scripts.values()
                for _, line in c.lines
            ),
        )
        await pilot.press("k")
        await until("kill asks first", lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until("node killed", lambda: not source.is_running())
        await until("server2 took the VIP", vip_there)
        here = await asyncio.to_thread(
            subprocess.run,
            ["ip", "-o", "addr", "show"],
            capture_output=True,
            text=True,
            check=False,
        )
        seen["VIP still here after kill (nothing released)"] = VIP in here.stdout
        await pilot.press("r")  # a node here starts after a confirmation
        await until("start asks first", lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until("node running again", source.is_running)
        await until("auto_failback: VIP home", vip_home)
        await until("failback row", lambda: any(r.kind == "failback" for r in model.timeline))
        seen["log has the kill result"] = any(
            "killed (crash drill)" in line.text for line in model.log
        )
        await pilot.press("q")  # quitting stops the node: asked first
        await until("quit asks first", lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until("quit stopped the node", lambda: not source.is_running())
    return seen


if __name__ == "__main__":
    result = asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
    print(json.dumps(result))
