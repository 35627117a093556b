"""Ping nodes: who answers our ICMP echoes, with deadping as their deadtime.

A ``ping HOST`` line is one ping node named after the host; a ``ping_group NAME H...``
line is one node, up while any of its hosts answers. A node is ``ping`` (up) from its
first answer, ``dead`` when no answer came for deadping (or, never heard, for the
longer of initdead and deadping). Heartbeat logs it like a cluster node with one link
named after itself (docs/protocol.md §12). Sans-IO: time is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hbtui.config.model import PingNode
from hbtui.engine import hblog
from hbtui.engine.actions import WriteLog


class PingState(StrEnum):
    """A ping node's status, as Heartbeat's API reports it."""

    INIT = "init"  # configured, never answered yet
    UP = "ping"
    DEAD = "dead"


# the allowed steps; anything else is a bug (docs/architecture.md §1)
STEPS: frozenset[tuple[PingState, PingState]] = frozenset(
    {
        (PingState.INIT, PingState.UP),
        (PingState.INIT, PingState.DEAD),
        (PingState.UP, PingState.DEAD),
        (PingState.DEAD, PingState.UP),
    }
)


class PingStepError(Exception):
    """A step off the table of ``STEPS``."""


@dataclass(frozen=True, slots=True)
class PingView:
    """One ping node as ``describe`` shows it."""

    name: str
    hosts: tuple[str, ...]
    state: PingState
    last_reply_ms: int | None
    since_ms: int


@dataclass(slots=True)
class _Track:
    node: PingNode
    state: PingState
    since_ms: int
    last_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A ping node changed state; ``lines`` are what Heartbeat logs for it."""

    name: str
    state: PingState
    lines: tuple[WriteLog, ...]


class PingNodes:
    """Liveness of every configured ping node."""

    def __init__(
        self, nodes: tuple[PingNode, ...], deadping_ms: int, initdead_ms: int, now_ms: int
    ) -> None:
        self.deadping_ms = deadping_ms
        self.first_ms = max(deadping_ms, initdead_ms)
        self.start_ms = now_ms
        self.tracks = {n.name: _Track(n, PingState.INIT, now_ms) for n in nodes}
        self.by_host = {h: n.name for n in nodes for h in n.hosts}

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every host to send an echo to."""
        return tuple(self.by_host)

    def restart(self, now_ms: int) -> None:
        """The node starts now: never-heard nodes are counted from here."""
        self.start_ms = now_ms
        for t in self.tracks.values():
            if t.state is PingState.INIT:
                t.since_ms = now_ms

    def _step(self, t: _Track, new: PingState, now_ms: int) -> None:
        if (t.state, new) not in STEPS:
            raise PingStepError(f"ping node {t.node.name}: {t.state.value} -> {new.value}")
        t.state, t.since_ms = new, now_ms

    def on_reply(self, host: str, now_ms: int) -> Change | None:
        """An echo reply from ``host``; a Change when its node comes up."""
        name = self.by_host.get(host)
        if name is None:
            return None
        t = self.tracks[name]
        t.last_ms = now_ms
        if t.state is PingState.UP:
            return None
        self._step(t, PingState.UP, now_ms)
        lines = (hblog.link_up(name, name), hblog.status_update(name, PingState.UP.value))
        return Change(name, PingState.UP, lines)

    def _deadline(self, t: _Track) -> int | None:
        if t.state is PingState.UP and t.last_ms is not None:
            return t.last_ms + self.deadping_ms
        if t.state is PingState.INIT:
            return self.start_ms + self.first_ms
        return None

    def due(self, now_ms: int) -> list[Change]:
        """Nodes whose deadping ran out by ``now_ms``."""
        out: list[Change] = []
        for name, t in self.tracks.items():
            deadline = self._deadline(t)
            if deadline is None or now_ms < deadline:
                continue
            was_up = t.state is PingState.UP
            self._step(t, PingState.DEAD, now_ms)
            lines = [hblog.warn(f"node {name}: is dead")]
            if was_up:
                lines.append(hblog.link_dead(name, name))
            out.append(Change(name, PingState.DEAD, tuple(lines)))
        return out

    def next_deadline(self) -> int | None:
        """When ``due`` has work next."""
        times = [d for t in self.tracks.values() if (d := self._deadline(t)) is not None]
        return min(times, default=None)

    def up_count(self) -> int:
        """How many ping nodes answer now (what ipfail compares)."""
        return sum(t.state is PingState.UP for t in self.tracks.values())

    def describe(self) -> tuple[PingView, ...]:
        """Every ping node, in ha.cf order."""
        return tuple(
            PingView(t.node.name, t.node.hosts, t.state, t.last_ms, t.since_ms)
            for t in self.tracks.values()
        )
