"""``B``: the support bundle dialog (issue 17). The window and the opt-in capture are
asked, the bundle is made off the event loop by the backend the command gives, and the
dialog and the log pane say where the tar.gz went and what could not be collected (a
peer unreachable is said). The command's backend runs for real on this machine's files
with a peer whose link is down."""

from __future__ import annotations

import argparse
import tarfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input, Static

from hbtui.commands.console import bundle_setup
from hbtui.console.screens.report import ReportScreen
from hbtui.remote.runner import LocalRunner
from tests.console.helpers import STEADY_MS, FakeBundler, at, demo_app, open_bundle_dialog, settle
from tests.console.test_console_embedded import until
from tests.report.test_report import KEY, howto_copy


def logged(app: Any) -> str:
    return "\n".join(line.text for line in app.model.log)


def dialog_text(screen: ReportScreen) -> str:
    return str(screen.query_one("#report-text", Static).render())


async def test_b_asks_the_window_and_capture_then_says_where_and_what_is_missing() -> None:
    bundler = FakeBundler()
    bundler.gate.clear()
    app, source = demo_app(bundle=bundler.setup())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bundle_dialog(pilot, app, source)
        assert "/var/lib/heartbeat/reports" in str(screen.query_one("#report-about").render())
        screen.query_one("#report-window", Input).value = "30m"
        screen.query_one("#report-capture", Checkbox).value = True
        screen.query_one("#report-seconds", Input).value = "5"
        await pilot.press("s")  # typed into the window field: no node is stopped
        assert "s" in screen.query_one("#report-window", Input).value
        screen.query_one("#report-window", Input).value = "30m"
        await pilot.click("#report-run")
        await until(pilot, lambda: screen.state == "collecting")
        assert "capturing udp/694 for 5 s" in dialog_text(screen)
        await pilot.press("escape")  # not while collecting
        assert app.screen is screen
        bundler.gate.set()
        await until(pilot, lambda: screen.state == "done")
        text = dialog_text(screen)
        assert "Written: /var/lib/heartbeat/reports/hbtui-report-server2-" in text
        assert "server1: unreachable: the SSH link is connecting" in text
        (ask,) = bundler.asks
        assert ask.capture_s == 5 and ask.until is None and ask.since is not None
        assert abs(datetime.now() - timedelta(minutes=30) - ask.since) < timedelta(seconds=30)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReportScreen))
        await until(pilot, lambda: "support bundle: wrote" in logged(app))
        assert "server1: unreachable" in logged(app)
        assert app.sources["server2"].is_running()  # nothing acted on the node


async def test_a_bad_window_or_capture_is_said_and_nothing_is_made() -> None:
    bundler = FakeBundler()
    app, source = demo_app(bundle=bundler.setup())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bundle_dialog(pilot, app, source)
        screen.query_one("#report-window", Input).value = "yesterday"
        await pilot.press("enter")
        await until(pilot, lambda: "not a time span" in dialog_text(screen))
        screen.query_one("#report-window", Input).value = "2h"
        screen.query_one("#report-capture", Checkbox).value = True
        screen.query_one("#report-seconds", Input).value = "9999"
        await pilot.press("enter")
        await until(pilot, lambda: "seconds from 1 to 600" in dialog_text(screen))
        assert bundler.asks == [] and screen.state == "ask"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReportScreen))
        assert "support bundle" not in logged(app)  # cancelled: nothing to say


async def test_an_unwritable_directory_is_said_and_the_form_stays() -> None:
    bundler = FakeBundler(fail="[Errno 13] Permission denied: '/var/lib/heartbeat/reports'")
    app, source = demo_app(bundle=bundler.setup())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bundle_dialog(pilot, app, source)
        await pilot.press("enter")
        await until(pilot, lambda: screen.state == "failed")
        assert "Not written: [Errno 13] Permission denied" in dialog_text(screen)
        assert screen.query_one("#report-run").display  # try again after fixing it
        await pilot.press("escape")
        await until(pilot, lambda: "support bundle not written" in logged(app))


async def test_without_a_backend_b_says_why_not() -> None:
    app, source = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await at(pilot, source, STEADY_MS)
        await pilot.press("B")
        await until(pilot, lambda: "support bundle: not offered here" in logged(app))
        assert not isinstance(app.screen, ReportScreen)


async def test_the_palette_offers_the_bundle() -> None:
    bundler = FakeBundler()
    app, source = demo_app(bundle=bundler.setup())
    async with app.run_test(size=(100, 30)) as pilot:
        await at(pilot, source, STEADY_MS)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"support bundle")
        await settle(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))


class DownLink:
    """A peer's SSH link the console holds, not up (``PeerLink``'s is_up and status)."""

    is_up = False

    class status:
        state = "connecting"


async def test_the_commands_backend_collects_here_and_says_the_peer_down(tmp_path: Path) -> None:
    config = howto_copy(tmp_path)
    state = tmp_path / "state"
    args = argparse.Namespace(
        config_dir=str(config), state_dir=str(state), control_socket=str(tmp_path / "no.sock"),
        peer_hbtui="hbtui",
    )  # fmt: skip
    setup = bundle_setup(args, "server2", lambda: {"server2": LocalRunner(), "server1": DownLink()})
    app, source = demo_app(bundle=setup)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_bundle_dialog(pilot, app, source)
        await pilot.press("enter")
        await until(pilot, lambda: screen.state in ("done", "failed"))
        text = dialog_text(screen)
    assert f"Written: {state / 'reports'}/hbtui-report-server2-" in text, text
    assert "server1: unreachable: the SSH link is connecting" in text
    (bundle,) = (state / "reports").glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        files = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                 for m in tar.getmembers() if m.isfile()}  # fmt: skip
    assert "server2/etc/authkeys.redacted" in files and "server2/etc/ha.cf" in files
    assert all(KEY not in t for t in files.values())
    assert "server1: unreachable" in files["README.txt"]
