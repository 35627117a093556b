"""One reading of ``crm_mon -1 --output-as=xml`` (Pacemaker 2.1): nodes and their status,
the DC and quorum, every resource with its group, role and where it runs, failed actions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import StrEnum

ACTIVE_ROLES = frozenset({"Started", "Promoted", "Unpromoted", "Master", "Slave"})
VIP_AGENTS = ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPaddr")


class CrmParseError(ValueError):
    """crm_mon's output is not the XML it documents (said with what was wrong)."""


class NodeStatus(StrEnum):
    """A node as crm_mon reports it, worst first when several flags are set."""

    UNCLEAN = "unclean"
    OFFLINE = "offline"
    PENDING = "pending"
    STANDBY = "standby"
    MAINTENANCE = "maintenance"
    ONLINE = "online"


@dataclass(frozen=True, slots=True)
class CrmNode:
    """One cluster node."""

    name: str
    status: NodeStatus
    is_dc: bool
    resources_running: int


@dataclass(frozen=True, slots=True)
class CrmResource:
    """One primitive (a member of ``group`` when it has one)."""

    id: str
    agent: str
    role: str
    nodes: tuple[str, ...]  # where crm_mon says it is active
    group: str | None
    failed: bool
    pending: str | None  # "Starting", "Stopping"... while an operation runs
    managed: bool

    @property
    def active(self) -> bool:
        """Running somewhere (a monitor under way does not change that; a start or stop
        under way shows as the role Starting or Stopping)."""
        return self.role in ACTIVE_ROLES and bool(self.nodes)

    @property
    def multi_active(self) -> bool:
        """Active on more than one node: what HA exists to prevent (or a rejoin's stale view)."""
        return len(self.nodes) > 1


@dataclass(frozen=True, slots=True)
class CrmFailure:
    """A failed action (``crm_mon``'s Failed Resource Actions)."""

    resource: str
    task: str
    node: str
    status: str  # "not running", "error"...
    reason: str  # the agent's exit reason, often empty
    when: str  # last-rc-change as crm_mon prints it

    def __str__(self) -> str:
        reason = f" ({self.reason})" if self.reason else ""
        where = f"{self.task} of {self.resource} on {self.node}"
        when = f" at {self.when}" if self.when else ""
        return f"{where}: {self.status}{reason}{when}"


@dataclass(frozen=True, slots=True)
class CrmState:
    """The cluster as one node's crm_mon sees it."""

    nodes: tuple[CrmNode, ...]
    dc: str | None
    quorum: bool | None
    resources: tuple[CrmResource, ...]
    failures: tuple[CrmFailure, ...]
    last_change: str  # "Sat Dec  5 20:38:39 2026 by crm_attribute on server1"

    @property
    def last_change_short(self) -> str:
        """``20:38:39 by crm_attribute`` (the time of day and the client)."""
        clock = re.search(r"\d\d:\d\d:\d\d", self.last_change)
        client = re.search(r" by (\S+)", self.last_change)
        parts = [clock.group(0) if clock else "", f"by {client.group(1)}" if client else ""]
        return " ".join(part for part in parts if part)

    def node(self, name: str) -> CrmNode | None:
        """The node called ``name``, if crm_mon lists it."""
        return next((n for n in self.nodes if n.name == name), None)

    def resource(self, rid: str) -> CrmResource | None:
        """The resource ``rid``, if crm_mon lists it."""
        return next((r for r in self.resources if r.id == rid), None)

    def where(self, rid: str) -> tuple[str, ...]:
        """Nodes ``rid`` is active on (empty: stopped, pending or unknown)."""
        found = self.resource(rid)
        return found.nodes if found is not None and found.active else ()

    def groups(self) -> dict[str, tuple[CrmResource, ...]]:
        """Each group's members in order; an ungrouped resource is a group of its own."""
        found: dict[str, list[CrmResource]] = {}
        for resource in self.resources:
            found.setdefault(resource.group or resource.id, []).append(resource)
        return {gid: tuple(members) for gid, members in found.items()}

    def group_where(self, gid: str) -> tuple[str, ...]:
        """The one node every member of ``gid`` runs on, else () (stopped, split or moving)."""
        members = self.groups().get(gid, ())
        places = {self.where(m.id) for m in members}
        if len(places) == 1:
            (place,) = places
            if len(place) == 1:
                return place
        return ()

    def group_of(self, rid: str) -> str:
        """The group ``rid`` belongs to (itself when ungrouped)."""
        found = self.resource(rid)
        return (found.group or found.id) if found is not None else rid


def _node_status(element: ET.Element) -> NodeStatus:
    flag = element.get
    if flag("unclean") == "true":
        return NodeStatus.UNCLEAN
    if flag("online") != "true":
        return NodeStatus.OFFLINE
    if flag("pending") == "true":
        return NodeStatus.PENDING
    if flag("standby") == "true" or flag("standby_onfail") == "true":
        return NodeStatus.STANDBY
    if flag("maintenance") == "true":
        return NodeStatus.MAINTENANCE
    return NodeStatus.ONLINE


def _resource(element: ET.Element, group: str | None) -> CrmResource:
    nodes = tuple(n.get("name", "") for n in element.iterfind("node"))
    active = element.get("active") == "true"
    return CrmResource(
        id=element.get("id", ""),
        agent=element.get("resource_agent", ""),
        role=element.get("role", ""),
        nodes=nodes if active else (),
        group=group,
        failed=element.get("failed") == "true",
        pending=element.get("pending"),
        managed=element.get("managed") != "false",
    )


def _resources(root: ET.Element) -> tuple[CrmResource, ...]:
    found: list[CrmResource] = []
    section = root.find("resources")
    for child in section if section is not None else ():
        if child.tag == "resource":
            found.append(_resource(child, None))
        elif child.tag == "group":
            found += (_resource(r, child.get("id")) for r in child.iterfind("resource"))
        else:  # clones and bundles: their instances, grouped under the clone's id
            found += (_resource(r, child.get("id")) for r in child.iter("resource"))
    return tuple(found)


def _failure(element: ET.Element) -> CrmFailure:
    op_key = element.get("op_key", "")
    task = element.get("task", "")
    # op_key is RESOURCE_TASK_INTERVAL; resource ids may hold underscores themselves
    resource = op_key.rsplit(f"_{task}_", 1)[0] if task and f"_{task}_" in op_key else op_key
    return CrmFailure(
        resource=resource,
        task=task,
        node=element.get("node", ""),
        status=element.get("exitstatus") or element.get("status") or "",
        reason=element.get("exitreason", ""),
        when=element.get("last-rc-change", ""),
    )


def _last_change(summary: ET.Element | None) -> str:
    change = summary.find("last_change") if summary is not None else None
    if change is None:
        return ""
    who = " ".join(
        f"{word} {change.get(attr)}"
        for word, attr in (("by", "client"), ("on", "origin"))
        if change.get(attr)
    )
    return f"{change.get('time', '')} {who}".strip()


def parse_crm_mon(xml_text: str) -> CrmState:
    """A :class:`CrmState` from ``crm_mon -1 --output-as=xml``; CrmParseError when it is not."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise CrmParseError(f"crm_mon printed no valid XML: {exc}") from exc
    if root.tag != "pacemaker-result":
        raise CrmParseError(f"crm_mon printed <{root.tag}>, not <pacemaker-result>")
    status = root.find("status")
    if status is not None and status.get("code", "0") != "0" and root.find("nodes") is None:
        message, code = status.get("message", "error"), status.get("code")
        raise CrmParseError(f"crm_mon: {message} (code {code})")
    summary = root.find("summary")
    dc_element = summary.find("current_dc") if summary is not None else None
    dc, quorum = None, None
    if dc_element is not None and dc_element.get("present") == "true":
        dc = dc_element.get("name")
        quorum = dc_element.get("with_quorum") == "true"
    nodes = tuple(
        CrmNode(
            name=n.get("name", ""),
            status=_node_status(n),
            is_dc=n.get("is_dc") == "true",
            resources_running=int(n.get("resources_running", "0") or 0),
        )
        for n in root.iterfind("nodes/node")
    )
    failures = tuple(_failure(f) for f in root.iterfind("failures/failure"))
    return CrmState(nodes, dc, quorum, _resources(root), failures, _last_change(summary))
