"""Where the console's facts come from: the ``NodeSource`` interface.

The console never opens sockets or runs a node itself: it reads one ``NodeSource``.
Implementations: ``EmbeddedSource`` (this process runs the node, ``embedded.py``),
``AttachedSource`` (a running ``hbtui node`` over its control socket, ``attach.py``),
``WatchSource`` (the real heartbeat daemon, read-only, ``watch.py``) and
``ReplaySource`` (a recorded trace, for tests, screenshots and ``--replay``,
``replay.py``), ``DemoSource`` (a node of ``hbtui demo``, ``demo_source.py``) and
``hbtui.sources.peer.PeerSource`` (a peer over SSH). The app reads several at once:
one model per node, keys act on the focused one.

Times: ``at_ms`` of items and ``now_ms()`` share the node's monotonic clock, so the
console counts deadlines down as ``deadline_ms - now_ms()``; ``wall_ms()`` turns one
into epoch milliseconds for display.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal, Protocol

from hbtui.stream.items import SourceItem

SourceMode = Literal["embedded", "attached", "watch", "replay", "demo", "peer"]

MODE_TITLES: dict[str, str] = {
    "embedded": "embedded node (this console runs the node)",
    "attached": "attached to the hbtui node service",
    "watch": "watching the real heartbeat daemon (read-only)",
    "replay": "replaying a recorded trace",
    "demo": "hbtui demo: the HOWTO cluster in namespaces on this machine",
    "peer": "a peer over SSH",
}

# the same, for an 80-column header
MODE_SHORT_TITLES: dict[str, str] = {
    "embedded": "embedded node",
    "attached": "attached",
    "watch": "watching heartbeat (read-only)",
    "replay": "replay",
    "demo": "demo",
    "peer": "peer over SSH",
}

ACTIONS: tuple[str, ...] = ("stop", "kill", "start", "standby", "takeover", "delete_uuid")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an operator action did: ``text`` is written into the log pane."""

    ok: bool
    text: str


class NodeSource(Protocol):
    """One node as the console sees it (see the module docstring)."""

    mode: SourceMode
    node_name: str
    read_only: bool
    tz: tzinfo | None  # None = local time

    def now_ms(self) -> int:
        """The node's monotonic clock now."""
        ...

    def wall_ms(self, at_ms: int) -> int:
        """Epoch milliseconds of a monotonic ``at_ms``."""
        ...

    def is_running(self) -> bool:
        """Whether the node runs (``u`` only works when it does not)."""
        ...

    def events(self) -> AsyncIterator[SourceItem]:
        """Every item from now on, in order; ends when the source closes."""
        ...

    async def snapshot(self) -> dict[str, Any]:
        """A fresh ``Node.snapshot()`` (empty when the node is not running)."""
        ...

    async def start(self) -> Outcome: ...
    async def stop(self) -> Outcome: ...
    async def kill(self) -> Outcome: ...
    async def standby(self) -> Outcome: ...
    async def takeover(self) -> Outcome: ...
    async def delete_uuid(self) -> Outcome: ...

    async def close(self) -> None:
        """Release whatever the source holds (ends ``events()``)."""
        ...


async def perform(source: NodeSource, action: str) -> Outcome:
    """Run one of ``ACTIONS`` on ``source``; a read-only source refuses politely."""
    if action not in ACTIONS:
        return Outcome(False, f"unknown action {action!r}")
    if source.read_only:
        return Outcome(
            False,
            f"{action}: refused, this console only watches the real heartbeat daemon; "
            "use its init script (/etc/init.d/heartbeat) instead",
        )
    if action == "delete_uuid" and source.is_running():
        return Outcome(False, "delete hb_uuid: refused, stop the node first (s)")
    try:
        result: Outcome = await getattr(source, action)()
    except Exception as exc:  # an action must never take the console down
        return Outcome(False, f"{action}: failed: {exc}")
    return result
