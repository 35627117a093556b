"""The Pacemaker side of a migration: primitives, groups, locations and cluster options."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AgentClass(StrEnum):
    """Resource agent standards the migration uses."""

    OCF = "ocf"
    LSB = "lsb"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a primitive: ``monitor`` repeats every ``interval_s``; 0 = not recurring."""

    name: str
    interval_s: int
    timeout_s: int

    @property
    def op_id_suffix(self) -> str:
        """``monitor-interval-10s`` style, as pcs names operations."""
        return f"{self.name}-interval-{self.interval_s}s"


@dataclass(frozen=True, slots=True)
class LsbWrapper:
    """A generated /etc/init.d script that runs a Heartbeat resource script with its arguments."""

    name: str  # file name in /etc/init.d, the ``lsb:`` type
    script: str  # the Heartbeat resource name (looked up in resource.d, then init.d)
    args: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Primitive:
    """One haresources token as a Pacemaker primitive."""

    id: str
    agent_class: AgentClass
    agent_type: str
    params: tuple[tuple[str, str], ...]
    operations: tuple[Operation, ...]
    token: str  # the haresources token it came from
    mapping: str  # how the token's ``::`` arguments became parameters (one sentence)
    provider: str = "heartbeat"  # OCF provider; unused for LSB
    wrapper: LsbWrapper | None = None

    @property
    def agent(self) -> str:
        """``ocf:heartbeat:IPaddr2`` or ``lsb:NAME``."""
        if self.agent_class is AgentClass.OCF:
            return f"ocf:{self.provider}:{self.agent_type}"
        return f"{self.agent_class.value}:{self.agent_type}"


@dataclass(frozen=True, slots=True)
class Group:
    """One haresources line: its resources start left to right and stop right to left."""

    id: str
    home_node: str
    primitives: tuple[Primitive, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Location:
    """A preference of ``score`` for running ``group_id`` on ``node``."""

    id: str
    group_id: str
    node: str
    score: int


@dataclass(frozen=True, slots=True)
class PacemakerConfig:
    """Everything the CIB, pcs and crm outputs say, in one place."""

    properties: tuple[tuple[str, str], ...]  # cluster options (crm_config)
    resource_defaults: tuple[tuple[str, str], ...]  # rsc_defaults meta attributes
    groups: tuple[Group, ...]
    locations: tuple[Location, ...]
    notes: tuple[str, ...]  # why each option has its value (for comments and README)

    @property
    def wrappers(self) -> tuple[LsbWrapper, ...]:
        """Every generated LSB wrapper, in group order."""
        return tuple(p.wrapper for g in self.groups for p in g.primitives if p.wrapper is not None)
