"""``D``: the failover drill on the focused node (``DrillScreen``, which asks first).

The drill reads the node through a ``Relay`` that the app feeds with the items it reads
(``ConsoleApp.drill_relay``); where reports go is given (``ConsoleApp.drill_setup``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbtui.console.screens.drill import DrillScreen, refusal
from hbtui.drill.driver import Relay
from hbtui.stream import codec
from hbtui.stream.source import Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp


def open_drill(app: ConsoleApp) -> None:
    """Open the drill dialog, or say in the log pane why the node refuses one."""
    src, node = app.source, app.focused_node
    why = refusal(src)
    if why is not None:
        app.log_outcome("drill", Outcome(False, f"failover drill: refused, {why}"))
        return
    relay = Relay(src)
    app.drill_relay = (node, relay)

    def started() -> str:
        return codec.rfc3339(src.wall_ms(src.now_ms()) / 1000)

    def done(outcome: Outcome | None) -> None:
        relay.close()
        app.drill_relay = None
        if outcome is not None:
            app.log_outcome("drill", outcome, node)

    app.push_screen(DrillScreen(node, relay, started, app.drill_setup), done)
