"""What a ``NodeSource`` yields: the engine's events plus a few console-side items.

The engine's events (``hbtui.engine.events``) pass through unchanged. The items here
cover what is not an engine event: an ha-log line, a fresh snapshot, the outcome of an
operator action, the node's packet counters, and (replays only) a gate that holds the
replay until a key is pressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hbtui.engine.events import Event


@dataclass(frozen=True, slots=True)
class LogLine:
    """One ha-log line; ``text`` is the whole line as the log file shows it."""

    at_ms: int
    level: str  # debug / info / WARN / ERROR / CRIT
    text: str


@dataclass(frozen=True, slots=True)
class SnapshotTaken:
    """A source's whole picture as JSON-able data: ``Node.snapshot()`` plus the config's
    extras, or what a source without an engine knows; readers decode it once with
    ``hbtui.stream.observed.read_snapshot`` into typed parts."""

    at_ms: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActionDone:
    """An operator action and what came of it (written into the log pane)."""

    at_ms: int
    node: str
    action: str
    ok: bool
    result: str


@dataclass(frozen=True, slots=True)
class PacketCounts:
    """The node's own UDP counters so far (its runtime's ``WireCounters``)."""

    at_ms: int
    sent: int
    sent_bytes: int
    received: int
    received_bytes: int

    @classmethod
    def read(cls, at_ms: int, counters: Mapping[str, Any]) -> PacketCounts:
        """From a ``WireCounters`` mapping (streamed, or a snapshot's ``runtime``)."""
        names = ("sent", "sent_bytes", "received", "received_bytes")
        return cls(at_ms, *(int(counters.get(name) or 0) for name in names))


@dataclass(frozen=True, slots=True)
class ReplayGate:
    """(replays) Hold the replay here until the operator performs ``action``."""

    at_ms: int
    action: str


SourceItem = Event | LogLine | SnapshotTaken | ActionDone | PacketCounts | ReplayGate
