"""Reading ha-log lines, the real daemon's and hbtui's (docs/protocol.md §6 for the wording).

``level_of`` finds a line's level word; ``status_changes`` the node status changes a line
states ("Status update for node X: status Y", "node X: is dead", "Local status now set
to: 'Y'").
"""

from __future__ import annotations

import re

from hbtui.engine import events as ev

_LEVEL = re.compile(r"\]:\s+(debug|info|WARN|ERROR|CRIT|INFO|ERR|warning):", re.IGNORECASE)
_STATUS = re.compile(r"Status update for node (\S+): status (\w+)")
_DEAD = re.compile(r"node (\S+): is dead")
_LOCAL = re.compile(r"Local status now set to: '(\w+)'")


def level_of(line: str) -> str:
    """The ha-log level word of a line, normalised (info when there is none)."""
    m = _LEVEL.search(line)
    if m is None:
        return "info"
    word = m.group(1).lower()
    return {
        "warn": "WARN",
        "warning": "WARN",
        "error": "ERROR",
        "err": "ERROR",
        "crit": "CRIT",
        "debug": "debug",
    }.get(word, "info")


def status_changes(line: str, us: str, at_ms: int) -> list[ev.NodeStateChanged]:
    """Node status changes that an ha-log line states."""
    if m := _STATUS.search(line):
        return [ev.NodeStateChanged(at_ms, m.group(1), "?", m.group(2), "ha-log")]
    if m := _DEAD.search(line):
        return [ev.NodeStateChanged(at_ms, m.group(1), "?", "dead", "ha-log")]
    if m := _LOCAL.search(line):
        return [ev.NodeStateChanged(at_ms, us, "?", m.group(1), "ha-log")]
    return []
