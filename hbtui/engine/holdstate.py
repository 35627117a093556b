"""The vocabulary of resource ownership: rsc_hold values, phases, what peers hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

HOLDS_OURS = frozenset({"foreign", "all"})  # a peer's rsc_hold that includes our groups
SWAP = {"local": "foreign", "foreign": "local", "all": "all", "none": "none"}


class Phase(StrEnum):
    """Where this node is in its resource life."""

    WAITING = "waiting"  # active, initial acquisition not decided
    ACQUIRING = "acquiring"
    STABLE = "stable"
    SHUTDOWN = "shutdown"


class StopFailure(StrEnum):
    """What a node does when a resource will not stop (hbtui's ``stop_failure``)."""

    HOLD = "hold"  # keep holding the group, loudly, until the operator decides
    REBOOT = "reboot"  # Heartbeat's way: self-fence (``SelfFence``) at once


class Liveness(Protocol):
    """What ownership asks membership (the one owner of these facts) about a peer."""

    def is_alive(self, peer: str) -> bool:
        """Heard in its current generation and not declared dead since."""
        ...

    def is_hbtui(self, peer: str) -> bool:
        """Its last status carried the hbtui field."""
        ...

    def heard_ms(self, peer: str) -> int | None:
        """Its last status in the current generation (None after a restart)."""
        ...

    def dead_ms(self, peer: str) -> int | None:
        """When we declared its current generation dead (None if we did not)."""
        ...


@dataclass(slots=True)
class PeerRsc:
    """What we know of one peer's resources (current generation)."""

    hold: str | None = None
    stable: bool = False
    offer_pending: bool = True  # a (re)joined home node gets its groups offered once
    announced: bool = False  # we told this generation what we hold
    gave_up: bool = False
    seq: int = 0  # of its newest resource message applied


def holder_of(home: str, live_holds: Iterable[tuple[str, str | None]]) -> str | None:
    """Which live peer runs a group whose home is ``home``, from (peer, rsc_hold) pairs."""
    for name, hold in live_holds:
        if hold == "all" or (hold == "local" and name == home):
            return name
        if hold == "foreign" and name != home:
            return name
    return None


def hold_name(local: bool, foreign: bool) -> str:
    """rsc_hold from what is held."""
    return {(False, False): "none", (True, False): "local", (False, True): "foreign"}.get(
        (local, foreign), "all"
    )


def merged_hold(held: str | None, more: str) -> str:
    """What a node holds after taking ``more`` on top of ``held`` (both rsc_hold words)."""
    words = {held or "none", more}
    local = bool(words & {"local", "all"})
    foreign = bool(words & {"foreign", "all"})
    return hold_name(local, foreign)
