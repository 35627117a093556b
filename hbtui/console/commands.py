"""The command palette: every operator action, and focusing a node, searchable."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp

# action name -> (palette title template, help)
PALETTE: dict[str, tuple[str, str]] = {
    "stop": ("Stop {node} (graceful)", "release resources, tell the peers, stop (key s)"),
    "kill": ("Kill {node} (crash drill)", "stop at once, release nothing; asks first (key k)"),
    "start": ("Restart / start {node}", "start the node, or stop and start it (key r)"),
    "standby": ("Standby {node}", "hand this node's resources to the peer (key b)"),
    "takeover": ("Takeover on {node}", "ask for every resource (key t)"),
    "delete_uuid": ("Delete hb_uuid of {node}", "after a hostname change; node stopped (key u)"),
    "drill": ("Failover drill on {node}", "the group away and back, timed; asks first (key D)"),
    "postmortem": (
        "Post-mortem of this node's ha-log",
        "failovers, failbacks, splits with their times and why (key P)",
    ),
    "report": (
        "Support bundle of every node (hbtui report)",
        "configs, redacted keys, the window's logs, status, a capture if asked; tar.gz (key B)",
    ),
    "rename": ("Change a node's hostname (wizard)", "the HOWTO procedure, dry run first (key h)"),
    "cutover": (
        "Move this cluster to Corosync + Pacemaker",
        "every node read, dry run first, asks; a failed step is rolled back (key M)",
    ),
    "focus_log": ("Focus the log filter", "type to filter ha-log lines (key l)"),
    "help": ("Show the keys", "the help screen (key ?)"),
}


class NodeCommands(Provider):
    """Actions on the focused node, plus "Focus node X" for every known node."""

    def _entries(self) -> list[tuple[str, str, partial[None]]]:
        app = cast("ConsoleApp", self.app)
        node = app.focused_node
        out: list[tuple[str, str, partial[None]]] = [
            (title.format(node=node), help_text, partial(app.request_action, action))
            for action, (title, help_text) in PALETTE.items()
        ]
        for name in app.sources:
            if name != node:
                out.append((f"Focus node {name}", "keys act on it", partial(app.focus_node, name)))
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
