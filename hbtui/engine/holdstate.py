"""The vocabulary of resource ownership: rsc_hold values, phases, what peers hold."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

HOLDS_OURS = frozenset({"foreign", "all"})  # a peer's rsc_hold that includes our groups
SWAP = {"local": "foreign", "foreign": "local", "all": "all", "none": "none"}


class Phase(StrEnum):
    """Where this node is in its resource life."""

    WAITING = "waiting"  # active, initial acquisition not decided
    ACQUIRING = "acquiring"
    STABLE = "stable"
    SHUTDOWN = "shutdown"


@dataclass(slots=True)
class PeerRsc:
    """What we know of one peer's resources (current generation)."""

    alive: bool = False
    hbtui: bool = False
    hold: str | None = None
    stable: bool = False
    offer_pending: bool = True  # a (re)joined home node gets its groups offered once
    announced: bool = False  # we told this generation what we hold
    gave_up: bool = False
    last_heard_ms: int | None = None
    dead_ms: int | None = None


@dataclass(slots=True)
class Standby:
    """A standby/failback handshake in progress (``give`` = we release)."""

    role: str
    rsc_type: str
    peer: str
    stage: str = "asked"


def hold_name(local: bool, foreign: bool) -> str:
    """rsc_hold from what is held."""
    return {(False, False): "none", (True, False): "local", (False, True): "foreign"}.get(
        (local, foreign), "all"
    )
