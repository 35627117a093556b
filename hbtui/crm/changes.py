"""What changed between two readings of the cluster, as typed events: a node's status, the
DC, where a group runs, a resource active on several nodes, a failed action recorded or
cleared. ``at_s`` is the wall time of the reading that showed it (epoch seconds), so a
change is known to within one poll interval."""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.crm.state import CrmFailure, CrmState, NodeStatus


@dataclass(frozen=True, slots=True)
class NodeChanged:
    """A node's status changed (None: not listed)."""

    at_s: float
    node: str
    before: NodeStatus | None
    after: NodeStatus | None

    def describe(self) -> str:
        """One line for the log pane."""
        return f"node {self.node}: {self.before or 'unlisted'} -> {self.after or 'unlisted'}"


@dataclass(frozen=True, slots=True)
class DcChanged:
    """Another node became the Designated Controller (None: none elected)."""

    at_s: float
    before: str | None
    after: str | None

    def describe(self) -> str:
        """One line for the log pane."""
        return f"DC: {self.before or 'none'} -> {self.after or 'none'}"


@dataclass(frozen=True, slots=True)
class GroupPlaced:
    """Where a group runs changed: the one node all its members run on, () for none of them
    (stopped, or still moving), and ``partly`` when some members run and others do not."""

    at_s: float
    group: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    partly: bool = False

    def describe(self) -> str:
        """One line for the log pane."""
        after = ", ".join(self.after) or ("not on one node" if self.partly else "stopped")
        return f"{self.group}: {', '.join(self.before) or 'stopped'} -> {after}"


@dataclass(frozen=True, slots=True)
class MultiActive:
    """A resource crm_mon reports active on several nodes at once."""

    at_s: float
    resource: str
    nodes: tuple[str, ...]

    def describe(self) -> str:
        """One line for the log pane."""
        return f"{self.resource} ACTIVE ON {len(self.nodes)} NODES: {', '.join(self.nodes)}"


@dataclass(frozen=True, slots=True)
class FailureRecorded:
    """A failed action appeared (``cleared`` False) or was cleaned up (True)."""

    at_s: float
    failure: CrmFailure
    cleared: bool = False

    def describe(self) -> str:
        """One line for the log pane."""
        return f"failure cleared: {self.failure}" if self.cleared else f"FAILED: {self.failure}"


CrmChange = NodeChanged | DcChanged | GroupPlaced | MultiActive | FailureRecorded


def _placement(state: CrmState | None, gid: str) -> tuple[tuple[str, ...], bool]:
    """Where ``gid`` runs and whether it runs only in part."""
    if state is None:
        return (), False
    where = state.group_where(gid)
    members = state.groups().get(gid, ())
    partly = not where and any(state.where(m.id) for m in members)
    return where, partly


def changes(before: CrmState | None, after: CrmState, at_s: float) -> list[CrmChange]:
    """The changes from ``before`` (None: the first reading) to ``after``, nodes first."""
    found: list[CrmChange] = []
    old_nodes = {n.name: n.status for n in before.nodes} if before else {}
    new_nodes = {n.name: n.status for n in after.nodes}
    for name in [*new_nodes, *(n for n in old_nodes if n not in new_nodes)]:
        if old_nodes.get(name) != new_nodes.get(name):
            found.append(NodeChanged(at_s, name, old_nodes.get(name), new_nodes.get(name)))
    if before is None or before.dc != after.dc:
        found.append(DcChanged(at_s, before.dc if before else None, after.dc))
    old_groups = before.groups() if before else {}
    for gid in [*after.groups(), *(g for g in old_groups if g not in after.groups())]:
        was, was_partly = _placement(before, gid)
        now, now_partly = _placement(after, gid)
        if (was, was_partly) != (now, now_partly):
            found.append(GroupPlaced(at_s, gid, was, now, now_partly))
    for resource in after.resources:
        old = before.resource(resource.id) if before else None
        if resource.multi_active and (old is None or old.nodes != resource.nodes):
            found.append(MultiActive(at_s, resource.id, resource.nodes))
    old_failures = set(before.failures) if before else set()
    found += (FailureRecorded(at_s, f) for f in after.failures if f not in old_failures)
    gone = sorted(old_failures - set(after.failures), key=str)
    found += (FailureRecorded(at_s, f, True) for f in gone)
    return found
