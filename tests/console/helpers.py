"""The console under test: the demo trace on a hand-driven replay clock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from hbtui.console.app import ConsoleApp
from hbtui.console.screens.drill import DrillScreen
from hbtui.drill.driver import DrillSetup
from hbtui.report.ask import BundleAsk, Bundled, BundleSetup
from hbtui.sources.demo_trace import DEADTIME_MS, LAST_HEARD_MS, WARNTIME_MS, trace
from hbtui.sources.replay import ReplaySource, initial_snapshot
from tests.runtime.drillfake import FakeCluster

SIZE = (120, 40)
STEADY_MS = LAST_HEARD_MS + 50  # just after server1's last keepalive
WARN_MS = LAST_HEARD_MS + WARNTIME_MS + 500
DEAD_MS = LAST_HEARD_MS + DEADTIME_MS + 100
AFTER_FAILOVER_MS = LAST_HEARD_MS + DEADTIME_MS + 2000


def demo_app(**kwargs: Any) -> tuple[ConsoleApp, ReplaySource]:
    """A console on the demo trace; nothing polled, nothing real."""
    items = trace()
    source = ReplaySource(items, initial_snapshot(items))
    return ConsoleApp(source, poll_sockets=False, **kwargs), source


async def settle(pilot: Pilot[None]) -> None:
    """Let the reader worker and the dashboard catch up."""
    for _ in range(6):
        await pilot.pause()


async def at(pilot: Pilot[None], source: ReplaySource, at_ms: int) -> None:
    """Move the replay clock to ``at_ms`` and let the screen catch up."""
    await source.advance_to(at_ms)
    await settle(pilot)
    # the clock jumped: one tick shows it now (the calm clock ticks once a second)
    dashboard = pilot.app.dashboard  # type: ignore[attr-defined]
    dashboard.tick()
    await settle(pilot)


async def crash_server1(pilot: Pilot[None], source: ReplaySource) -> None:
    """Steady state, then ``k`` + ``y``: the recorded crash of server1 follows."""
    await at(pilot, source, STEADY_MS)
    await pilot.press("k")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)


def wire_text(app: ConsoleApp) -> str:
    """What the wire pane's rate line says (``in …/s out …/s …``)."""
    from hbtui.console.widgets.wire import WirePanel

    rows = app.dashboard.query_one(WirePanel).shown_stats or []
    return " ".join(cell[0] for row in rows[:1] for cell in row)


def drill_dialog(cluster: FakeCluster, timeout_s: float = 120.0) -> DrillScreen:
    """The drill dialog on a fake cluster and its clock; the preflight reads agreeing
    configs but for the log file's name (a note); the report is said kept in
    /var/lib/heartbeat/drills and written nowhere."""

    async def keep(report: Any) -> str:
        return "/var/lib/heartbeat/drills/drill-20261126T033000_000Z.md"

    async def reads(snap: dict[str, Any]) -> dict[str, Any]:  # as read over the SSH link
        differs = ["DIFFERS ha.cf logfile: server2 /var/log/ha-log, server1 /var/log/ha.log"]
        return {**snap, "trouble": [], "configs": {"breaks": [], "differs": differs}}

    setup = DrillSetup(keep=keep, timeout_s=timeout_s, clock=cluster.clock, reads=reads)
    return DrillScreen(cluster.me, cluster, lambda: "2026-11-26T03:30:00.000Z", setup)


REPORTS = Path("/var/lib/heartbeat/reports")


class FakeBundler:
    """``B``'s backend without SSH: records each ask; answers a bundle of server2 (the
    demo's node) with server1 unreachable (or raises ``fail``); ``gate`` holds it until set."""

    def __init__(self, fail: str = "") -> None:
        self.asks: list[BundleAsk] = []
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, ask: BundleAsk) -> Bundled:
        self.asks.append(ask)
        await asyncio.wait_for(self.gate.wait(), 10)
        if self.fail:
            raise OSError(self.fail)
        missing = ("server1: unreachable: the SSH link is connecting",
                   "server2: cl_status.txt: cl_status hbstatus: not found")  # fmt: skip
        path = REPORTS / "hbtui-report-server2-20261126-033000.tar.gz"
        return Bundled(path, ("server2",), missing)

    def setup(self) -> BundleSetup:
        return BundleSetup(self, REPORTS)


async def open_bundle_dialog(pilot: Any, app: Any, source: Any) -> Any:
    """The steady demo, then ``B``: the support-bundle dialog once it is on screen."""
    from hbtui.console.screens.report import ReportScreen
    from tests.console.test_console_embedded import until

    await at(pilot, source, STEADY_MS)
    await pilot.press("B")
    await until(pilot, lambda: isinstance(app.screen, ReportScreen))
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    return screen
