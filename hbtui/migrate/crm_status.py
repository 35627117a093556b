"""What ``crm_mon --output-as=xml`` says about a Corosync + Pacemaker cluster: online nodes,
the DC, where each resource runs, failed actions (``hbtui status``, the lab)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClusterView:
    """One node's view of the cluster."""

    online: frozenset[str]
    dc: str | None
    running: dict[str, tuple[str, ...]]  # resource id -> nodes it is started on
    failed: tuple[str, ...]  # "op on resource at node: status" of failed actions

    def where(self, resource: str) -> tuple[str, ...]:
        """Nodes ``resource`` is active on (empty: stopped or unknown)."""
        return self.running.get(resource, ())


def parse_crm_mon(xml_text: str) -> ClusterView:
    """A :class:`ClusterView` from ``crm_mon -1 --output-as=xml`` output."""
    root = ET.fromstring(xml_text)
    online = frozenset(
        n.get("name", "")
        for n in root.iterfind("nodes/node")
        if n.get("online") == "true" and n.get("standby") != "true"
    )
    dc_element = root.find("summary/current_dc")
    dc = None
    if dc_element is not None and dc_element.get("present") == "true":
        dc = dc_element.get("name")
    running: dict[str, tuple[str, ...]] = {}
    for resource in root.iter("resource"):
        # a start still running is recorded too (record-pending): it shows as pending="Starting"
        if resource.get("role") != "Started" or resource.get("pending") is not None:
            continue
        if resource.get("active") != "true" or resource.get("failed") == "true":
            continue
        nodes = tuple(n.get("name", "") for n in resource.iterfind("node"))
        running[resource.get("id", "")] = nodes
    failed = tuple(
        f"{f.get('task')} on {f.get('op_key', '')} at {f.get('node')}: {f.get('status')}"
        for f in root.iterfind("failures/failure")
    )
    return ClusterView(online, dc, running, failed)
