"""What happened, for the console and the event stream: typed, timestamped data.

Every event carries ``at_ms``, the engine's monotonic clock (the ``now_ms`` of the call
that produced it). The engine knows nothing about the UI.

Deadtime countdowns: rather than a stream of "remaining" events, each
``KeepaliveReceived`` carries ``deadline_ms`` (when that peer will be declared dead if
nothing more arrives) and ``Node.snapshot()`` lists the same per node; the console
counts down from it. ``Script*`` events are produced by the runtime (it runs the
scripts) but are defined here so that there is one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeepaliveReceived:
    """A status message from ``node`` arrived ``gap_ms`` after the previous one."""

    at_ms: int
    node: str
    link: str
    gap_ms: int | None  # None for the first one heard
    seq: int
    status: str
    deadline_ms: int  # declared dead at this time unless another status arrives


@dataclass(frozen=True, slots=True)
class NodeStateChanged:
    """A node's status changed (``init``/``up``/``active``/``dead``; ours too)."""

    at_ms: int
    node: str
    old: str
    new: str
    why: str


@dataclass(frozen=True, slots=True)
class PeerRestarted:
    """A node came back with a new generation."""

    at_ms: int
    node: str
    old_generation: int | None
    new_generation: int


@dataclass(frozen=True, slots=True)
class PeerLate:
    """A status arrived later than warntime after the previous one."""

    at_ms: int
    node: str
    interval_ms: int


@dataclass(frozen=True, slots=True)
class PeerDead:
    """``node`` was silent for its deadtime (or never heard within initdead)."""

    at_ms: int
    node: str
    last_heard_ms: int | None
    deadtime_ms: int
    gave_up_resources: bool  # it announced a graceful shutdown first


@dataclass(frozen=True, slots=True)
class NodeJoined:
    """``autojoin other|any``: an authenticated packet from ``node``, a name the node list
    lacks, made it a member (``sender`` is where that packet came from)."""

    at_ms: int
    node: str
    sender: tuple[str, int]
    uuid: str | None  # hex of its srcuuid, when the packet had one


@dataclass(frozen=True, slots=True)
class PacketRejected:
    """A datagram did not reach the membership logic."""

    at_ms: int
    reason: str
    sender: tuple[str, int]
    detail: str
    node: str | None = None


@dataclass(frozen=True, slots=True)
class AuthMismatchAlive:
    """``node`` is evidently alive (its packets keep coming) but fails authentication."""

    at_ms: int
    node: str
    key_index: int
    method: str
    rejected_in_window: int


@dataclass(frozen=True, slots=True)
class VipAdded:
    """An address is up on this node (after the runtime confirmed it)."""

    at_ms: int
    resource: str
    ip: str
    device: str | None
    label: str | None


@dataclass(frozen=True, slots=True)
class VipRemoved:
    """An address is off this node's interface."""

    at_ms: int
    resource: str
    ip: str
    device: str | None


@dataclass(frozen=True, slots=True)
class ScriptStarted:
    """(runtime) A resource script started; it is killed after ``timeout_ms``."""

    at_ms: int
    request_id: int
    resource: str
    argv: tuple[str, ...]
    timeout_ms: int | None = None  # None: not known (an older trace)


@dataclass(frozen=True, slots=True)
class ScriptOutput:
    """(runtime) One line a resource script printed."""

    at_ms: int
    request_id: int
    stream: str  # "stdout" or "stderr"
    line: str


@dataclass(frozen=True, slots=True)
class ScriptExited:
    """(runtime) A resource script ended."""

    at_ms: int
    request_id: int
    rc: int
    timed_out: bool


@dataclass(frozen=True, slots=True)
class ResourcesChanged:
    """What this node holds now: ``rsc_hold`` and the group keys."""

    at_ms: int
    rsc_hold: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TakeoverStarted:
    """We start acquiring groups of ``from_node`` (failover, shutdown notice, standby)."""

    at_ms: int
    from_node: str
    reason: str  # "dead", "shutdown", "standby", "initdead"
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TakeoverPhases:
    """Milestones of one takeover (monotonic ms; None = not applicable)."""

    last_heard_ms: int | None
    declared_dead_ms: int | None
    decided_ms: int
    vip_added_ms: int | None
    scripts_done_ms: int


@dataclass(frozen=True, slots=True)
class TakeoverDone:
    """Every group of the takeover is running here."""

    at_ms: int
    from_node: str
    reason: str
    groups: tuple[str, ...]
    phases: TakeoverPhases


@dataclass(frozen=True, slots=True)
class Failback:
    """A group moves back to its home node (auto_failback or standby handshake)."""

    at_ms: int
    groups: tuple[str, ...]
    from_node: str
    to_node: str
    phase: str  # "offered", "released", "acquired"


@dataclass(frozen=True, slots=True)
class StopFailed:
    """A resource would not stop (after one retry): its group stays held here until
    the operator retries, confirms a manual clean-up, or self-fences."""

    at_ms: int
    resource: str
    detail: str


Event = (
    KeepaliveReceived
    | NodeStateChanged
    | PeerRestarted
    | PeerLate
    | PeerDead
    | NodeJoined
    | PacketRejected
    | AuthMismatchAlive
    | VipAdded
    | VipRemoved
    | ScriptStarted
    | ScriptOutput
    | ScriptExited
    | ResourcesChanged
    | TakeoverStarted
    | TakeoverDone
    | Failback
    | StopFailed
)
