"""The other nodes' pane: every node but the focused one, each as it sees the cluster.

Per node: whether it runs (and its SSH link, for a peer), where the two views disagree
(both holding a VIP = split brain, with the evidence; one-way loss), the members with the
countdown as that node counts it, the VIP owners, and its newest log lines. Built from
that node's own ``ConsoleModel``; the checks are ``hbtui.console.disagreements``.
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

from hbtui.console.disagreements import Disagreement, disagreements
from hbtui.console.model import ConsoleModel, ScriptCall
from hbtui.console.widgets.countdown import CALM_STEP_MS
from hbtui.console.widgets.link import link_text, unreachable
from hbtui.stream.link import LinkStatus

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


def compare(focused: ConsoleModel, running: bool, other: Glance) -> list[Disagreement]:
    """Disagreements between two running nodes (a stopped node's view is history)."""
    if not (running and other.running):
        return []
    return disagreements(focused, other.model)


class LiveLine(Text):
    """A one-line ``Text`` whose figures change while the card's shape does not."""


def members_table(glance: Glance) -> Table:
    """Each member's state as this node sees it, then the VIP owners."""
    model = glance.model
    table = Table.grid(padding=(0, 1))
    for name, node in sorted(model.nodes.items(), key=lambda kv: (not kv[1].is_self, kv[0])):
        status = node.status if glance.running or node.is_self else "unknown"
        row = Text(status, style=STATUS_STYLE.get(status, "yellow"))
        table.add_row(Text(f"{name} (itself)" if node.is_self else name), row)
    for ip, vip in sorted(model.vips.items()):
        held = Text(f"held by {vip.owner or 'nobody'}", style="bold" if vip.owner else "dim")
        table.add_row(Text(ip, style="bold"), held)
    return table


def countdown_lines(glance: Glance) -> list[LiveLine]:
    """The deadtime countdown of every member this node counts down, one line each.

    While no keepalive is overdue the figures move in whole seconds (like the Nodes pane's
    bar), so a calm cluster repaints next to nothing.
    """
    model, now = glance.model, glance.now_ms
    late = model.keepalive_ms * 3 // 2
    lines = []
    for name, node in sorted(model.nodes.items()):
        if node.is_self or not glance.running or node.deadline_ms is None:
            continue
        left_ms = max(node.deadline_ms - now, 0)
        ago = None if node.last_heard_ms is None else now - node.last_heard_ms
        if ago is not None and ago <= late:  # calm: nothing to watch closely
            ago = ago // CALM_STEP_MS * CALM_STEP_MS
            left_ms = -(-left_ms // CALM_STEP_MS) * CALM_STEP_MS
        heard = "" if ago is None else f"heard {ago / 1000:.1f} s ago, "
        warn = ago is not None and ago >= model.warntime_ms
        line = LiveLine(f"{name}: ", overflow="ellipsis", no_wrap=True)
        line.append(
            f"{heard}dead in {left_ms / 1000:.1f} s", style="bold yellow" if warn else "dim"
        )
        lines.append(line)
    return lines


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


def card_parts(glance: Glance, found: Sequence[Disagreement]) -> list[Text | Table]:
    """Everything shown for one other node, top to bottom."""
    parts: list[Text | Table] = []
    head = Text(glance.name, style="bold")
    cannot_see = unreachable(glance.link)
    if glance.running:
        head.append(" running", style="green")
    elif cannot_see is not None:
        head.append(f" {cannot_see}", style="bold yellow")
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
    parts.extend(countdown_lines(glance))
    calls = list(glance.model.scripts.values())
    if calls:
        parts.append(script_text(calls[-1]))
    for line in list(glance.model.log)[-LOG_LINES:]:
        parts.append(Text(short_line(line.text), style="dim", overflow="ellipsis", no_wrap=True))
    return parts


def text_key(text: Text) -> tuple[object, ...]:
    """What a ``Text`` looks like (equal keys draw the same cells)."""
    return (text.plain, str(text.style), tuple(text.spans))


def card_keys(parts: Sequence[Text | Table]) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """(shape, look) of a card: the shape sets its height (all but the live lines' figures),
    the look is everything drawn; equal looks need no repaint."""
    shape: list[object] = []
    look: list[object] = []
    for part in parts:
        key: tuple[object, ...]
        if isinstance(part, Table):
            cells = [cell for column in part.columns for cell in column.cells]
            key = tuple(text_key(c) if isinstance(c, Text) else repr(c) for c in cells)
        else:
            key = text_key(part)
        shape.append("live" if isinstance(part, LiveLine) else key)
        look.append(key)
    return tuple(shape), tuple(look)


class OtherNodesPanel(VerticalScroll):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="others", classes="pane")
        self.border_title = "Other nodes (tab / 1-9 to focus)"
        self._cards: dict[str, Static] = {}
        self.shown: dict[str, RenderableType] = {}  # what each card shows (tests)
        self._keys: dict[str, tuple[tuple[object, ...], tuple[object, ...]]] = {}

    def plain(self, name: str, width: int = 60) -> str:
        """(tests) The text of ``name``'s card."""
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(self.shown.get(name, ""))
        return console.export_text()

    def show(self, focused: ConsoleModel, running: bool, glances: Sequence[Glance]) -> None:
        """Redraw the other nodes' cards that changed (a reflow only when a card's shape did)."""
        wanted = {g.name for g in glances}
        for name in list(self._cards):
            if name not in wanted:
                self._cards.pop(name).remove()
                self._keys.pop(name, None)
        split = False
        for glance in glances:
            card = self._cards.get(glance.name)
            if card is None:
                card = Static(classes="other-node", id=f"other-{glance.name}")
                self._cards[glance.name] = card
                self.mount(card)
            found = compare(focused, running, glance)
            split = split or any(d.kind == "split-brain" for d in found)
            parts = card_parts(glance, found)
            shape, look = card_keys(parts)
            before = self._keys.get(glance.name)
            if before is not None and before[1] == look:
                continue
            self._keys[glance.name] = (shape, look)
            self.shown[glance.name] = Group(*parts)
            card.update(self.shown[glance.name], layout=before is None or before[0] != shape)
        self.set_class(split, "split-brain")
