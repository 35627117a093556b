"""Issue 14.1: the dialogs not covered by test_console_layout fit at 80x24, 100x30 and
140x44 (the characters on screen): restart and delete-hb_uuid confirmations, the start-node
dialog of a console with no node, the quit confirmation of a console running the node, the
hostname wizard's form, the failover drill's dialog and the support bundle's (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from hbtui.console.app import ConsoleApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.rename import RenameScreen
from hbtui.console.screens.report import ReportScreen
from tests.console.helpers import (
    AFTER_FAILOVER_MS,
    STEADY_MS,
    FakeBundler,
    at,
    crash_server1,
    demo_app,
    drill_dialog,
    settle,
)
from tests.console.test_console_embedded import embedded, until
from tests.console.test_console_layout import SIZES, flat, screen_text
from tests.runtime.drillfake import FakeCluster
from tests.runtime.rtkit import Lan, make_member


def dialog_fits(app: Any, title: str) -> None:
    """The confirmation on screen shows its title, the end of its text and both buttons."""
    assert isinstance(app.screen, ConfirmScreen)
    shown = flat(screen_text(app, app.screen.query_one("#confirm-box")))
    assert title in shown, shown
    assert flat(app.screen.explanation)[-40:] in shown, shown
    assert "Cancel (n)" in shown


@pytest.mark.parametrize("size", SIZES)
async def test_restart_and_delete_uuid_confirmations_fit(size: tuple[int, int]) -> None:
    app, source = demo_app()
    async with app.run_test(size=size) as pilot:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)
        await pilot.press("r")
        await settle(pilot)
        dialog_fits(app, "Restart")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")  # hb_uuid is deleted only on a stopped node
        await settle(pilot)
        dialog_fits(app, "Stop")
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog_fits(app, "hb_uuid")


@pytest.mark.parametrize("size", SIZES)
async def test_start_node_and_quit_dialogs_fit(size: tuple[int, int], tmp_path: Path) -> None:
    one = make_member("server1", Lan(), tmp_path)
    source = embedded(one, control_socket=tmp_path / "run" / "control.sock")
    app = ConsoleApp(source, poll_sockets=False, stop_on_quit=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog_fits(app, "Start")
        await pilot.press("y")
        await until(pilot, source.is_running)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog_fits(app, "Quit")
        await pilot.press("n")
        await settle(pilot)
        await source.stop()


@pytest.mark.parametrize("size", SIZES)
async def test_the_hostname_wizard_fits(size: tuple[int, int]) -> None:
    app, _source = demo_app()

    async def make_plan(old: str, new: str) -> Any:
        raise AssertionError("not called")

    async def execute(plan: Any, progress: Any) -> Any:
        raise AssertionError("not called")

    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.push_screen(RenameScreen(["server1", "server2"], make_plan, execute))
        await settle(pilot)
        shown = flat(screen_text(app))
        for text in ("Change a node's hostname", "Plan (p)", "Run (ctrl+r)", "Close"):
            assert text in shown, (text, shown)


def drill_fits(app: Any, *texts: str) -> None:
    shown = flat(screen_text(app, app.screen.query_one("#drill-box")))
    for text in texts:
        assert flat(text) in shown, (text, shown)


@pytest.mark.parametrize("size", SIZES)
async def test_the_drill_dialog_fits(size: tuple[int, int]) -> None:
    """D's dialog: the preflight's refusal, the confirmation, the result with its times."""
    app, _source = demo_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.push_screen(refused := drill_dialog(FakeCluster(peer_status="dead")))
        await until(pilot, lambda: refused.state == "refused")
        drill_fits(app, "Failover drill on server1", "server2 is dead: it could not take the group",
                   "Close (esc)")  # fmt: skip
        await pilot.press("escape")
        app.push_screen(screen := drill_dialog(FakeCluster()))
        await until(pilot, lambda: screen.state == "confirm")
        explanation = str(screen.query_one("#drill-text", Static).render())
        drill_fits(app, "Failover drill on server1", explanation[-40:], "Run the drill (y)",
                   "Cancel (n)")  # fmt: skip
        await pilot.press("y")
        await until(pilot, lambda: screen.state == "done")
        drill_fits(app, "Passed.", "drill-20261126T033000_000Z.md", "1.50 s done",
                   "0.80 s done", "Close (esc)")  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
async def test_the_report_dialog_fits(size: tuple[int, int]) -> None:
    """B's dialog: the form with its buttons, then where the bundle went and what is missing."""
    app, source = demo_app(bundle=FakeBundler().setup())
    async with app.run_test(size=size) as pilot:
        await at(pilot, source, STEADY_MS)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        shown = flat(screen_text(app, screen.query_one("#report-box")))
        for text in ("/var/lib/heartbeat/reports.", "Logs of the last", "capture udp/694",
                     "Make the bundle (enter)", "Cancel (esc)"):  # fmt: skip
            assert text in shown, (text, shown)
        await pilot.press("enter")
        await until(pilot, lambda: getattr(screen, "state", "") == "done")
        await settle(pilot)
        shown = flat(screen_text(app, screen.query_one("#report-box")))
        done = ("hbtui-report-server2-20261126-033000.tar.gz", "Close (esc)",
                "server1: unreachable: the SSH link is connecting")  # fmt: skip
        for text in done:
            assert text in shown, (text, shown)
