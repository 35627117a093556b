"""SVG snapshots of the main screens over the demo replay (fixed names and times).

Update on purpose only: ``python -m pytest tests/console --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox

from tests.console import scenes_offline
from tests.console.helpers import (
    AFTER_FAILOVER_MS,
    STEADY_MS,
    WARN_MS,
    FakeBundler,
    at,
    crash_server1,
    demo_app,
    drill_dialog,
    open_bundle_dialog,
    settle,
)
from tests.console.test_console_embedded import until
from tests.runtime.drillfake import FakeCluster


def scene(name: str) -> tuple[Any, Callable[[Pilot[None]], Awaitable[None]]]:
    app, source = demo_app()

    async def steady(pilot: Pilot[None]) -> None:
        await at(pilot, source, STEADY_MS)

    async def countdown(pilot: Pilot[None]) -> None:
        await crash_server1(pilot, source)
        await at(pilot, source, WARN_MS)

    async def failover(pilot: Pilot[None]) -> None:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)

    async def help_screen(pilot: Pilot[None]) -> None:
        await at(pilot, source, STEADY_MS)
        await pilot.press("question_mark")
        await settle(pilot)

    async def kill_confirm(pilot: Pilot[None]) -> None:
        await at(pilot, source, STEADY_MS)
        await pilot.press("k")
        await settle(pilot)

    async def standby_confirm(pilot: Pilot[None]) -> None:
        await at(pilot, source, STEADY_MS)
        await pilot.press("b")
        await settle(pilot)

    async def timeline_view(pilot: Pilot[None]) -> None:  # v in the compact layout
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        await pilot.press("v")
        await settle(pilot)

    scenes = {
        "steady": steady,
        "countdown": countdown,
        "failover": failover,
        "help": help_screen,
        "kill_confirm": kill_confirm,
        "standby_confirm": standby_confirm,
        "timeline_view": timeline_view,
    }
    return app, scenes[name]


SCENES = ["steady", "countdown", "failover", "help", "kill_confirm", "standby_confirm"]
# an operator's SSH terminal, a laptop's, a wide one (issue 14.1)
SIZES = {"80x24": (80, 24), "100x30": (100, 30), "140x44": (140, 44)}


@pytest.mark.parametrize("name", SCENES)
@pytest.mark.parametrize("size", SIZES)
def test_screen(name: str, size: str, snap_compare: Any) -> None:
    app, run_before = scene(name)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


def test_compact_timeline_view(snap_compare: Any) -> None:
    app, run_before = scene("timeline_view")
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


def drill_scene(name: str) -> tuple[Any, Callable[[Pilot[None]], Awaitable[None]]]:
    """D's dialog over the steady demo, on a fake cluster and clock as the demo has it
    (server2 focused, server1 holding the group): asking, then passed."""
    app, source = demo_app()
    screen = drill_dialog(FakeCluster(me="server2", peer="server1", holder="server1"))

    async def run_before(pilot: Pilot[None]) -> None:
        await at(pilot, source, STEADY_MS)
        app.push_screen(screen)
        await until(pilot, lambda: screen.state == "confirm")
        if name == "drill_passed":
            await pilot.press("y")
            await until(pilot, lambda: screen.state == "done")
        await settle(pilot)

    return app, run_before


@pytest.mark.parametrize("name", ["drill_confirm", "drill_passed"])
@pytest.mark.parametrize("size", ["80x24", "100x30"])
def test_drill_dialog(name: str, size: str, snap_compare: Any) -> None:
    app, run_before = drill_scene(name)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


# recorded input, no root (tests/console/scenes_offline.py; the README's pictures are these,
# written by scripts/screenshots_offline.py)
OFFLINE = {
    "postmortem": scenes_offline.postmortem,
    "postmortem_findings": scenes_offline.postmortem_findings,
    "split_brain": scenes_offline.split_brain,
    "gaps_histogram": lambda: scenes_offline.gap_histogram(view_presses=3),
}


@pytest.mark.parametrize("name", OFFLINE)
def test_offline_scene(name: str, snap_compare: Any) -> None:
    app, run_before = OFFLINE[name]()
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


def report_scene(name: str) -> tuple[Any, Callable[[Pilot[None]], Awaitable[None]]]:
    """B's dialog over the steady demo with a fake backend: asking (capture ticked), then
    the bundle written with a peer unreachable."""
    app, source = demo_app(bundle=FakeBundler().setup())

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_bundle_dialog(pilot, app, source)
        screen.query_one("#report-capture", Checkbox).value = True
        if name == "report_done":
            await pilot.press("enter")
            await until(pilot, lambda: screen.state == "done")
        await settle(pilot)

    return app, run_before


@pytest.mark.parametrize("name", ["report_ask", "report_done"])
def test_report_dialog(name: str, snap_compare: Any) -> None:
    app, run_before = report_scene(name)
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


def test_the_readme_screenshot_is_the_report_snapshot() -> None:
    """screenshots/report-80x24.svg (README) is the report_done snapshot: copy it after
    ``--snapshot-update`` changed that one."""
    here = Path(__file__).parent / "__snapshots__" / "test_console_snapshots"
    readme = Path(__file__).parents[2] / "screenshots" / "report-80x24.svg"
    assert readme.read_text() == (here / "test_report_dialog[report_done].svg").read_text()
