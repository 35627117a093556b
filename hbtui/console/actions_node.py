"""A node action on the focused node, asked first when it stops a node or moves resources.

The confirmation says what will happen (``effect``) and, for a peer, the command that runs
there over SSH; a yes runs it (``ConsoleApp.run_node_action``), a no is logged as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbtui.console.effects import effect
from hbtui.console.screens.confirm import DELETE_UUID_TEXT, KILL_TEXT, ConfirmScreen
from hbtui.stream.source import NodeSource, Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp

# a peer's actions that ask first, showing the command that will run there
PEER_CONFIRMED = {
    "stop": ("Stop {node}?", "Stop"),
    "restart": ("Restart {node}?", "Restart"),
    "delete_uuid": ("Delete hb_uuid of {node}?", "Delete"),
    "standby": ("Standby {node}?", "Standby"),
    "takeover": ("Takeover on {node}?", "Takeover"),
}
# actions that stop a node or move resources: each asks first, saying what will happen
MOVES = {
    "stop": ("Stop {node}?", "Stop"),
    "restart": ("Restart {node}?", "Restart"),
    "standby": ("Standby {node}?", "Standby"),
    "takeover": ("Takeover on {node}?", "Takeover"),
}


def _peer_command(source: NodeSource, action: str) -> str | None:
    """What ``action`` runs on a peer over SSH (None: not a peer, or not connected yet)."""
    actions = getattr(getattr(source, "session", None), "actions", None)
    if actions is None:
        return None
    try:
        return str(actions.describe(action))
    except ValueError:
        return None


def node_action(app: ConsoleApp, action: str) -> None:
    """``action`` on the focused node, confirmed first when it stops a node or moves
    resources (the text says what will happen)."""
    src, node = app.source, app.focused_node
    if action == "start" and src.is_running():
        action = "restart"
    remote = _peer_command(src, action)
    if remote is not None and action in PEER_CONFIRMED:
        title, verb = PEER_CONFIRMED[action]
        text = f"Runs on {node}, through its own service manager, over SSH:\n\n  {remote}"
        if action in MOVES:
            text = effect(action, app.model, node) + "\n\n" + text
        if action == "delete_uuid":
            text += "\n\n" + DELETE_UUID_TEXT.format(node=node, path="its hb_uuid")
        _ask(app, title.format(node=node), text, verb, action, node)
    elif action == "kill" and not src.read_only:
        _ask(app, f"Kill {node}?", KILL_TEXT.format(node=node), "Kill", action, node)
    elif action == "delete_uuid" and not src.read_only and not src.is_running():
        state_dir = getattr(src, "state_dir", None)
        path = f"{state_dir}/hb_uuid" if state_dir else "hb_uuid in the state directory"
        text = DELETE_UUID_TEXT.format(node=node, path=path)
        _ask(app, f"Delete hb_uuid of {node}?", text, "Delete", action, node)
    elif action == "start" and src.mode == "embedded" and app.confirm_actions:
        text = effect("start_here", app.model, node)
        _ask(app, f"Start a node here as {node}?", text, "Start", action, node)
    elif action in MOVES and not src.read_only and app.confirm_actions:
        title, verb = MOVES[action]
        _ask(app, title.format(node=node), effect(action, app.model, node), verb, action, node)
    else:
        app.run_node_action(action, node)


def _ask(app: ConsoleApp, title: str, text: str, verb: str, action: str, node: str) -> None:
    app.push_screen(
        ConfirmScreen(title, text, verb), lambda yes: _confirmed(app, yes, action, node)
    )


def _confirmed(app: ConsoleApp, yes: bool | None, action: str, node: str) -> None:
    if yes:
        app.run_node_action(action, node)
    else:
        app.log_outcome(action, Outcome(True, "cancelled, nothing done"), node)
