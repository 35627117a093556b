"""SVG snapshots of the main screens over the demo replay (fixed names and times).

Update on purpose only: ``python -m pytest tests/console --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.console.helpers import (
    AFTER_FAILOVER_MS,
    SIZE,
    STEADY_MS,
    WARN_MS,
    at,
    crash_server1,
    demo_app,
    settle,
)


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

    scenes = {
        "steady": steady,
        "countdown": countdown,
        "failover": failover,
        "help": help_screen,
        "kill_confirm": kill_confirm,
    }
    return app, scenes[name]


@pytest.mark.parametrize("name", ["steady", "countdown", "failover", "help", "kill_confirm"])
def test_screen(name: str, snap_compare: Any) -> None:
    app, run_before = scene(name)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
