"""``B``: a support bundle of every node the console shows (``ReportScreen``), made by the
backend the command gave the console; without one, the log pane says why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbtui.console.screens.report import ReportScreen
from hbtui.stream.source import Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp


def open_report(app: ConsoleApp) -> None:
    """Open the bundle dialog; its outcome goes into the log pane of this node."""
    if app.bundle_setup is None:
        why = "not offered here: this console reads no node's files (a replay)"
        app.log_outcome("report", Outcome(False, f"support bundle: {why}"), app.primary)
        return

    def done(outcome: Outcome | None) -> None:
        if outcome is not None:
            app.log_outcome("report", outcome, app.primary)

    app.push_screen(ReportScreen(list(app.sources), app.bundle_setup), done)
