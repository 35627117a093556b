"""The post-mortem's typed report: timeline entries, late heartbeats, script calls, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What happened to the resources (the console's timeline kinds)."""

    FAILOVER = "failover"
    FAILBACK = "failback"
    STANDBY = "standby"
    TAKEOVER = "takeover"
    STOP = "stop"
    SPLIT_BRAIN = "split_brain"
    HEAL = "heal"


# per-phase times, in the order they happen
PHASES = ("last_heard", "declared_dead", "decided", "vip_added", "arp_sent", "scripts_done")


@dataclass
class Entry:
    """One timeline entry; ``phases`` holds only the phases the logs date."""

    kind: Kind
    from_node: str
    to_node: str
    resources: list[str] = field(default_factory=list)
    phases: dict[str, datetime] = field(default_factory=dict)
    why: str = ""
    at: datetime = datetime.min  # the entry's first logged moment
    where: list[str] = field(default_factory=list)  # file:line of the lines it stands on
    seen_by: set[str] = field(default_factory=set)  # nodes whose logs tell it
    notes: list[str] = field(default_factory=list)  # extra clauses for ``why``
    taken: bool = True  # False: the taker was stopping too and took nothing


@dataclass(frozen=True)
class LateHeartbeat:
    """A ``Late heartbeat`` warning: ``seen_by`` waited ``gap_ms`` for ``node``."""

    at: datetime
    seen_by: str
    node: str
    gap_ms: int
    where: str


@dataclass
class ScriptCall:
    """A resource script call; ``exit_status`` when a line states it (None: not logged)."""

    at: datetime
    node: str
    script: str
    args: str
    op: str
    where: str
    exit_status: int | None = None
    failed: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Problem:
    """Something found wrong: stop failure, both holding, restart loop, keys differ, ..."""

    at: datetime
    kind: str
    text: str
    where: str


@dataclass
class Report:
    """Everything a post-mortem found."""

    nodes: list[str]
    files: list[str]
    entries: list[Entry]
    late: list[LateHeartbeat]
    scripts: list[ScriptCall]
    problems: list[Problem]
    notes: list[str]
    first: datetime | None = None
    last: datetime | None = None
