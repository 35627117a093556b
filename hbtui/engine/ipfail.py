"""ipfail, natively: the node that sees fewer ping nodes gives its resources away.

What Heartbeat's ipfail client does, spoken over the cluster exactly as it does, so an
hbtui node and a real daemon running ipfail reach the same decision (docs/protocol.md
§12). The rules, from our side:

  event                              | we do
  -----------------------------------|----------------------------------------------
  a ping node went dead or came up   | send ``num_ping_nodes num_ping=<ours>``
  peer's ipfail joined               | send ``num_ping_nodes num_ping=<ours>``
  ``num_ping_nodes n``: ours > n     | send ``you_are_dead``
  ``num_ping_nodes n``: ours < n     | give up all, in 2 x keepalive
  ``num_ping_nodes n``: ours == n    | send ``abort_giveup``; cancel a pending giveup,
                                     | or (auto_failback on) give up foreign, delayed
  ``you_are_dead``                   | give up all, in 2 x keepalive
  ``abort_giveup``                   | cancel a pending giveup
  giveup timer, resources stable     | standby for that kind (``ask_resources`` ... me)
  giveup timer, not stable           | wait; peer stable again -> ask the counts anew

Sans-IO: time is an argument; sending and the standby go through callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hbtui.engine import hblog
from hbtui.engine import messages as m
from hbtui.engine.actions import LogLevel, WriteLog

SOURCE = "ipfail"
RECHECK_MS = 10_000  # ipfail sleeps 10 s after the peer is stable before asking again


class Giveup(StrEnum):
    """What a delayed giveup hands over (``rsc_hold`` of the standby)."""

    ALL = "all"
    FOREIGN = "foreign"


@dataclass(frozen=True, slots=True)
class IpfailView:
    """ipfail's state for ``describe``."""

    peer: str
    giveup: Giveup | None
    giveup_at_ms: int | None
    need_standby: bool
    peer_count: int | None


def say(text: str) -> WriteLog:
    """An info line in ipfail's name."""
    return WriteLog(LogLevel.INFO, text, SOURCE)


class Ipfail:
    """The decision half of ipfail for one peer (ipfail is a two-node tool)."""

    def __init__(
        self,
        peer: str,
        delay_ms: int,
        failback: bool,
        send: Callable[[m.Draft, int], None],
        emit: Callable[[WriteLog], None],
        stable: Callable[[], bool],
        standby: Callable[[str, int], bool],
    ) -> None:
        self.peer = peer
        self.delay_ms = delay_ms
        self.failback = failback
        self._send, self._emit = send, emit
        self._stable, self._standby = stable, standby
        self.giveup: Giveup | None = None
        self.giveup_at: int | None = None
        self.need_standby = False
        self.recheck_at: int | None = None
        self.peer_count: int | None = None

    # -- what we see -------------------------------------------------------------------

    def ping_dead(self, name: str, ours: int, now_ms: int) -> None:
        """A ping node stopped answering (its node and its one link went dead)."""
        self._emit(say(f"Status update: Node {name} now has status dead"))
        self._emit(say("NS: We are still alive!" if ours else "NS: We are dead. :<"))
        self._emit(say(f"Link Status update: Link {name}/{name} now has status dead"))
        if ours:
            self.ask(ours, now_ms)
            self._emit(say("Checking remote count of ping nodes."))
        else:
            self._emit(say("We are dead. :<"))
            self.ask(ours, now_ms)

    def ping_up(self, name: str, ours: int, now_ms: int) -> None:
        """A ping node answered again."""
        self._emit(say(f"Status update: Node {name} now has status ping"))
        self._emit(say("A ping node just came up."))
        self.ask(ours, now_ms)

    def ask(self, ours: int, now_ms: int) -> None:
        """Tell the peer how many ping nodes we see (it compares)."""
        self._emit(say("Asking other side for ping node count."))
        self._send(m.num_ping_nodes(self.peer, ours), now_ms)

    # -- what the peer's ipfail says ---------------------------------------------------

    def on_num_ping(self, theirs_text: str, ours: int, now_ms: int) -> None:
        """``num_ping_nodes``: compare and act."""
        try:
            theirs = int(theirs_text.strip() or "0")
        except ValueError:
            self._emit(hblog.warn(f"ipfail: bad num_ping [{theirs_text[:20]!r}] from {self.peer}"))
            return
        self.peer_count = theirs
        if ours > theirs:
            self._emit(say("Telling other node that we have more visible ping nodes."))
            self._send(m.you_are_dead(self.peer), now_ms)
        elif ours < theirs:
            self._emit(say("Giving up because we have less visible ping nodes."))
            self._delay(Giveup.ALL, now_ms)
        else:
            self._emit(say("Ping node count is balanced."))
            self._send(m.abort_giveup(self.peer), now_ms)
            if self.giveup_at is not None:
                self.abort()
            elif self.failback and self._stable():
                self._emit(say("Giving up foreign resources (auto_failback)."))
                self._delay(Giveup.FOREIGN, now_ms)

    def on_you_are_dead(self, now_ms: int) -> None:
        """The peer sees more ping nodes than we do."""
        self._emit(say("Giving up because we were told that we have less ping nodes."))
        self._delay(Giveup.ALL, now_ms)

    def abort(self) -> None:
        """``abort_giveup``, or balanced counts: no giveup after all."""
        if self.giveup_at is None:
            self._emit(say("No giveup timer to abort."))
            return
        self._emit(say("Aborted delayed giveup."))
        self.giveup, self.giveup_at = None, None

    def on_peer_stable(self, now_ms: int) -> None:
        """The peer said its resources are stable: a giveup that waited may go now."""
        if self.need_standby:
            self.recheck_at = now_ms + RECHECK_MS

    def _delay(self, kind: Giveup, now_ms: int) -> None:
        """Arm the giveup; a second one replaces the first."""
        self._emit(say(f"Delayed giveup in {self.delay_ms // 1000} seconds."))
        self.giveup, self.giveup_at = kind, now_ms + self.delay_ms

    # -- time --------------------------------------------------------------------------

    def due(self, now_ms: int, ours: int) -> None:
        """Fire the giveup or the re-check whose time came."""
        if self.giveup_at is not None and now_ms >= self.giveup_at:
            kind, self.giveup, self.giveup_at = self.giveup or Giveup.ALL, None, None
            self._emit(say("giveup() called (timeout worked)"))
            if self._stable():
                self.need_standby = False
                self._standby(kind.value, now_ms)
            else:
                self.need_standby = True
        if self.recheck_at is not None and now_ms >= self.recheck_at:
            self.recheck_at, self.need_standby = None, False
            self.ask(ours, now_ms)

    def next_deadline(self) -> int | None:
        """When ``due`` has work next."""
        times = [t for t in (self.giveup_at, self.recheck_at) if t is not None]
        return min(times, default=None)

    def describe(self) -> IpfailView:
        """The pending decision, if any."""
        return IpfailView(
            self.peer, self.giveup, self.giveup_at, self.need_standby, self.peer_count
        )
