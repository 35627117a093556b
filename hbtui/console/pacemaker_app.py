"""``hbtui console`` on a Corosync + Pacemaker cluster (after ``hbtui migrate``): nodes
(online, standby, offline, unclean, pending), the DC and quorum, groups and resources with
where they run, the VIP owner, failed actions, and a timeline of transitions with their
per-phase times, from a :class:`~hbtui.crm.feed.CrmFeed` (crm_mon here, or over SSH).

Keys act on the row under the cursor and ask first, showing the command: ``b`` standby or
back, ``m`` move the group to another online node, ``c`` clear its moves, ``x`` clean up a
failed resource. ``tab`` moves between the tables. A read-only feed (over SSH) refuses them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, RichLog, Static

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.crm.actions import CrmAction, CrmVerb
from hbtui.crm.changes import FailureRecorded, GroupPlaced, MultiActive, NodeChanged
from hbtui.crm.feed import CrmFeed, CrmSample
from hbtui.crm.state import CrmState, NodeStatus
from hbtui.crm.timeline import Timeline, Transition, TransitionKind

NODE_STYLES = {
    NodeStatus.ONLINE: "green",
    NodeStatus.STANDBY: "yellow",
    NodeStatus.MAINTENANCE: "yellow",
    NodeStatus.PENDING: "cyan",
    NodeStatus.OFFLINE: "red",
    NodeStatus.UNCLEAN: "bold white on red",
}
KIND_STYLES = {
    TransitionKind.FAILOVER: "bold red",
    TransitionKind.RECOVERY: "red",
    TransitionKind.FAILBACK: "green",
    TransitionKind.STANDBY: "yellow",
}


def vip_line(state: CrmState, vips: dict[str, str]) -> Text:
    """Each VIP and where it runs: red when nowhere or on several nodes."""
    text = Text()
    for rid, ip in sorted(vips.items(), key=lambda item: item[1]):
        resource = state.resource(rid)
        nodes = resource.nodes if resource is not None and resource.active else ()
        if text:
            text.append("   ")
        text.append(f"VIP {ip} ", style="bold")
        if len(nodes) == 1:
            text.append(f"on {nodes[0]}", style="bold green")
        elif nodes:
            text.append(f"ON {len(nodes)} NODES: {', '.join(nodes)}", style="bold white on red")
        else:
            text.append("running nowhere", style="bold red")
    return text or Text("no VIP (IPaddr2) resource configured", style="dim")


def alarms(state: CrmState) -> Text:
    """What needs the operator now: resources active on several nodes, failed actions."""
    lines = [
        f"{r.id} ACTIVE ON {len(r.nodes)} NODES ({', '.join(r.nodes)})"
        for r in state.resources
        if r.multi_active
    ]
    lines += [f"FAILED {failure}  (x: clean up)" for failure in state.failures]
    return Text("\n".join(lines), style="bold red")


class PacemakerApp(App[None]):
    """See the module docstring."""

    TITLE = "hbtui · Pacemaker"
    CSS_PATH = Path(__file__).with_name("hbtui.tcss")  # the console's dialogs look the same
    CSS = """
    #pcmk-header { height: 1; background: $panel; }
    #pcmk-vip { height: 1; }
    #pcmk-alarms { height: auto; max-height: 4; }
    #pcmk-tables { height: 1fr; min-height: 6; }
    #pcmk-nodes { width: 24; }
    #pcmk-resources { width: 1fr; margin-left: 1; }
    #pcmk-timeline {
        height: 1fr; min-height: 4; border: round $primary; scrollbar-size-horizontal: 0;
    }
    #pcmk-log { height: 1fr; min-height: 3; border: round $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("b", "standby", "Standby/back"),
        Binding("m", "move", "Move group"),
        Binding("c", "clear", "Clear move"),
        Binding("x", "cleanup", "Clean up"),
    ]

    def __init__(self, feed: CrmFeed, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.feed = feed
        self.tz = tz
        self.state: CrmState | None = None
        self.vips: dict[str, str] = {}
        self.timeline = Timeline()
        self.applied = asyncio.Event()  # set after each sample is shown (tests wait on it)
        self.acted = asyncio.Event()  # set after each action's result is logged

    def compose(self) -> ComposeResult:
        yield Static(f"Pacemaker on {self.feed.where} · waiting for crm_mon", id="pcmk-header")
        yield Static(id="pcmk-vip")
        yield Static(id="pcmk-alarms")
        with Horizontal(id="pcmk-tables"):
            yield DataTable(id="pcmk-nodes", cursor_type="row")
            yield DataTable(id="pcmk-resources", cursor_type="row")
        yield DataTable(id="pcmk-timeline", cursor_type="row", zebra_stripes=True)
        yield RichLog(id="pcmk-log", wrap=True, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pcmk-nodes", DataTable).add_columns("node", "status")
        self.query_one("#pcmk-resources", DataTable).add_columns("resource", "where", "role")
        timeline = self.query_one("#pcmk-timeline", DataTable)
        timeline.add_columns("when", "what", "group", "from → to", "took", "phases")
        timeline.border_title = "transitions"
        self.query_one("#pcmk-log").border_title = "log"
        if self.feed.read_only:
            self.sub_title = f"read-only view of {self.feed.where}"
        self.read_feed()

    def hms(self, at_s: float) -> str:
        """Wall time as the console shows it."""
        return datetime.fromtimestamp(at_s, tz=self.tz).strftime("%H:%M:%S")

    @work(exclusive=True, group="feed")
    async def read_feed(self) -> None:
        """Apply every sample of the feed as it comes."""
        async for sample in self.feed.samples():
            try:
                self.apply(sample)
            except NoMatches:  # the app is closing: its widgets are gone, nothing to show
                return

    def apply(self, sample: CrmSample) -> None:
        """Show one reading: tables, VIP line, alarms, the timeline and the log."""
        log = self.query_one("#pcmk-log", RichLog)
        if sample.error:
            log.write(Text(f"{self.hms(sample.at_s)} {sample.error}", style="red"))
        if sample.state is not None:
            self.state, self.vips = sample.state, dict(sample.vips)
            self._show_state(sample.state, sample)
            for change in sample.changes:
                bad = (
                    isinstance(change, MultiActive)
                    or (isinstance(change, FailureRecorded) and not change.cleared)
                    or (
                        isinstance(change, NodeChanged)
                        and change.after in (NodeStatus.OFFLINE, NodeStatus.UNCLEAN)
                    )
                )
                style = "bold red" if bad else ("" if isinstance(change, GroupPlaced) else "dim")
                log.write(Text(f"{self.hms(change.at_s)} {change.describe()}", style=style))
            if self.timeline.feed(list(sample.changes)):
                self._show_timeline()
        self.applied.set()

    def _show_state(self, state: CrmState, sample: CrmSample) -> None:
        quorum = {True: "quorum", False: "NO QUORUM", None: "no DC"}[state.quorum]
        header = f"Pacemaker on {self.feed.where} · DC {state.dc or 'none'} · {quorum}"
        if state.last_change_short:
            header += f" · changed {state.last_change_short}"
        self.query_one("#pcmk-header", Static).update(header)
        self.query_one("#pcmk-vip", Static).update(vip_line(state, self.vips))
        alarm = alarms(state)
        self.query_one("#pcmk-alarms", Static).update(alarm)
        self.query_one("#pcmk-alarms").display = bool(alarm.plain)
        nodes = self.query_one("#pcmk-nodes", DataTable)
        row = nodes.cursor_row
        nodes.clear()
        for node in state.nodes:
            status = Text(node.status.value, style=NODE_STYLES[node.status])
            if node.is_dc:
                status.append(" DC", style="bold")
            nodes.add_row(node.name, status, key=node.name)
        nodes.move_cursor(row=row)
        resources = self.query_one("#pcmk-resources", DataTable)
        row = resources.cursor_row
        resources.clear()
        for gid, members in state.groups().items():
            grouped = len(members) > 1 or members[0].group is not None
            if grouped:
                where = ", ".join(state.group_where(gid)) or "-"
                resources.add_row(Text(gid, style="bold"), where, "", key=f"group:{gid}")
            for member in members:
                where = ",".join(member.nodes) or "-"
                role = member.role + (f" ({member.pending})" if member.pending else "")
                style = "bold red" if member.failed or member.multi_active else ""
                name = f"  {member.id}" if grouped else member.id
                resources.add_row(Text(name, style=style), where, role, key=member.id)
        resources.move_cursor(row=row)

    def _show_timeline(self) -> None:
        table = self.query_one("#pcmk-timeline", DataTable)
        table.clear()
        for transition in reversed(self.timeline.transitions):
            table.add_row(*self._timeline_row(transition))

    def _timeline_row(self, transition: Transition) -> tuple[str | Text, ...]:
        took = transition.seconds()
        began = min(transition.phases.values())
        phases = " ".join(f"{name} +{at - began:.1f}" for name, at in transition.phases.items())
        kind = transition.kind.value if transition.done else f"{transition.kind.value}…"
        to_node = transition.to_node or ("…" if not transition.done else "stopped")
        return (
            self.hms(began),
            Text(kind, style=KIND_STYLES.get(transition.kind, "")),
            transition.group,
            f"{transition.from_node or '-'} → {to_node}",
            f"{took:.1f} s" if took is not None else "",
            phases,
        )

    # -- keys ------------------------------------------------------------------------------
    def _selected_node(self) -> str | None:
        table = self.query_one("#pcmk-nodes", DataTable)
        if self.state is None or not self.state.nodes:
            return None
        return self.state.nodes[min(table.cursor_row, len(self.state.nodes) - 1)].name

    def _selected_resource(self) -> str | None:
        table = self.query_one("#pcmk-resources", DataTable)
        if self.state is None or table.row_count == 0:
            return None
        key = table.ordered_rows[min(table.cursor_row, table.row_count - 1)].key.value
        return key.removeprefix("group:") if key else None

    def action_standby(self) -> None:
        """``b``: the node under the cursor into standby, or out of it."""
        name = self._selected_node()
        node = self.state.node(name) if self.state and name else None
        if node is None:
            return self.say("b: no node selected")
        verb = CrmVerb.UNSTANDBY if node.status is NodeStatus.STANDBY else CrmVerb.STANDBY
        self.ask(CrmAction(verb, node.name))

    def action_move(self) -> None:
        """``m``: the group of the resource under the cursor to another online node."""
        rid = self._selected_resource()
        if self.state is None or rid is None:
            return self.say("m: no resource selected")
        group = self.state.group_of(rid)
        here = self.state.group_where(group)
        targets = [
            n.name for n in self.state.nodes if n.status is NodeStatus.ONLINE and n.name not in here
        ]
        if not targets:
            return self.say(f"m: no other online node to move {group} to")
        self.ask(CrmAction(CrmVerb.MOVE, group, targets[0]))

    def action_clear(self) -> None:
        """``c``: remove the move and ban constraints of the group under the cursor."""
        rid = self._selected_resource()
        if self.state is None or rid is None:
            return self.say("c: no resource selected")
        self.ask(CrmAction(CrmVerb.CLEAR, self.state.group_of(rid)))

    def action_cleanup(self) -> None:
        """``x``: clean up the resource under the cursor (or the first failed one)."""
        if self.state is None:
            return self.say("x: nothing to clean up yet")
        rid = self._selected_resource()
        failed = [f.resource for f in self.state.failures]
        if rid is None or (failed and rid not in failed):
            rid = failed[0] if failed else rid
        if rid is None:
            return self.say("x: no resource selected")
        self.ask(CrmAction(CrmVerb.CLEANUP, rid))

    def say(self, text: str, style: str = "") -> None:
        """A line in the log pane."""
        self.query_one("#pcmk-log", RichLog).write(Text(text, style=style))

    def ask(self, action: CrmAction) -> None:
        """Confirm ``action`` (a read-only view refuses at once), then carry it out."""
        if self.feed.read_only:
            self.say(f"{action.verb}: refused, this view of {self.feed.where} is read-only")
            self.acted.set()
            return
        explanation = f"{action.consequence()}\n\nRuns on {self.feed.where}:\n  {action.command()}"
        title = action.verb.value.capitalize()

        def answered(yes: bool | None) -> None:
            if yes:
                self.carry_out(action)
            else:
                self.say(f"{action.verb}: cancelled")
                self.acted.set()

        self.push_screen(ConfirmScreen(action.question(), explanation, title), answered)

    @work(group="actions")
    async def carry_out(self, action: CrmAction) -> None:
        """Run the action and log what it said."""
        self.say(f"{action.verb}: running {action.command()}")
        result = await self.feed.act(action)
        self.say(result.text, "" if result.ok else "bold red")
        self.acted.set()

    async def action_quit(self) -> None:
        """``q``: stop reading and leave."""
        await self.feed.close()
        self.exit()
