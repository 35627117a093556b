"""One SSH link's state as a line of text: up, connecting, down with the retry delay, or
a refused host key with its fingerprint and the commands that would trust it.
"""

from __future__ import annotations

from rich.text import Text

from hbtui.stream.link import LinkState, LinkStatus

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


def unreachable(status: LinkStatus | None) -> str | None:
    """``unreachable: <why>`` while the peer cannot be reached (None when it can, or when
    the node is not a peer): a node we cannot see is never shown as "not running"."""
    if status is None or status.state in (LinkState.UP, LinkState.IDLE, LinkState.CLOSED):
        return None
    if status.state is LinkState.REFUSED:
        verdict = status.refusal.verdict if status.refusal is not None else "refused"
        return f"unreachable: host key {verdict}"
    if status.state is LinkState.CONNECTING and status.attempts <= 1:
        return None  # the first attempt: not known yet
    return f"unreachable: {status.detail or 'no connection'}"
