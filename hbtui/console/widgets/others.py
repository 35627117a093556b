"""The other nodes' pane: every node but the focused one, each as it sees the cluster.

Per node: whether it runs (and its SSH link, for a peer), where the two views disagree
(both holding a VIP = split brain, with the evidence; one-way loss), the members with the
countdown as that node counts it, the VIP owners, and its newest log lines. Built from
that node's own ``ConsoleModel``; the checks are ``hbtui.remote.peerview.disagreements``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from hbtui.console.model import ConsoleModel, ScriptCall
from hbtui.console.widgets.peer import link_text
from hbtui.remote.peerview import Disagreement, PeerView, disagreements
from hbtui.remote.ssh import LinkStatus

LOG_LINES = 4
PREFIX = re.compile(r"^\d{4}/\d\d/\d\d_\d\d:\d\d:\d\d\s")
STATUS_STYLE = {"active": "green", "up": "green", "dead": "bold red", "init": "yellow"}


@dataclass
class Glance:
    """One other node, as the app hands it to the pane."""

    name: str
    model: ConsoleModel
    running: bool
    now_ms: int
    mode: str
    link: LinkStatus | None = None  # a peer over SSH


def as_peer_view(model: ConsoleModel) -> PeerView:
    """A node's model in the shape the disagreement checks take."""
    view = PeerView(model.us, source="hbtui")
    view.members = {name: node.status for name, node in model.nodes.items()}
    view.vip_owners = {ip: vip.owner for ip, vip in model.vips.items()}
    return view


def compare(focused: ConsoleModel, running: bool, other: Glance) -> list[Disagreement]:
    """Disagreements between two running nodes (a stopped node's view is history)."""
    if not (running and other.running):
        return []
    members = {name: node.status for name, node in focused.nodes.items()}
    vips = {ip: vip.owner for ip, vip in focused.vips.items()}
    return disagreements(focused.us, members, vips, as_peer_view(other.model))


def members_table(glance: Glance) -> Table:
    """Each member as this node sees it, with its deadtime countdown; then the VIPs."""
    model, now = glance.model, glance.now_ms
    table = Table.grid(padding=(0, 1))
    for name, node in sorted(model.nodes.items(), key=lambda kv: (not kv[1].is_self, kv[0])):
        status = node.status if glance.running or node.is_self else "unknown"
        row = Text(status, style=STATUS_STYLE.get(status, "yellow"))
        if not node.is_self and glance.running and node.deadline_ms is not None:
            left = max(node.deadline_ms - now, 0) / 1000
            ago = None if node.last_heard_ms is None else now - node.last_heard_ms
            heard = "" if ago is None else f"heard {ago / 1000:.1f} s ago, "
            warn = ago is not None and ago >= model.warntime_ms
            row.append(f"  {heard}dead in {left:.1f} s", style="bold yellow" if warn else "dim")
        table.add_row(Text(f"{name} (itself)" if node.is_self else name), row)
    for ip, vip in sorted(model.vips.items()):
        held = Text(f"held by {vip.owner or 'nobody'}", style="bold" if vip.owner else "dim")
        table.add_row(Text(ip, style="bold"), held)
    return table


def short_line(text: str) -> str:
    """A log line without its syslog/ha-log prefix (the pane is narrow)."""
    if "]: " in text[:80]:
        return text.split("]: ", 1)[1].strip()
    if PREFIX.match(text):
        return text.split(None, 1)[-1]
    return text


def script_text(call: ScriptCall) -> Text:
    """The newest resource script call: its argv, last output line and exit."""
    text = Text("$ " + " ".join(PurePosixPath(a).name if "/" in a else a for a in call.argv))
    text.stylize("bold cyan")
    if call.lines:
        text.append(f"  {call.lines[-1][1]}")
    if call.rc is not None:
        text.append(f"  exit {call.rc}", style="green" if call.rc == 0 else "bold red")
    return text


def render(glance: Glance, found: Sequence[Disagreement]) -> RenderableType:
    """Everything shown for one other node."""
    parts: list[RenderableType] = []
    head = Text(glance.name, style="bold")
    if glance.running:
        head.append(" running", style="green")
    else:
        head.append(" not running", style="bold red")
    head.append(f"  ({glance.mode})", style="dim")
    parts.append(head)
    if glance.link is not None:
        parts.append(link_text(glance.link))
    for item in found:
        style = "bold white on red" if item.kind == "split-brain" else "bold yellow"
        parts.append(Text(item.text, style=style))
    parts.append(members_table(glance))
    calls = list(glance.model.scripts.values())
    if calls:
        parts.append(script_text(calls[-1]))
    for line in list(glance.model.log)[-LOG_LINES:]:
        parts.append(Text(short_line(line.text), style="dim", overflow="ellipsis", no_wrap=True))
    return Group(*parts)


class OtherNodesPanel(VerticalScroll):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="others", classes="pane")
        self.border_title = "Other nodes (tab / 1-9 to focus)"
        self._cards: dict[str, Static] = {}
        self.shown: dict[str, RenderableType] = {}  # what each card shows (tests)

    def plain(self, name: str, width: int = 60) -> str:
        """(tests) The text of ``name``'s card."""
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(self.shown.get(name, ""))
        return console.export_text()

    def show(self, focused: ConsoleModel, running: bool, glances: Sequence[Glance]) -> None:
        """Redraw every other node's card."""
        wanted = {g.name for g in glances}
        for name in list(self._cards):
            if name not in wanted:
                self._cards.pop(name).remove()
        split = False
        for glance in glances:
            card = self._cards.get(glance.name)
            if card is None:
                card = Static(classes="other-node", id=f"other-{glance.name}")
                self._cards[glance.name] = card
                self.mount(card)
            found = compare(focused, running, glance)
            split = split or any(d.kind == "split-brain" for d in found)
            self.shown[glance.name] = render(glance, found)
            card.update(self.shown[glance.name])
        self.set_class(split, "split-brain")
