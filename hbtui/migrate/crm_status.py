"""What ``crm_mon --output-as=xml`` says about a Corosync + Pacemaker cluster, reduced to
what ``hbtui status`` and the lab check: online nodes, the DC, where each resource runs,
failed actions. The full reading is :mod:`hbtui.crm.state`."""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.crm.state import NodeStatus
from hbtui.crm.state import parse_crm_mon as parse_state


@dataclass(frozen=True, slots=True)
class ClusterView:
    """One node's view of the cluster."""

    online: frozenset[str]
    dc: str | None
    running: dict[str, tuple[str, ...]]  # resource id -> nodes it is started on
    failed: tuple[str, ...]  # "task of resource on node: status at time" of failed actions

    def where(self, resource: str) -> tuple[str, ...]:
        """Nodes ``resource`` is active on (empty: stopped or unknown)."""
        return self.running.get(resource, ())


def parse_crm_mon(xml_text: str) -> ClusterView:
    """A :class:`ClusterView` from ``crm_mon -1 --output-as=xml`` output (a start still
    running, shown as pending with record-pending, is not yet running)."""
    state = parse_state(xml_text)
    online = frozenset(n.name for n in state.nodes if n.status is NodeStatus.ONLINE)
    running = {
        r.id: r.nodes
        for r in state.resources
        if r.active and r.role == "Started" and r.pending is None and not r.failed
    }
    return ClusterView(online, state.dc, running, tuple(str(f) for f in state.failures))
