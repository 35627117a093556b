"""This node's status, the ``st`` of the ``status`` messages we send, and its steps.

  from  | to     | when
  ------+--------+----------------------------------------------------------
  init  | up     | ``Node.start``
  up    | active | communication up: a peer's status, or initdead has passed

There is no way back: a stopped node exits (its peers learn ``dead`` from ``shutdone``).
Any other step raises ``NodeStatusError``. Peers' statuses are whatever they send.
"""

from __future__ import annotations

from enum import StrEnum


class NodeStatus(StrEnum):
    """Our own status."""

    INIT = "init"
    UP = "up"
    ACTIVE = "active"


STATUS_STEPS: dict[NodeStatus, frozenset[NodeStatus]] = {
    NodeStatus.INIT: frozenset({NodeStatus.UP}),
    NodeStatus.UP: frozenset({NodeStatus.ACTIVE}),
    NodeStatus.ACTIVE: frozenset(),
}


class NodeStatusError(Exception):
    """An illegal status step (a bug in the engine)."""


def next_status(current: NodeStatus, new: NodeStatus) -> NodeStatus:
    """``new`` if the table allows it after ``current``; else raise ``NodeStatusError``."""
    if new not in STATUS_STEPS[current]:
        raise NodeStatusError(f"status {current} -> {new} is illegal")
    return new
