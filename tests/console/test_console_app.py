"""The console driven with Pilot over the demo replay: keys, dialogs, live panes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.help import HelpScreen
from hbtui.console.widgets.countdown import CountdownBar
from hbtui.console.widgets.log_pane import LogPane
from hbtui.console.widgets.mode_header import ModeHeader
from hbtui.sources.demo_trace import LAST_HEARD_MS, VIP
from tests.console.helpers import (
    AFTER_FAILOVER_MS,
    DEAD_MS,
    SIZE,
    STEADY_MS,
    WARN_MS,
    at,
    crash_server1,
    demo_app,
    settle,
)


def log_texts(app: object) -> list[str]:
    return [line.text for line in app.model.log]  # type: ignore[attr-defined]


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press ``keys`` and let the screen catch up."""
    await pilot.press(*keys)
    await settle(pilot)


async def confirm(pilot: Pilot[None], *keys: str) -> list[str]:
    """Press each key and answer yes to the confirmation it asks; the texts asked."""
    asked = []
    for key in keys:
        await press(pilot, key)
        screen = pilot.app.screen
        assert isinstance(screen, ConfirmScreen), f"{key} did not ask first"
        asked.append(screen.explanation)
        await press(pilot, "y")
    return asked


async def test_header_says_the_mode_and_the_focused_node() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = str(app.dashboard.query_one(ModeHeader).render())
        assert "server2" in header and "replaying a recorded trace" in header
        assert "keys act on server2" in header


async def test_kill_asks_first_and_cancel_does_nothing() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await at(pilot, source, STEADY_MS)
        await press(pilot, "k")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert not isinstance(app.screen, ConfirmScreen)
        assert source.actions_taken == []
        assert log_texts(app)[-1].endswith("kill: cancelled, nothing done")


async def test_countdown_turns_warn_then_dead_and_the_vip_moves() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        assert source.actions_taken == ["kill"]
        assert "kill: replay: kill plays the recorded sequence" in log_texts(app)[-1]
        bar = app.dashboard.query_one("#node-server1 CountdownBar", CountdownBar)
        assert not bar.has_class("-warn") and not bar.has_class("-dead")
        assert app.model.vips[VIP].owner == "server1"
        await at(pilot, source, WARN_MS)
        assert bar.has_class("-warn") and not bar.has_class("-dead")
        await at(pilot, source, DEAD_MS)
        assert app.model.nodes["server1"].status == "dead"
        await at(pilot, source, AFTER_FAILOVER_MS)
        assert app.model.vips[VIP].owner == "server2"
        assert app.model.timeline[-1].kind == "failover"
        assert "deadtime 5 s" in app.model.timeline[-1].why


async def test_countdown_reaches_dead_from_silence_alone() -> None:
    """Even before the PeerDead event, the bar is computed from last-heard time."""
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        bar = app.dashboard.query_one("#node-server1 CountdownBar", CountdownBar)
        app.dashboard.query_one("#node-server1").tick(  # type: ignore[attr-defined]
            app.model.nodes["server1"], LAST_HEARD_MS + 5001, app.model.warntime_ms
        )
        assert bar.has_class("-dead")


async def test_script_output_appears_with_exit_code() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        lines = [s.text for s in app.dashboard.query_one("#script-output").lines]  # type: ignore[attr-defined]
        assert "$ /etc/ha.d/resource.d/failback.sh start" in lines
        assert "  failback.sh: starting on server2" in lines
        assert any(line.startswith("  -> exit 0 in ") for line in lines)


async def test_restart_after_failover_plays_the_failback() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        await press(pilot, "r")
        assert isinstance(app.screen, ConfirmScreen)  # a restart moves resources: it asks
        assert "stops (releasing" in app.screen.explanation
        await press(pilot, "y")
        assert source.actions_taken == ["kill", "stop", "start"]  # r = restart
        await source.advance(2000)
        await settle(pilot)
        assert app.model.vips[VIP].owner == "server1"
        assert app.model.timeline[-1].kind == "failback"


async def test_delete_uuid_is_refused_while_running_then_confirmed_when_stopped() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        assert not isinstance(app.screen, ConfirmScreen)
        assert log_texts(app)[-1].endswith("refused, stop the node first (s)")
        await confirm(pilot, "s")
        assert "graceful stop requested" in log_texts(app)[-1]
        await press(pilot, "u")
        assert isinstance(app.screen, ConfirmScreen)
        assert "hostname" in str(app.screen.query_one("#confirm-text").render())
        await press(pilot, "y")
        assert source.actions_taken == ["stop", "delete_uuid"]
        assert log_texts(app)[-1].endswith("delete_uuid: replay: hb_uuid deleted")


async def test_standby_and_takeover_write_their_results() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        asked = await confirm(pilot, "b", "t")
        assert source.actions_taken == ["standby", "takeover"]
        assert "server2 gives" in asked[0] and "(hb_standby)" in asked[0]
        assert "server2 takes" in asked[1] and "(hb_takeover)" in asked[1]
        texts = log_texts(app)
        assert any("standby: replay: standby requested" in t for t in texts)
        assert any("takeover: replay: takeover requested" in t for t in texts)


async def test_log_filter_keeps_matching_lines() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        await press(pilot, "l")
        assert isinstance(app.focused, Input)
        await press(pilot, *"WARN")
        pane = app.dashboard.query_one(LogPane)
        shown = pane.shown_text()
        assert shown and all("WARN" in line for line in shown)
        assert any("node server1: is dead" in line for line in shown)
        await press(pilot, "escape")
        assert not isinstance(app.focused, Input)
        await confirm(pilot, "b")  # keys act on the node again
        assert source.actions_taken[-1] == "standby"
        assert pane.filter_text == "WARN"


async def test_help_screen_lists_every_key() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_every_node_action() -> None:
    from hbtui.console.commands import PALETTE

    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {"stop", "kill", "start", "standby", "takeover", "delete_uuid"} <= set(PALETTE)
        await press(pilot, "ctrl+p")
        await pilot.press(*"standby")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)  # the palette asks as the key does
        await press(pilot, "y")
        assert app.sources["server2"].actions_taken == ["standby"]  # type: ignore[attr-defined]
