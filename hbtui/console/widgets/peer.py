"""The peer pane: the SSH link's state and the peer's own view, disagreements first.

Fed by the peer feed (``hbtui.remote.feed``) through the app; it never touches the link.
A refused host key shows the fingerprint and the command that would trust it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from hbtui.remote.peerview import Disagreement, PeerView
from hbtui.remote.ssh import LinkState, LinkStatus

LOG_LINES = 6
STATE_STYLE = {
    LinkState.UP: "bold green",
    LinkState.CONNECTING: "yellow",
    LinkState.DOWN: "bold red",
    LinkState.REFUSED: "bold red reverse",
    LinkState.CLOSED: "dim",
    LinkState.IDLE: "dim",
}


def link_text(status: LinkStatus) -> Text:
    """``ssh: up root@10.0.0.2:22`` or the reason it is not, with the retry delay."""
    text = Text("ssh ", style="dim")
    text.append(str(status.state), style=STATE_STYLE.get(status.state, ""))
    if status.retry_in_s is not None and status.state is not LinkState.REFUSED:
        text.append(f"  retry in {status.retry_in_s:g} s", style="dim")
    if status.state is LinkState.REFUSED and status.refusal is not None:
        refusal = status.refusal
        text.append(f"\n{refusal.verdict} host key {refusal.algorithm} {refusal.fingerprint}")
        for expected in refusal.known_fingerprints:
            text.append(f"\nknown_hosts expects {expected}", style="yellow")
        text.append("\nverify it on the peer, then trust it with:", style="dim")
        for command in refusal.commands:
            text.append(f"\n  {command}", style="bold")
    elif status.detail:
        text.append(f"  {status.detail}", style="dim")
    return text


def view_table(view: PeerView, us: str) -> Table:
    """The peer's membership and VIP owners as it sees them."""
    table = Table.grid(padding=(0, 1))
    for node, state in sorted(view.members.items()):
        style = "green" if state == "active" else "bold red" if state == "dead" else "yellow"
        who = f"{node} (us)" if node == us else node
        table.add_row(Text(who), Text(state, style=style))
    for ip, owner in sorted(view.vip_owners.items()):
        table.add_row(Text(ip, style="bold"), Text(f"held by {owner or 'nobody'}"))
    if view.gap_from_us_ms is not None:
        table.add_row(Text("our keepalives", style="dim"), Text(f"gap {view.gap_from_us_ms} ms"))
    for reason, count in sorted(view.rejected.items()):
        table.add_row(Text("rejected", style="yellow"), Text(f"{count} x {reason}"))
    return table


class PeerPanel(Static):
    """See the module docstring."""

    def __init__(self, node: str, *, id: str | None = None) -> None:
        super().__init__(id=id or f"peer-{node}", classes="pane")
        self.node = node
        self.border_title = f"peer {node}"

    def show(
        self,
        status: LinkStatus,
        view: PeerView | None,
        found: Sequence[Disagreement] = (),
        us: str = "",
    ) -> None:
        """Redraw from the link status, the peer's view and the disagreements."""
        parts: list[Text | Table] = []
        for item in found:
            style = "bold white on red" if item.kind == "split-brain" else "bold yellow"
            parts.append(Text(item.text, style=style))
        parts.append(link_text(status))
        if view is not None:
            source = f"{view.node} runs {view.source or '?'}"
            parts.append(Text(source + (f", {view.status}" if view.status else ""), style="dim"))
            parts.append(view_table(view, us))
            for line in list(view.log)[-LOG_LINES:]:
                parts.append(Text(line, style="dim", overflow="ellipsis", no_wrap=True))
        self.set_class(any(d.kind == "split-brain" for d in found), "split-brain")
        self.update(Group(*parts))
