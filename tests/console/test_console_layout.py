"""Issue 14.1: the console at 80x24, 100x30 and 140x44 keeps what matters on screen: the
node states with their countdowns, the VIP holder and the footer's ? Help and q Quit;
then resources; the help screen and the confirmation dialogs fit. Checked on the text
the terminal would show (the screenshot's characters), so a cut is a failing test."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.help import KEYS, HelpScreen
from tests.console.helpers import (
    AFTER_FAILOVER_MS,
    STEADY_MS,
    WARN_MS,
    at,
    crash_server1,
    demo_app,
    settle,
)

SIZES = [(80, 24), (100, 30), (140, 44)]


def screen_text(app: Any, widget: Any = None) -> str:
    """The characters on screen, row by row (what export_screenshot draws, as text); only
    those inside ``widget``'s region when given (a dialog over the panes)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    text = console.export_text()
    if widget is None:
        return text
    r = widget.region
    return "\n".join(row[r.x : r.right] for row in text.splitlines()[r.y : r.bottom])


def flat(text: str) -> str:
    """One line, without box borders (a wrapped sentence reads straight on)."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃║╭╮╰╯─━═▏█▀▄▔▁]", " ", text))


@pytest.mark.parametrize("size", SIZES)
async def test_steady_state_shows_nodes_countdown_vip_and_footer(size: tuple[int, int]) -> None:
    app, source = demo_app()
    async with app.run_test(size=size) as pilot:
        await at(pilot, source, WARN_MS)
        shown = flat(screen_text(app))
        assert "server2 (this node) active" in shown
        assert "server1 active" in shown
        assert re.search(r"\d+\.\d s left, heard \d+\.\d s ago", shown), shown
        assert "192.168.10.10 server1" in shown
        assert "? Help" in shown and "q Quit" in shown
        assert "failback.sh" in shown  # the resources come next


@pytest.mark.parametrize("size", SIZES)
async def test_after_failover_the_dead_peer_and_the_new_holder_are_visible(
    size: tuple[int, int],
) -> None:
    app, source = demo_app()
    async with app.run_test(size=size) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        shown = flat(screen_text(app))
        assert "server1 dead" in shown
        assert "192.168.10.10 server2 (here)" in shown
        assert "? Help" in shown and "q Quit" in shown


@pytest.mark.parametrize("size", SIZES)
async def test_help_and_every_dialog_fit(size: tuple[int, int]) -> None:
    app, source = demo_app()
    async with app.run_test(size=size) as pilot:
        await at(pilot, source, STEADY_MS)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = flat(screen_text(app, app.screen.query_one("#help-box")))
        for key, what in KEYS:
            assert flat(what)[:30] in shown, (key, what)
        await pilot.press("escape")
        await settle(pilot)
        for key, title in (("k", "Kill server2?"), ("b", "Standby server2?"),
                           ("t", "Takeover on server2?"), ("s", "Stop server2?")):  # fmt: skip
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen), key
            shown = flat(screen_text(app, app.screen.query_one("#confirm-box")))
            assert title in shown
            explanation = flat(app.screen.explanation)
            assert explanation[-40:] in shown, (key, explanation)  # the end is not cut
            assert "Cancel (n)" in shown
            await pilot.press("n")
            await settle(pilot)


async def test_v_cycles_the_compact_panes_and_is_off_when_wide() -> None:
    app, source = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        assert "failover" not in flat(screen_text(app))
        await pilot.press("v")
        await settle(pilot)
        assert app.dashboard.view == "timeline"
        assert "failover server1" in flat(screen_text(app))
        await pilot.press("v")
        await settle(pilot)
        log = app.dashboard.query_one("#log")
        assert log.display and log.region.height >= 6  # the log, beside nothing else
        assert "Log" in flat(screen_text(app))
    app, source = demo_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert not app.dashboard.has_class("-compact")
        await pilot.press("v")
        await settle(pilot)
        assert app.dashboard.view == "resources"


async def test_wall_clock_times_an_operator_can_use() -> None:
    """Issue 14.6: the time zone once in the header, a silent peer's last keepalive as a
    wall-clock time, this node's uptime."""
    from hbtui.console.widgets.node_card import _duration

    app, source = demo_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        shown = flat(screen_text(app))
        assert re.search(r"keys act on server2 · times \S+", shown), shown[:200]
        assert re.search(r"server1 dead .* last keepalive at \d\d:\d\d:\d\d\.\d{3}", shown)
        app.model.started_ms = source.now_ms() - 7_384_000
        app.dashboard.tick()
        await settle(pilot)
        assert "keepalives sent by this node, up 2h 03m" in flat(screen_text(app))
    assert [_duration(ms) for ms in (12_000, 307_000, 90_061_000)] == ["12s", "5m 07s", "1d 1h"]


@pytest.mark.parametrize("size", SIZES)
async def test_a_split_brain_found_by_the_probe_is_a_banner_above_every_pane(
    size: tuple[int, int],
) -> None:
    """Issue 17: the node's ARP probe (``runtime.split_brain``) finds another machine
    answering for the VIP it holds: a red banner with the MACs, at every size, until a
    later snapshot says it is over."""
    from hbtui.console.app import ConsoleApp
    from hbtui.console.widgets.banner import SplitBrainBanner
    from hbtui.sources.demo_trace import trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot
    from hbtui.stream.items import SnapshotTaken

    found = {"ip": "192.168.10.10", "device": "eth0", "here": True, "macs": ["02:00:c0:a8:0a:01"]}
    items = [
        *trace(),
        SnapshotTaken(STEADY_MS + 10, {"node": "server2", "runtime": {"split_brain": [found]}}),
        SnapshotTaken(STEADY_MS + 30, {"node": "server2", "runtime": {"split_brain": []}}),
    ]
    items.sort(key=lambda item: item.at_ms)
    source = ReplaySource(items, initial_snapshot(items))
    app = ConsoleApp(source, poll_sockets=False)
    async with app.run_test(size=size) as pilot:
        await at(pilot, source, STEADY_MS + 20)
        banner = app.dashboard.query_one(SplitBrainBanner)
        assert banner.display
        shown = flat(screen_text(app))
        assert (
            "SPLIT BRAIN: 192.168.10.10 on eth0 is answered by 2 machines: server2 (this node),"
            " MAC 02:00:c0:a8:0a:01" in shown
        ), shown
        assert "? Help" in shown and "q Quit" in shown
        await at(pilot, source, STEADY_MS + 40)  # (before the trace's crash gate)
        assert not banner.display
        assert "SPLIT BRAIN" not in flat(screen_text(app))
