"""The wizards that run commands on every node of ha.cf over SSH: ``h`` (hostname change,
``RenameScreen``) and ``M`` (move to Corosync + Pacemaker, ``CutoverScreen``).

Each runs over the backend the command gave the console (the SSH links); without one the
key only says in the log pane why it is not offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbtui.console.screens.cutover import CutoverScreen
from hbtui.console.screens.rename import RenameScreen
from hbtui.stream.source import Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp


def _not_offered(app: ConsoleApp, action: str, what: str) -> None:
    """A wizard needs the SSH links to every node of ha.cf; say so in the log pane."""
    why = (
        "not offered here: it runs commands on every node of ha.cf over SSH "
        "(hbtui console on a cluster node, without --no-peers)"
    )
    app.log_outcome(action, Outcome(False, f"{what}: {why}"))


def open_rename(app: ConsoleApp) -> None:
    """The guided hostname change (needs a way to run commands on every node)."""
    if app.rename_backend is None:
        _not_offered(app, "rename", "hostname change wizard")
        return
    make_plan, execute = app.rename_backend
    app.push_screen(RenameScreen(list(app.sources), make_plan, execute))


def open_cutover(app: ConsoleApp) -> None:
    """The move to Corosync + Pacemaker (reads every node over SSH)."""
    if app.cutover_backend is None:
        _not_offered(app, "cutover", "move to Pacemaker")
        return
    make_plan, execute = app.cutover_backend
    app.push_screen(CutoverScreen(make_plan, execute))
