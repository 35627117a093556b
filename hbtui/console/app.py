"""``ConsoleApp``: the operator's console over one or more ``NodeSource``s.

One async worker reads the focused source, folds each item into the ``ConsoleModel``
and posts a ``SourceUpdate`` to the dashboard (keepalive bursts coalesce). Keys and the
command palette call ``request_action``; destructive ones ask first (``ConfirmScreen``),
and every action writes what it did and its result into the log pane.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, TextIO

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from hbtui.console import trace
from hbtui.console.clock import clock_of
from hbtui.console.commands import NodeCommands
from hbtui.console.items import ActionDone, SnapshotTaken
from hbtui.console.messages import SourceUpdate
from hbtui.console.model import ConsoleModel
from hbtui.console.screens.confirm import DELETE_UUID_TEXT, KILL_TEXT, ConfirmScreen
from hbtui.console.screens.dashboard import Dashboard
from hbtui.console.screens.help import HelpScreen
from hbtui.console.source import NodeSource, Outcome, perform
from hbtui.console.widgets.mode_header import ModeHeader


class ConsoleApp(App[None]):
    """See the module docstring."""

    CSS_PATH = Path(__file__).with_name("hbtui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "hbtui"
    COMMANDS = App.COMMANDS | {NodeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "node('stop')", "Stop"),
        Binding("k", "node('kill')", "Kill"),
        Binding("r", "node('start')", "Restart"),
        Binding("b", "node('standby')", "Standby"),
        Binding("t", "node('takeover')", "Takeover"),
        Binding("u", "node('delete_uuid')", "Del uuid"),
        Binding("l", "focus_log", "Log"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        source: NodeSource,
        *,
        poll_sockets: bool = True,
        tick_hz: float = 10.0,
        udpport: int = 694,
        stop_on_quit: bool = False,
        autostart: bool = False,
        record: TextIO | None = None,
    ) -> None:
        super().__init__()
        self.autostart = autostart
        self.record = record
        self.sources: dict[str, NodeSource] = {source.node_name: source}
        self.focused_node = source.node_name
        self.stop_on_quit = stop_on_quit
        self.model = ConsoleModel(source.node_name, clock_of(source))
        self.dashboard = Dashboard(
            self.model, source.now_ms, tick_hz=tick_hz, poll_sockets=poll_sockets, udpport=udpport
        )

    @property
    def source(self) -> NodeSource:
        """The focused node's source."""
        return self.sources[self.focused_node]

    async def on_mount(self) -> None:
        await self.push_screen(self.dashboard)
        self._show_header()
        self.read_source()
        if self.autostart and not self.source.is_running():
            self.run_node_action("start")

    def _show_header(self) -> None:
        src = self.source
        self.dashboard.query_one(ModeHeader).show(
            src.node_name, src.mode, self.focused_node, src.is_running()
        )

    # -- the one reader ----------------------------------------------------------------

    @work(exclusive=True, group="source")
    async def read_source(self) -> None:
        """Fold the source's items into the model; tell the dashboard what changed."""
        source = self.source
        data: dict[str, Any] = await source.snapshot()
        if data:
            self._deliver(SnapshotTaken(source.now_ms(), data))
        async for item in source.events():
            self._deliver(item)
        self._deliver(ActionDone(source.now_ms(), source.node_name, "source", True, "ended"))

    def _deliver(self, item: Any) -> None:
        if self.record is not None:  # a trace that --replay plays back
            saved = item
            if isinstance(item, SnapshotTaken):  # so the replay shows the same clock times
                saved = SnapshotTaken(
                    item.at_ms, {**item.data, "wall_offset_ms": self.source.wall_ms(0)}
                )
            self.record.write(json.dumps(trace.to_json(saved), sort_keys=True) + "\n")
        changed = frozenset(self.model.apply(item))
        if isinstance(item, SnapshotTaken):
            self.dashboard.call_after_refresh(self.dashboard.redraw_all)
        else:
            self.dashboard.post_message(SourceUpdate(item, changed))

    # -- actions -----------------------------------------------------------------------

    def request_action(self, action: str) -> None:
        """Keys and palette land here (``focus_log``/``help`` are not node actions)."""
        if action in ("focus_log", "help"):
            self.call_later(self.run_action, action)
            return
        self.action_node(action)

    def action_node(self, action: str) -> None:
        """A node action on the focused node, confirmed first when destructive."""
        src, node = self.source, self.focused_node
        if action == "start" and src.is_running():
            action = "restart"
        if action == "kill" and not src.read_only:
            self.push_screen(
                ConfirmScreen(f"Kill {node}?", KILL_TEXT.format(node=node), "Kill"),
                lambda yes: self._confirmed(yes, "kill"),
            )
        elif action == "delete_uuid" and not src.read_only and not src.is_running():
            state_dir = getattr(src, "state_dir", None)
            path = f"{state_dir}/hb_uuid" if state_dir else "hb_uuid in the state directory"
            text = DELETE_UUID_TEXT.format(node=node, path=path)
            self.push_screen(
                ConfirmScreen(f"Delete hb_uuid of {node}?", text, "Delete"),
                lambda yes: self._confirmed(yes, "delete_uuid"),
            )
        else:
            self.run_node_action(action)

    def _confirmed(self, yes: bool | None, action: str) -> None:
        if yes:
            self.run_node_action(action)
        else:
            self._record(action, Outcome(True, "cancelled, nothing done"))

    @work(group="actions")
    async def run_node_action(self, action: str) -> None:
        """Perform ``action`` and write what happened into the log pane."""
        src = self.source
        self._record(action, Outcome(True, "requested"))
        if action == "restart":
            outcome = await perform(src, "stop")
            self._record("stop", outcome)
            if outcome.ok:
                outcome = await perform(src, "start")
            action = "start"
        else:
            outcome = await perform(src, action)
        self._record(action, outcome)
        self._show_header()

    def _record(self, action: str, outcome: Outcome) -> None:
        src = self.source
        self._deliver(ActionDone(src.now_ms(), self.focused_node, action, outcome.ok, outcome.text))

    def focus_node(self, name: str) -> None:
        """Make ``name`` the node the keys act on."""
        if name in self.sources:
            self.focused_node = name
            self._show_header()

    def action_focus_log(self) -> None:
        """Focus the log filter."""
        self.dashboard.query_one("#log-filter").focus()

    def action_help(self) -> None:
        """Show the keys."""
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit; an embedded node is stopped gracefully first."""
        if self.stop_on_quit and self.source.is_running():
            self._record("stop", Outcome(True, "stopping the embedded node before quitting"))
            await perform(self.source, "stop")
        for src in self.sources.values():
            await src.close()
        self.exit()
