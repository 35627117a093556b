"""The timeline the console shows for a Pacemaker cluster: each time a group leaves a node
or arrives on one, a transition with its cause and per-phase times.

Phases, each the wall time of the first reading that showed it: ``cause`` (the node went
offline or unclean, into standby, or a member failed), ``stopped`` (no member of the group
runs; absent when one reading went straight from the old node to the new), ``started`` (every
member runs on the new node). The kind follows from the cause: a node lost is a failover, a
standby is a standby, a failure is a recovery, a return to where the group was before its
last failover or standby is a failback, anything else (a move, a constraint) is a move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hbtui.crm.changes import CrmChange, FailureRecorded, GroupPlaced, NodeChanged
from hbtui.crm.state import NodeStatus

LOST = frozenset({NodeStatus.OFFLINE, NodeStatus.UNCLEAN})
CAUSE_WINDOW_S = 120.0  # a node event older than this did not cause a group to move


class TransitionKind(StrEnum):
    """Why a group moved."""

    FAILOVER = "failover"
    FAILBACK = "failback"
    STANDBY = "standby"
    RECOVERY = "recovery"
    MOVE = "move"
    START = "start"
    STOP = "stop"


@dataclass(slots=True)
class Transition:
    """One group leaving ``from_node`` for ``to_node`` (None: nowhere, or not yet)."""

    group: str
    kind: TransitionKind
    from_node: str | None
    to_node: str | None
    cause: str
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Nothing more to come: the group runs on its new node, or a stop completed."""
        return "started" in self.phases or (
            self.kind is TransitionKind.STOP and "stopped" in self.phases
        )

    def seconds(self) -> float | None:
        """From the first phase to the last one seen."""
        times = sorted(self.phases.values())
        return times[-1] - times[0] if len(times) > 1 else None

    def why(self) -> str:
        """One sentence: what happened and how long it took."""
        took = self.seconds()
        span = f" in {took:.1f} s" if took is not None else ""
        where = f"{self.from_node or 'nowhere'} -> {self.to_node or 'stopped'}"
        return f"{self.kind.value} of {self.group} {where}{span}: {self.cause}"


@dataclass
class Timeline:
    """Folds change events into transitions, oldest first."""

    transitions: list[Transition] = field(default_factory=list)
    _open: dict[str, Transition] = field(default_factory=dict)
    _node_events: dict[str, tuple[float, NodeStatus | None]] = field(default_factory=dict)
    _failed: dict[str, tuple[float, str]] = field(default_factory=dict)  # node -> (at, what)
    _left: dict[str, str] = field(default_factory=dict)  # group -> node it failed over from

    def feed(self, events: list[CrmChange]) -> list[Transition]:
        """Fold one reading's events; the transitions they opened or finished."""
        touched: list[Transition] = []
        for event in events:
            if isinstance(event, NodeChanged):
                self._node_events[event.node] = (event.at_s, event.after)
            elif isinstance(event, FailureRecorded) and not event.cleared:
                self._failed[event.failure.node] = (event.at_s, str(event.failure))
            elif isinstance(event, GroupPlaced) and not (event.partly and not event.before):
                touched.append(self._placed(event))
        return touched

    def _cause(self, node: str | None, at_s: float) -> tuple[TransitionKind, str, float]:
        """Why a group left ``node``: the latest node event or failure there."""
        if node is not None and (seen := self._node_events.get(node)) is not None:
            when, status = seen
            if at_s - when <= CAUSE_WINDOW_S and status in LOST:
                return TransitionKind.FAILOVER, f"{node} went {status}", when
            if at_s - when <= CAUSE_WINDOW_S and status is NodeStatus.STANDBY:
                return TransitionKind.STANDBY, f"{node} was put in standby", when
        if node is not None and (failed := self._failed.get(node)) is not None:
            when, what = failed
            if at_s - when <= CAUSE_WINDOW_S:
                return TransitionKind.RECOVERY, what, when
        return TransitionKind.MOVE, "moved (a constraint or its preference)", at_s

    def _placed(self, event: GroupPlaced) -> Transition:
        old = event.before[0] if event.before else None
        new = event.after[0] if event.after else None
        current = self._open.get(event.group)
        if current is None or old is not None:
            kind, cause, when = self._cause(old, event.at_s)
            if old is None:
                kind, cause, when = TransitionKind.START, "placed by Pacemaker", event.at_s
            current = Transition(event.group, kind, old, None, cause, {"cause": when})
            self.transitions.append(current)
            self._open[event.group] = current
        if event.partly:  # leaving, or a stale view of a rejoining node: not stopped yet
            return current
        if new is None:
            current.phases.setdefault("stopped", event.at_s)
            if current.kind is TransitionKind.MOVE:
                current.kind = TransitionKind.STOP
            return current
        current.to_node = new
        current.phases["started"] = event.at_s
        if current.kind is TransitionKind.STOP:
            current.kind = TransitionKind.MOVE
        if current.from_node == new and current.kind is TransitionKind.MOVE:
            current.kind = TransitionKind.RECOVERY  # stopped and started again in place
        elif self._left.get(event.group) == new and current.kind is TransitionKind.MOVE:
            current.kind, current.cause = (
                TransitionKind.FAILBACK,
                f"back on {new}, where it ran before",
            )
        if current.kind in (TransitionKind.FAILOVER, TransitionKind.STANDBY):
            self._left[event.group] = current.from_node or ""
        del self._open[event.group]
        return current
