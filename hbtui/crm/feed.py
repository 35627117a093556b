"""What the Pacemaker console reads: one sample per ``crm_mon`` reading, and the Protocol
of whatever produces them (``hbtui.sources.pacemaker``: on this machine or over SSH)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hbtui.crm.actions import CrmAction
from hbtui.crm.changes import CrmChange
from hbtui.crm.state import CrmState, NodeStatus

QUIET_ROLES = frozenset({"Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave"})


@dataclass(frozen=True, slots=True)
class CrmSample:
    """One reading: the state (None when crm_mon could not answer, then ``error`` says why),
    the changes since the previous reading, and the VIP addresses from the CIB."""

    at_s: float  # wall time, epoch seconds
    state: CrmState | None
    changes: tuple[CrmChange, ...] = ()
    vips: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    next_in_s: float = 0.0  # when the next reading comes


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action did: ``text`` (the command and its output) goes into the log pane."""

    ok: bool
    text: str


def settling(state: CrmState) -> bool:
    """Whether the cluster is in the middle of something (then it is read more often):
    no DC, a node joining or unclean, a resource starting or stopping."""
    if state.dc is None:
        return True
    if any(n.status in (NodeStatus.PENDING, NodeStatus.UNCLEAN) for n in state.nodes):
        return True
    return any(r.role not in QUIET_ROLES for r in state.resources)


class CrmFeed(Protocol):
    """A Pacemaker cluster as the console reads it."""

    where: str  # the node crm_mon runs on ("this machine", or the SSH peer's name)
    read_only: bool

    def samples(self) -> AsyncIterator[CrmSample]:
        """Readings from now on; ends when the feed closes."""
        ...

    async def act(self, action: CrmAction) -> ActionResult:
        """Carry out ``action`` (refused politely when read-only); never raises."""
        ...

    async def close(self) -> None:
        """Stop reading (ends ``samples()``)."""
        ...
