"""``P``: the post-mortem of this node's ha-log (``PostmortemScreen``), read by the backend
the command gave the console; an unreadable log is said in the log pane, never fatal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbtui.console.postmortem_app import PostmortemScreen
from hbtui.stream.source import Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp, MakeReport


def open_postmortem(app: ConsoleApp) -> None:
    """Read the report (a worker), then show it; without a backend, say why not."""
    if app.make_report is None:
        why = "not offered here: the console knows no ha-log of this node (ha.cf logfile)"
        app.log_outcome("postmortem", Outcome(False, f"post-mortem: {why}"))
        return
    app.run_worker(_read_then_show(app, app.make_report), exclusive=True, group="postmortem")


async def _read_then_show(app: ConsoleApp, make_report: MakeReport) -> None:
    try:
        report = await make_report()
    except Exception as exc:  # an unreadable log is said, never fatal
        app.log_outcome("postmortem", Outcome(False, f"post-mortem: {exc}"))
        return
    app.push_screen(PostmortemScreen(report, closable=True))
