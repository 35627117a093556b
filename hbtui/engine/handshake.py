"""The standby / failback handshake (``ask_resources``) as a transition table.

Rules. One side gives a resource type, the other takes it:

- the giver says ``me`` (it wants to go standby) and waits (give, asked);
- the taker answers ``other`` and waits (take, answered);
- the giver releases (give, releasing), then says ``done`` (give, released);
- the taker acquires at that ``done`` (take, acquiring), then says ``done`` itself and
  is finished; the giver is finished at the taker's ``done``.

A ``me`` from the peer starts a new handshake as the taker whatever is running (the
caller ignores it while its own resources are in flux). The handshake with a peer ends
(abort) when it dies, restarts or shuts down, when we stop, and when our ``me`` has had
no answer for 10 s. Any other (state, move) pair is illegal: ``step`` raises
``HandshakeError``. Messages from the network that do not fit are ignored by the caller
(it asks ``allows`` first), as are completions of a job that belonged to an aborted
handshake.

  state \\ move     | we ask     | peer asks     | peer answers | released | peer done   | acquired
  -----------------+------------+---------------+--------------+----------+-------------+---------
  (none)           | give asked | take answered |              |          |             |
  give asked       |            | take answered | releasing    |          |             |
  give releasing   |            | take answered |              | released |             |
  give released    |            | take answered |              |          | (none)      |
  take answered    |            | take answered |              |          | acquiring   |
  take acquiring   |            | take answered |              |          |             | (none)

plus ``abort``: every state but (none) -> (none).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Our side of the handshake."""

    GIVE = "give"  # we release
    TAKE = "take"  # we acquire


class Stage(StrEnum):
    """How far the handshake got (the snapshot's ``standby``)."""

    ASKED = "asked"
    ANSWERED = "answered"
    RELEASING = "releasing"
    RELEASED = "released"
    ACQUIRING = "acquiring"


class Move(StrEnum):
    """What happens to a handshake."""

    WE_ASK = "we ask"  # we send ask_resources me
    PEER_ASKS = "peer asks"  # ask_resources me from the peer
    PEER_ANSWERS = "peer answers"  # ask_resources other
    RELEASED = "released"  # our give job finished
    PEER_DONE = "peer done"  # ask_resources done from the peer
    ACQUIRED = "acquired"  # our take job finished
    ABORT = "abort"  # the peer died, restarted or shut down; or we stop


State = tuple[Role, Stage] | None  # None: no handshake

GIVE_ASKED = (Role.GIVE, Stage.ASKED)
GIVE_RELEASING = (Role.GIVE, Stage.RELEASING)
GIVE_RELEASED = (Role.GIVE, Stage.RELEASED)
TAKE_ANSWERED = (Role.TAKE, Stage.ANSWERED)
TAKE_ACQUIRING = (Role.TAKE, Stage.ACQUIRING)

_ALWAYS: dict[Move, State] = {Move.PEER_ASKS: TAKE_ANSWERED, Move.ABORT: None}

TRANSITIONS: dict[State, dict[Move, State]] = {
    None: {Move.WE_ASK: GIVE_ASKED, Move.PEER_ASKS: TAKE_ANSWERED},
    GIVE_ASKED: {**_ALWAYS, Move.PEER_ANSWERS: GIVE_RELEASING},
    GIVE_RELEASING: {**_ALWAYS, Move.RELEASED: GIVE_RELEASED},
    GIVE_RELEASED: {**_ALWAYS, Move.PEER_DONE: None},
    TAKE_ANSWERED: {**_ALWAYS, Move.PEER_DONE: TAKE_ACQUIRING},
    TAKE_ACQUIRING: {**_ALWAYS, Move.ACQUIRED: None},
}


class HandshakeError(Exception):
    """An illegal step of the handshake (a bug: callers check ``allows`` first)."""


def allows(state: State, move: Move) -> bool:
    """Is ``move`` legal in ``state``?"""
    return move in TRANSITIONS[state]


def step(state: State, move: Move) -> State:
    """The state after ``move``; raises ``HandshakeError`` if it is illegal."""
    try:
        return TRANSITIONS[state][move]
    except KeyError:
        shown = "no handshake" if state is None else f"{state[0]} {state[1]}"
        raise HandshakeError(f"{move} is illegal in state {shown}") from None


@dataclass(slots=True)
class Standby:
    """A handshake in progress with ``peer`` over ``rsc_type`` (our point of view)."""

    role: Role
    rsc_type: str
    peer: str
    stage: Stage = Stage.ASKED

    @property
    def state(self) -> State:
        """(role, stage), the key of the transition table."""
        return (self.role, self.stage)


def advance(
    standby: Standby | None, move: Move, rsc_type: str = "", peer: str = ""
) -> Standby | None:
    """The handshake after ``move`` (a new one for ``rsc_type`` and ``peer`` when the
    move starts one); raises ``HandshakeError`` if the move is illegal."""
    after = step(None if standby is None else standby.state, move)
    if after is None:
        return None
    if standby is None or move is Move.PEER_ASKS:
        return Standby(after[0], rsc_type, peer, after[1])
    standby.stage = after[1]
    return standby
