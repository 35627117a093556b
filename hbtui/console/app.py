"""``ConsoleApp``: the operator's console over one or more ``NodeSource``s.

One async worker per node reads its source and folds each item into that node's
``ConsoleModel``; the focused node's changes go to the dashboard as ``SourceUpdate``s
(keepalive bursts coalesce), the others redraw the other-nodes pane (tab / 1-9 switch). Keys and the
command palette call ``request_action``, and every action writes what it did and its result
into the log pane (``log_outcome``). What a key opens lives beside this module, one job
each: ``actions_node`` (a node action, asked first when destructive), ``actions_wizards``
(``h`` and ``M``), ``actions_drill`` (``D``, over a ``Relay`` this app feeds with the items
it reads), ``actions_postmortem`` (``P``), ``actions_report`` (``B``, the support bundle) and
``reopen`` (after the hostname wizard, ``reopen(old, new)``, given by whoever built the app,
returns the sources for the new config, and the renamed node shows under its new name).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType

from hbtui.console.actions_drill import open_drill
from hbtui.console.actions_node import node_action
from hbtui.console.actions_postmortem import open_postmortem
from hbtui.console.actions_report import open_report
from hbtui.console.actions_wizards import open_cutover, open_rename
from hbtui.console.clock import clock_of
from hbtui.console.commands import NodeCommands
from hbtui.console.effects import effect
from hbtui.console.messages import SourceUpdate
from hbtui.console.model import ConsoleModel
from hbtui.console.reopen import reopen_sources
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.dashboard import Dashboard
from hbtui.console.screens.drill import DrillScreen
from hbtui.console.screens.help import HelpScreen
from hbtui.console.screens.rename import RenameScreen
from hbtui.console.screens.report import ReportScreen
from hbtui.console.widgets.link import unreachable
from hbtui.console.widgets.mode_header import ModeHeader
from hbtui.console.widgets.others import Glance
from hbtui.drill.driver import DrillSetup, Relay
from hbtui.engine.events import NodeStateChanged
from hbtui.stream import codec
from hbtui.stream.items import ActionDone, LogLine, SnapshotTaken
from hbtui.stream.source import NodeSource, Outcome, perform
from hbtui.stream.trace import TextSink

if TYPE_CHECKING:  # the wizard's backend does I/O; the console only calls what it is given
    from hbtui.cutover.wizard import ExecuteCutover, MakeCutoverPlan
    from hbtui.postmortem.model import Report
    from hbtui.rename.wizard import Execute, MakePlan
    from hbtui.report.ask import BundleSetup

RenameBackend = tuple["MakePlan", "Execute"]
CutoverBackend = tuple["MakeCutoverPlan", "ExecuteCutover"]
MakeReport = Callable[[], Awaitable["Report"]]  # this node's ha-log read into a post-mortem
# after a rename: (this node's source, the other nodes' sources, the wizard over them)
Reopened = tuple["NodeSource", Sequence["NodeSource"], RenameBackend | None]
Reopen = Callable[[str, str], Awaitable[Reopened]]
MODE_SHORT = {"demo": "demo node", "attached": "hbtui node", "embedded": "this console"}
# keys that act on the focused node: off in the wizard, where letters are typed
DASHBOARD_ONLY = frozenset(
    {
        "node",
        "rename",
        "drill",
        "cutover",
        "postmortem",
        "report",
        "focus_log",
        "next_node",
        "focus_index",
    }
)
NO_NODE_HERE = (
    "no node runs here: this console shows the configuration and the other nodes; "
    "press r to start a node here (it asks first, saying what will happen)"
)


def _zone(source: NodeSource) -> str:
    """The time zone the node's wall times are shown in (``UTC``, ``CET``...)."""
    when = datetime.fromtimestamp(source.wall_ms(source.now_ms()) / 1000, tz=source.tz)
    return when.astimezone(source.tz).tzname() or ""


class ConsoleApp(App[None]):
    """See the module docstring."""

    CSS_PATH = Path(__file__).with_name("hbtui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "hbtui"
    COMMANDS = App.COMMANDS | {NodeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # help and quit first: the footer shows them however narrow the terminal is
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("v", "next_view", "View"),
        Binding("s", "node('stop')", "Stop"),
        Binding("k", "node('kill')", "Kill"),
        Binding("r", "node('start')", "Restart"),
        Binding("b", "node('standby')", "Standby"),
        Binding("t", "node('takeover')", "Takeover"),
        Binding("u", "node('delete_uuid')", "Del uuid"),
        Binding("l", "focus_log", "Log"),
        Binding("h", "rename", "Rename"),
        Binding("D", "drill", "Drill", show=False),
        Binding("M", "cutover", "To Pacemaker", show=False),
        Binding("P", "postmortem", "Post-mortem", show=False),
        Binding("B", "report", "Bundle", show=False),
        Binding("tab", "next_node", "Next node", priority=True),
        *(Binding(str(n), f"focus_index({n})", f"Node {n}", show=False) for n in range(1, 10)),
    ]

    def __init__(
        self,
        source: NodeSource,
        *,
        others: Sequence[NodeSource] = (),
        poll_sockets: bool = True,
        tick_hz: float = 10.0,
        udpport: int = 694,
        stop_on_quit: bool = False,
        autostart: bool = False,
        record: TextSink | None = None,
        rename: RenameBackend | None = None,
        reopen: Reopen | None = None,
        unpolled_why: str = "replay",
        confirm_actions: bool = True,
        drill: DrillSetup | None = None,
        cutover: CutoverBackend | None = None,
        postmortem: MakeReport | None = None,
        bundle: BundleSetup | None = None,
    ) -> None:
        """``confirm_actions=False`` (the demo only) skips the confirmations of actions
        that stop a node or move resources; never the default. ``drill``: where ``D``
        keeps its reports (given by the command, as the wizard's backend is); ``bundle``:
        how ``B`` makes a support bundle (the command's, over its links)."""
        super().__init__()
        self.drill_setup = drill or DrillSetup()
        self.drill_relay: tuple[str, Relay] | None = None  # the node a drill runs on
        self.confirm_actions = confirm_actions
        self.rename_backend = rename
        self.cutover_backend = cutover
        self.make_report = postmortem
        self.bundle_setup = bundle
        self.reopen = reopen
        self.autostart = autostart
        self.record = record
        self.primary = source.node_name
        self.sources: dict[str, NodeSource] = {source.node_name: source}
        for other in others:
            self.sources[other.node_name] = other
        self.models = {
            name: ConsoleModel(name, clock_of(src)) for name, src in self.sources.items()
        }
        self.focused_node = source.node_name
        self.stop_on_quit = stop_on_quit
        self.dashboard = Dashboard(
            self.models[source.node_name],
            source.now_ms,
            tick_hz=tick_hz,
            poll_sockets=poll_sockets,
            udpport=udpport,
            others=self._glances if others else None,
            unpolled_why=unpolled_why,
        )

    @property
    def source(self) -> NodeSource:
        """The focused node's source."""
        return self.sources[self.focused_node]

    @property
    def model(self) -> ConsoleModel:
        """The focused node's model."""
        return self.models[self.focused_node]

    async def on_mount(self) -> None:
        await self.push_screen(self.dashboard)
        self.show_header()
        self.read_source()
        if self.autostart and not self.source.is_running():
            self.run_node_action("start")
        elif self.source.mode == "embedded" and not self.source.is_running():
            self.log_outcome("console", Outcome(True, NO_NODE_HERE))

    def show_header(self) -> None:
        """The mode header: the focused node, its mode, running or not, link, time zone."""
        src = self.source
        session = getattr(src, "session", None)
        mode = "peer" if session is not None else src.mode
        link = getattr(session, "status", None) if session is not None else None
        for header in self.dashboard.query(ModeHeader):  # none while the app closes
            header.show(
                src.node_name, mode, self.focused_node, src.is_running(), unreachable(link),
                _zone(src),
            )  # fmt: skip

    def _glances(self) -> tuple[ConsoleModel, bool, list[Glance]]:
        """The focused model and every other node's, for the other-nodes pane."""
        glances = []
        for name, src in self.sources.items():
            if name == self.focused_node:
                continue
            session = getattr(src, "session", None)  # a PeerSource: show its SSH link
            link = getattr(session, "status", None) if session is not None else None
            mode = "peer over SSH" if session is not None else MODE_SHORT.get(src.mode, src.mode)
            glances.append(
                Glance(name, self.models[name], src.is_running(), src.now_ms(), mode, link)
            )
        return self.model, self.source.is_running(), glances

    # -- the readers: one per node -----------------------------------------------------

    def read_source(self) -> None:
        """Start one reader per node."""
        for name in self.sources:
            self.run_worker(self._read(name), group=f"source-{name}", exclusive=True)

    async def _read(self, name: str) -> None:
        """Fold one source's items into its model; tell the dashboard what changed."""
        source = self.sources[name]
        data: dict[str, Any] = await source.snapshot()
        if data:
            self._deliver(SnapshotTaken(source.now_ms(), data), name)
        async for item in source.events():
            self._deliver(item, name)
        self._deliver(ActionDone(source.now_ms(), name, "source", True, "ended"), name)

    def _deliver(self, item: Any, name: str | None = None) -> None:
        name = name or self.focused_node
        if self.record is not None and name == self.primary:  # a trace --replay plays back
            saved = item
            if isinstance(item, SnapshotTaken):  # so the replay shows the same clock times
                saved = SnapshotTaken(
                    item.at_ms, {**item.data, "wall_offset_ms": self.sources[name].wall_ms(0)}
                )
            self.record.write(json.dumps(codec.to_json(saved), sort_keys=True) + "\n")
        if self.drill_relay is not None and self.drill_relay[0] == name:
            self.drill_relay[1].feed(item)
        model = self.models.get(name)
        if model is None:  # a source the hostname wizard replaced, still winding down
            return
        changed = frozenset(model.apply(item))
        if not self.dashboard.is_mounted:  # the app is closing: the model had it
            return
        if name != self.focused_node:
            if changed & {"nodes", "vip", "log"} or isinstance(item, LogLine):
                self.dashboard.others_changed()
            return
        if isinstance(item, SnapshotTaken | NodeStateChanged):
            self.show_header()  # running / stopped, when the node says so itself
        if isinstance(item, SnapshotTaken):
            self.dashboard.call_after_refresh(self.dashboard.redraw_all)
        else:
            self.dashboard.post_message(SourceUpdate(item, changed))
            if changed & {"nodes", "vip"}:
                self.dashboard.others_changed()

    # -- actions -----------------------------------------------------------------------

    def request_action(self, action: str) -> None:
        """Keys and palette land here (``focus_log``/``help``/``rename`` are not node actions)."""
        if action in ("focus_log", "help", "rename", "drill", "cutover", "postmortem", "report",
                      "next_node"):  # fmt: skip
            self.call_later(self.run_action, action)
            return
        self.action_node(action)

    def action_node(self, action: str) -> None:
        """A node action on the focused node, confirmed first when it stops a node or
        moves resources (the text says what will happen)."""
        node_action(self, action)

    @work(group="actions")
    async def run_node_action(self, action: str, node: str | None = None) -> None:
        """Perform ``action`` on ``node`` (the focused one) and log what happened."""
        node = node or self.focused_node
        src = self.sources[node]
        self.log_outcome(action, Outcome(True, "requested"), node)
        if action == "restart":
            outcome = await perform(src, "stop")
            self.log_outcome("stop", outcome, node)
            if outcome.ok:
                outcome = await perform(src, "start")
            action = "start"
        else:
            outcome = await perform(src, action)
        self.log_outcome(action, outcome, node)
        self.show_header()

    def log_outcome(self, action: str, outcome: Outcome, node: str | None = None) -> None:
        """Write what ``action`` did on ``node`` (the focused one) into its log pane."""
        node = node or self.focused_node
        src = self.sources[node]
        self._deliver(ActionDone(src.now_ms(), node, action, outcome.ok, outcome.text), node)

    def focus_node(self, name: str) -> None:
        """Make ``name`` the node the keys act on and the panes show."""
        if name in self.sources and name != self.focused_node:
            self.focused_node = name
            self.dashboard.show_model(self.model, self.source.now_ms)
            self.show_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Node keys only on the dashboard; node switching only with several nodes."""
        if action in DASHBOARD_ONLY and isinstance(self.screen, RenameScreen | ReportScreen):
            return False  # e.g. typing a name in the wizard must not stop a node
        if isinstance(self.screen, DrillScreen):  # nothing else moves the group meanwhile
            return action == "quit" and not self.screen.running
        if action in ("next_node", "focus_index"):
            return len(self.sources) > 1
        if action == "next_view":  # the compact layout only
            return self.dashboard.has_class("-compact")
        return True

    def action_focus_index(self, index: int) -> None:
        """Keys 1-9: focus the n-th node."""
        names = list(self.sources)
        if 1 <= index <= len(names):
            self.focus_node(names[index - 1])

    def action_next_node(self) -> None:
        """Tab: focus the next node."""
        names = list(self.sources)
        self.focus_node(names[(names.index(self.focused_node) + 1) % len(names)])

    def action_focus_log(self) -> None:
        """Focus the log filter."""
        self.dashboard.query_one("#log-filter").focus()

    def action_rename(self) -> None:
        """``h``: the guided hostname change (needs a way to run commands on every node)."""
        open_rename(self)

    def action_cutover(self) -> None:
        """``M``: move the cluster to Corosync + Pacemaker (reads every node over SSH)."""
        open_cutover(self)

    def action_postmortem(self) -> None:
        """``P``: the post-mortem of this node's ha-log (read by the given backend)."""
        open_postmortem(self)

    def action_report(self) -> None:
        """``B``: a support bundle of every node (the dialog asks the window first)."""
        open_report(self)

    def action_drill(self) -> None:
        """``D``: a failover drill on the focused node (the dialog asks first)."""
        open_drill(self)

    @on(RenameScreen.Renamed)
    def _renamed(self, message: RenameScreen.Renamed) -> None:
        """The wizard renamed a node: every node is read again under the new config."""
        reopen = reopen_sources(self, message.old, message.new)
        self.run_worker(reopen, group="reopen", exclusive=True)

    def action_next_view(self) -> None:
        """``v``: in the compact layout, the next pane beside the nodes."""
        view = self.dashboard.next_view()
        self.notify(f"showing {view} (v: next)", timeout=2)

    def action_help(self) -> None:
        """Show the keys."""
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit; a node running inside the console is stopped gracefully first, after a
        confirmation that says where its resources go."""
        primary = self.sources[self.primary]
        if self.stop_on_quit and primary.is_running() and self.confirm_actions:
            text = effect("quit", self.models[self.primary], self.primary)
            self.push_screen(ConfirmScreen("Quit and stop the node?", text, "Quit"), self._quit)
            return
        await self._quit(True)

    async def _quit(self, yes: bool | None) -> None:
        if not yes:
            kept = Outcome(True, "cancelled: the node keeps running")
            self.log_outcome("quit", kept, self.primary)
            return
        primary = self.sources[self.primary]
        if self.stop_on_quit and primary.is_running():
            stopping = Outcome(True, "stopping the embedded node before quitting")
            self.log_outcome("stop", stopping, self.primary)
            await perform(primary, "stop")
        for src in self.sources.values():
            await src.close()
        self.exit()
