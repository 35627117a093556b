"""Who holds which haresources group: rsc_hold, initial acquisition, takeover, failback.

Rules (docs/protocol.md §7.2-7.4; hbtui's additions marked). "Ours" = groups whose home is this
node (rsc_hold ``local``), "theirs" = the others' (``foreign``).

  input                   | condition                         | we do
  ------------------------+-----------------------------------+--------------------------------
  we go active            | no takeover in the same step      | resource none isstable=0
                          | we take over at once (initdead)   | nothing: the takeover's
                          |                                   | resource all is the first word
  peer ``starting``       | we are active                     | re-announce our rsc_hold;
                          |                                   | remember to offer its groups
  evaluate (waiting)      | a stable peer holds ours          | resource none isstable=1, wait
                          | every node heard, all hbtui, none | acquire ours now (hbtui)
                          | of them holds ours                |
                          | every live peer stable, not ours  | acquire ours
                          | initdead passed                   | acquire ours
  peer resource stable    | we hold its groups, auto_failback | ask_resources <foreign> me
                          | on/legacy, it (re)started         |
  ask_resources me (T)    | we are stable                     | ask_resources T other; wait done
                          | else (resources in flux)          | ignore it (WARN), as the daemon
  our me unanswered 10 s  |                                   | cancel our request (WARN)
  tick                    | a stable peer claims our groups   | repeat our claim every keepalive
                          | while we hold them (hbtui)        | until it stops (WARN once)
  ask_resources other (T) | we asked ``me``                   | release T, resource .. standby,
                          |                                   | ask_resources T done
                          | we did not ask                    | go standby T (peer's takeover)
  ask_resources done (T)  | we answered ``other``             | acquire, resource <hold>
                          |                                   | isstable=1, ask_resources T done
                          | we gave T                         | resource <hold> isstable=1
  resource info=shutdown  |                                   | wait: it is releasing
  shutdone                |                                   | take over every group at once
  same generation returns | it still holds its own groups     | give its groups back (hbtui)
  peer dead               | it announced shutdown             | nothing ("gave up resources")
                          | else                              | stonith n_stnth, take over all
  stop command            |                                   | resource none info=shutdown,
                          |                                   | release all (R->L), shutdone
  peer ``starting``       | we are stopping (hbtui)           | resource <what still runs>
                          |                                   | isstable=0 info=shutdown
  resource info=shutdown  | its rsc_hold is not none (hbtui)  | it still holds that: wait
  a release job ends      | a stop failed (hbtui)             | hold its group (rsc_hold, no
                          |                                   | shutdone / done), CRIT; the
                          |                                   | operator retries, clears or
                          |                                   | self-fences (``SelfFence``)

The ``ask_resources`` exchange follows the transition table of ``engine/handshake.py``;
a message that does not fit the handshake in progress is ignored. Whether a peer is
alive, and when it was heard or declared dead, is membership's (``Liveness``).
"""

from __future__ import annotations

from collections.abc import Callable

from hbtui.config.model import AutoFailback, ClusterConfig, ResourceGroup
from hbtui.engine import handshake as hs
from hbtui.engine import hblog
from hbtui.engine import messages as m
from hbtui.engine.actions import SelfFence, StopClients, WriteLog
from hbtui.engine.events import (
    Failback,
    ResourcesChanged,
    TakeoverDone,
    TakeoverPhases,
    TakeoverStarted,
)
from hbtui.engine.holdstate import (
    HOLDS_OURS,
    SWAP,
    Liveness,
    PeerRsc,
    Phase,
    StopFailure,
    hold_name,
    holder_of,
    merged_hold,
)
from hbtui.engine.resources import (
    RELEASES,
    VIP_RESOURCES,
    Emit,
    Job,
    JobKind,
    Runner,
    TakeoverReason,
    parse_vip,
)
from hbtui.engine.snapshot import GroupSnapshot, OwnershipSnapshot, VipSnapshot

ASK_MOVES = {"me": hs.Move.PEER_ASKS, "other": hs.Move.PEER_ANSWERS, "done": hs.Move.PEER_DONE}
ASK_REPLY_MS = 10000  # how long our ``me`` waits for an answer before we drop it (as the daemon)


class Ownership:
    """The rsc_hold state machine of one node; see the module rules table."""

    def __init__(
        self,
        config: ClusterConfig,
        runner: Runner,
        live: Liveness,
        send: Callable[[m.Draft, int], None],
        emit: Emit,
        pid: int = 0,
        stop_failure: StopFailure = StopFailure.HOLD,
    ) -> None:
        self.config = config
        self.stop_failure = stop_failure
        self.held: Job | None = None  # a release job whose stop failed: its groups stay ours
        self.hold_after: tuple[bool, bool] | None = None  # (local, foreign) once released
        self.reclaim_pending = False  # a peer restarted: take our groups back when idle
        self.us = config.node_name
        self.runner = runner
        self.live = live
        self.send = send
        self.emit = emit
        self.pid = pid
        # whether a peer's messages are missing (set by the node: its acceptor knows)
        self.lagging: Callable[[str], bool] = lambda peer: False
        self.groups = config.haresources.groups
        self.peers: dict[str, PeerRsc] = {p: PeerRsc() for p in config.peers}
        self.local = False
        self.foreign = False
        self.phase = Phase.WAITING
        self.initial_done = False
        self.standby: hs.Standby | None = None
        self.asked_ms = 0  # when our latest ``ask_resources me`` went out
        self.reclaim_at: dict[str, int] = {}  # peer -> when we next repeat our claim to it
        self.failback = config.ha_cf.auto_failback != AutoFailback.OFF

    @property
    def rsc_hold(self) -> str:
        """What we announce."""
        return hold_name(self.local, self.foreign)

    def groups_of(self, rsc_type: str) -> tuple[ResourceGroup, ...]:
        """Groups of a type, from our point of view."""
        return tuple(
            g
            for g in self.groups
            if rsc_type == "all" or (rsc_type == "local") == (g.node == self.us)
        )

    def _set_hold(self, local: bool, foreign: bool, now_ms: int) -> None:
        self.local, self.foreign = local, foreign
        keys = tuple(g.key for g in self.groups_of(self.rsc_hold) if self.rsc_hold != "none")
        self.emit(ResourcesChanged(now_ms, self.rsc_hold, keys))

    # -- inputs from membership ---------------------------------------------------

    def _alive_peers(self) -> list[str]:
        return [p for p in self.peers if self.live.is_alive(p)]

    def went_active(self, now_ms: int, announce: bool = True) -> None:
        """We just sent ``starting``: one announcement reaches every peer. With
        ``announce`` False a takeover follows in the same step and its own stable
        ``resource all`` is what the peers hear first, so nothing is sent here."""
        for peer, state in self.peers.items():
            state.announced = self.live.is_alive(peer)
        if announce:
            self.send(m.resource(self.rsc_hold, False), now_ms)

    def peer_returned(self, peer: str, now_ms: int) -> None:
        """``peer`` speaks again, same generation, after we declared it dead (a partition).

        hbtui: the real daemon restarts itself here. We give back the groups we took
        from it if it still holds them (each side keeps only its own: symmetric).
        """
        state = self.peers[peer]
        self.emit(hblog.partition(peer))
        if state.hold in ("local", "all") and self.foreign and self.phase is not Phase.SHUTDOWN:
            text = f"{peer} still holds its resources: giving back [foreign]"
            self.emit(WriteLog(hblog.CRIT, text))
            self._set_hold(self.local, False, now_ms)
            theirs = tuple(reversed(self.groups_of("foreign")))
            self.runner.submit(Job(JobKind.HEAL, theirs, False, peer), now_ms)

    def peer_restarted(self, peer: str, now_ms: int) -> None:
        """A new generation: forget what it held; cancel a handshake with it.

        hbtui: a new run holds nothing and acquires only its own groups, whatever its old
        run held (ours after a standby or a takeover, or a handshake it was in): so if we
        do not hold our own groups, nobody does. Take them back as soon as no job of ours
        runs (a restart within deadtime is seen as a restart, not a death).
        """
        self.peers[peer] = PeerRsc()
        self._abort_with(peer)
        self.reclaim_pending = True
        self._reclaim(now_ms)

    def _reclaim(self, now_ms: int) -> None:
        """Take our own groups back after a peer's restart, once we are idle and stable."""
        if not self.reclaim_pending:
            return
        ours = self.groups_of("local")
        if not ours or self.local or self.phase is Phase.SHUTDOWN:
            self.reclaim_pending = False
            return
        if self.phase is not Phase.STABLE or self.standby is not None or self.runner.busy:
            return  # tried again when the job that runs finishes
        self.reclaim_pending = False
        self.emit(hblog.info("the peer restarted and nobody holds our resources: taking them"))
        self.phase = Phase.ACQUIRING
        self._set_hold(True, self.foreign, now_ms)
        self.send(m.resource("local", True, "req_our_resources()"), now_ms)
        self.runner.submit(Job(JobKind.INITIAL, ours, True), now_ms)

    # -- the ask_resources handshake (engine/handshake.py) -------------------------

    @property
    def handshake(self) -> hs.State:
        """The handshake's (role, stage), None when none runs."""
        return None if self.standby is None else self.standby.state

    def _move(self, move: hs.Move, rsc_type: str = "", peer: str = "") -> hs.Standby | None:
        """Apply ``move`` to the handshake (``HandshakeError`` if illegal); the result."""
        self.standby = hs.advance(self.standby, move, rsc_type, peer)
        return self.standby

    def _abort_with(self, peer: str) -> None:
        """End the handshake with ``peer``, if one runs."""
        if self.standby is not None and self.standby.peer == peer:
            self._move(hs.Move.ABORT)

    def peer_starting(self, peer: str, now_ms: int) -> None:
        """``peer`` announced ``starting``: tell it what we hold (once per generation)."""
        self.peers[peer].offer_pending = True
        self.announce_to(peer, now_ms)

    def announce_to(self, peer: str, now_ms: int) -> None:
        """Send our rsc_hold once to a peer's new generation (at its ``starting``, or at
        its first ``active`` status should the ``starting`` be lost)."""
        state = self.peers[peer]
        if state.announced:
            return
        state.announced = True
        if self.phase is Phase.SHUTDOWN:
            # hbtui: a stopping node still tells a new generation what it runs, so the
            # peer does not start it too (the real daemon stays silent here)
            self.send(m.resource(self.still_running(), False, "shutdown"), now_ms)
            return
        self.send(m.resource(self.rsc_hold, self.phase is Phase.STABLE), now_ms)

    def still_running(self) -> str:
        """rsc_hold of the groups whose resources still run here (stopping or stuck)."""
        keys = self.runner.running
        local = any(g.key in keys for g in self.groups_of("local"))
        foreign = any(g.key in keys for g in self.groups_of("foreign"))
        return hold_name(local, foreign)

    def evaluate(self, now_ms: int, initdead_passed: bool) -> None:
        """In the waiting phase, decide the initial acquisition (rules table)."""
        if self.phase is not Phase.WAITING:
            return
        live = [self.peers[p] for p in self._alive_peers()]
        if any(p.stable and p.hold in HOLDS_OURS for p in live):
            self.send(m.resource("none", True), now_ms)
            self.emit(hblog.info("Local Resource acquisition completed. (none)"))
            self.phase = Phase.STABLE
            return
        if any(p.hold in HOLDS_OURS for p in live):
            return  # it holds ours but is not stable yet: wait for its announcement
        everyone = all(
            self.live.is_alive(name) and self.live.is_hbtui(name) and p.hold is not None
            for name, p in self.peers.items()
        )
        settled = bool(live) and all(p.stable for p in live)
        if everyone or settled or initdead_passed:
            self._acquire_ours(now_ms)

    def _acquire_ours(self, now_ms: int) -> None:
        self.phase = Phase.ACQUIRING
        self._set_hold(True, self.foreign, now_ms)
        self.send(m.resource("local", True), now_ms)
        ours = self.groups_of("local")
        for group in ours:
            for res in group.resources:
                if res.name in VIP_RESOURCES:
                    self.send(m.ip_request_resp(self.us, res.token), now_ms)
        self.send(m.resource("local", True, "req_our_resources()"), now_ms)
        self.emit(hblog.info("local resource transition completed."))
        self.emit(hblog.info("Initial resource acquisition complete (T_RESOURCES(us))"))
        if not ours:
            self.emit(hblog.no_local(self.us))
        self.runner.submit(Job(JobKind.INITIAL, ours, True), now_ms)

    def stale(self, peer: str, seq: int) -> bool:
        """hbtui: whether a ``resource`` message of ``peer`` is older (by seq) than one
        already applied (a lost one filled in by a retransmission after the peer moved on:
        its stable claim from before a standby it then gave): it would put an old hold
        back, so it changes nothing. Notes ``seq`` otherwise."""
        state = self.peers[peer]
        if seq < state.seq:
            return True
        state.seq = seq
        return False

    def caught_up(self, peer: str, now_ms: int) -> None:
        """``peer``'s missing messages all arrived: a check put off for them runs now."""
        if self.live.is_alive(peer) and self.peers[peer].stable:
            self._home_wins(peer, now_ms)

    def on_resource(
        self, peer: str, rsc_hold: str, stable: bool, info: str | None, now: int
    ) -> None:
        """A ``resource`` message from ``peer``.

        hbtui: one of a run that has said ``shutdone`` is stale (late, or a retransmission
        filled in after the peer left: a stable claim after its shutdone) and changes
        nothing; the peer's next run starts afresh (``peer_restarted``)."""
        state = self.peers[peer]
        if state.gave_up:
            return
        self.note_hold(peer, rsc_hold, info)
        if info == "shutdown":
            # it is releasing; its groups are free only at its ``shutdone`` (as the real
            # daemon takes over: acquiring here started them while the giver still ran them)
            state.stable = False
            return
        state.stable = stable or info == "mach_down"
        if stable:
            self.emit(hblog.info("remote resource transition completed."))
            self._maybe_offer(peer, now)
            self._home_wins(peer, now)

    def note_hold(self, peer: str, rsc_hold: str, info: str | None) -> None:
        """What a ``resource`` message from ``peer`` says it holds; nothing more is done
        here (a node that added itself with ``autojoin any`` only notes it, to show who
        holds what)."""
        state = self.peers[peer]
        if info == "shutdown":
            # hbtui: a rsc_hold other than none says what it still runs (a restart of ours
            # met its slow or failed stop): keep it so ``evaluate`` waits
            if rsc_hold != "none":
                state.hold = rsc_hold
        elif info == "mach_down":
            # names the groups it just took over, on top of what it held: not its whole hold
            state.hold = merged_hold(state.hold, rsc_hold)
        else:
            state.hold = rsc_hold

    def _home_wins(self, peer: str, now_ms: int) -> None:
        """hbtui: ``peer`` says, stable, that it runs its own groups while we hold them too
        (a partition that healed across its restart: neither side saw a return, so
        ``peer_returned`` never ran). Each side keeps only its own: give them back."""
        state = self.peers[peer]
        theirs = [g for g in self.groups_of("foreign") if g.node == peer]
        if self.lagging(peer):
            return  # its missing messages may take the claim back: see ``caught_up``
        if not (
            theirs
            and state.hold in ("local", "all")
            and self.foreign
            and self.phase is Phase.STABLE
            and self.standby is None
            and not self.runner.busy
        ):
            return
        text = f"{peer} runs its own resources and so do we: giving back [foreign]"
        self.emit(WriteLog(hblog.CRIT, text))
        self._set_hold(self.local, False, now_ms)
        self.runner.submit(Job(JobKind.HEAL, tuple(reversed(theirs)), False, peer), now_ms)

    def _maybe_offer(self, peer: str, now_ms: int) -> None:
        """auto_failback: offer a (re)started home node its groups once it is stable.

        The pending offer is used up at the first decision taken while we are stable, so
        a later standby/takeover never bounces back.
        """
        state = self.peers[peer]
        if not (state.offer_pending and state.stable and self.phase is Phase.STABLE):
            return
        state.offer_pending = False
        if (
            self.failback
            and self.foreign
            and self.standby is None
            and state.hold in ("none", "foreign")
        ):
            self._ask_standby("foreign", peer, now_ms)
            self.emit(Failback(now_ms, self._keys("foreign"), self.us, peer, "offered"))

    def on_ask(self, peer: str, rsc_type: str, info: str, now_ms: int) -> None:
        """An ``ask_resources`` from ``peer`` (``rsc_type`` in its point of view)."""
        move = ASK_MOVES.get(info)
        if self.phase is Phase.SHUTDOWN or rsc_type not in SWAP or move is None:
            return
        before = self.standby
        if not hs.allows(self.handshake, move):
            return  # does not fit the handshake in progress (or none runs)
        if move is hs.Move.PEER_ASKS and self.phase is not Phase.STABLE:
            # the daemon drops a ``me`` until its own acquisition has settled; for a run
            # that just started it may be addressed to the previous run, whose shutdone
            # the asker has not yet seen (the asker cancels it after ASK_REPLY_MS)
            self.emit(
                hblog.warn(
                    f"standby message [{info}] from {peer} ignored.  local resources in flux."
                )
            )
            return
        if move is hs.Move.PEER_DONE and before is not None and before.peer != peer:
            return
        if move is hs.Move.PEER_ASKS and _ours_wins(before, self.us, peer):
            self.emit(hblog.info(f"{peer} wants to go standby too: ours goes first"))
            return
        if move is hs.Move.PEER_ASKS:
            # the operator's standby is a decision: no auto_failback offer undoes it after
            self.peers[peer].offer_pending = False
            self.emit(hblog.info(f"{peer} wants to go standby [{rsc_type}]"))
            self.emit(hblog.info(f"standby: acquire [{rsc_type}] resources from {peer}"))
            self.send(m.ask_resources(rsc_type, "other"), now_ms)
            self._move(move, rsc_type, peer)
        elif move is hs.Move.PEER_ANSWERS and before is not None:
            self.emit(hblog.info(f"standby: {peer} can take our {before.rsc_type} resources"))
            self._give(before, now_ms)
        elif before is not None and before.state == hs.TAKE_ANSWERED:
            self._take(before, now_ms)
        elif before is not None and before.state == hs.GIVE_RELEASED:
            text = f"Other node completed standby takeover of {before.rsc_type} resources."
            self.emit(hblog.info(text))
            self._move(move)
            # the real daemon announces its stable state here; a real taker waits for it
            # (without it, its own shutdown is "delayed until current resource activity ends")
            self.send(m.resource(self.rsc_hold, True), now_ms)

    def standby_command(self, rsc_type: str, now_ms: int) -> bool:
        """``hb_standby [all|foreign|local]``: give ``rsc_type`` to the peer (a peer whose
        resources are in flux ignores it; ``tick`` drops it after ASK_REPLY_MS)."""
        peer = next(iter(self._alive_peers()), None)
        if peer is None or self.standby is not None or self.phase is Phase.SHUTDOWN:
            return False
        self._ask_standby(rsc_type, peer, now_ms)
        return True

    def takeover_command(self, rsc_type: str, now_ms: int) -> bool:
        """``hb_takeover [all|foreign|local]``: ask the peer to give us ``rsc_type``."""
        peer = next(iter(self._alive_peers()), None)
        if peer is None or self.standby is not None or self.phase is Phase.SHUTDOWN:
            return False
        self.send(m.hb_takeover(rsc_type), now_ms)
        return True

    def on_takeover_request(self, peer: str, rsc_type: str, now_ms: int) -> None:
        """``hb_takeover rsc_hold=T`` from ``peer``: go standby for the mirror of T
        (what the real rc.d/hb_takeover does by running hb_standby)."""
        if rsc_type in SWAP and rsc_type != "none" and self.live.is_alive(peer):
            self.standby_command(SWAP[rsc_type], now_ms)

    def _ask_standby(self, rsc_type: str, peer: str, now_ms: int) -> None:
        self.emit(hblog.info(f"{self.us} wants to go standby [{rsc_type}]"))
        self.send(m.ask_resources(rsc_type, "me"), now_ms)
        self._move(hs.Move.WE_ASK, rsc_type, peer)
        self.asked_ms = now_ms

    def _overlaps(self, peer: str) -> bool:
        """hbtui: ``peer`` says, stable, that it holds our groups while we hold them too, and
        nothing is moving (a split brain its side may not know of: see ``tick``)."""
        state = self.peers[peer]
        return (
            self.local
            and bool(self.groups_of("local"))
            and state.stable
            and state.hold in ("all", "foreign")
            and self.live.is_alive(peer)
            and self.phase is Phase.STABLE
            and self.standby is None
            and not self.runner.busy
        )

    def next_deadline(self) -> int | None:
        """When ``tick`` drops our unanswered ``me`` or repeats our claim; None if neither."""
        due = [self.asked_ms + ASK_REPLY_MS] if self.handshake == hs.GIVE_ASKED else []
        due += self.reclaim_at.values()
        return min(due, default=None)

    def tick(self, now_ms: int) -> None:
        """Timers: a ``me`` of ours still unanswered after ASK_REPLY_MS is cancelled; our
        claim is repeated every keepalive to a peer that claims our groups as well.

        hbtui: claims are sent when they change, so a claim lost to a one-way cut (the peer
        never heard us, declared us dead at initdead and took our groups) is never seen
        again once the cut heals, and both nodes keep the groups. Repeated, it reaches the
        peer at the heal, and the peer gives our groups back (``_home_wins``)."""
        if self.handshake == hs.GIVE_ASKED and now_ms >= self.asked_ms + ASK_REPLY_MS:
            self.emit(hblog.warn("No reply to standby request.  Standby request cancelled."))
            self._move(hs.Move.ABORT)
        for peer in self.peers:
            if not self._overlaps(peer):
                self.reclaim_at.pop(peer, None)
                continue
            if peer not in self.reclaim_at:
                text = f"{peer} claims our resources while we hold them: repeating our claim"
                self.emit(hblog.warn(text))
                self.reclaim_at[peer] = now_ms
            if now_ms >= self.reclaim_at[peer]:
                self.send(m.resource(self.rsc_hold, True), now_ms)
                self.reclaim_at[peer] = now_ms + self.config.ha_cf.keepalive_ms

    def _give(self, sb: hs.Standby, now_ms: int) -> None:
        self._move(hs.Move.PEER_ANSWERS)
        give = self.groups_of(sb.rsc_type)
        local = self.local and sb.rsc_type == "foreign"
        foreign = self.foreign and sb.rsc_type == "local"
        self._set_hold(local, foreign, now_ms)
        self.send(m.resource(self.rsc_hold, False, "standby"), now_ms)
        self.emit(hblog.info(f"give up {sb.rsc_type} HA resources (standby)."))
        held = tuple(g for g in give if self.runner.is_running(g.key)) or give
        self.runner.submit(Job(JobKind.GIVE, tuple(reversed(held)), False, sb.peer), now_ms)

    def _take(self, sb: hs.Standby, now_ms: int) -> None:
        self._move(hs.Move.PEER_DONE)
        mine = SWAP[sb.rsc_type]
        self.emit(hblog.info(f"acquire {mine} HA resources (standby)."))
        self._set_hold(self.local or mine != "foreign", self.foreign or mine != "local", now_ms)
        self.runner.submit(Job(JobKind.TAKE, self.groups_of(mine), True, sb.peer), now_ms)

    def on_shutdone(self, peer: str, now_ms: int) -> None:
        """``shutdone`` from ``peer``: it released everything; take its groups at once."""
        state = self.peers[peer]
        state.gave_up, state.hold, state.stable = True, "none", True
        state.offer_pending = False  # it left; its next ``starting`` brings the offer back
        self._abort_with(peer)
        self.emit_all(hblog.shutdown_notice(peer))
        if self.phase is not Phase.SHUTDOWN and self._we_take_over(peer):
            self.takeover(peer, TakeoverReason.SHUTDOWN, now_ms)

    def emit_all(self, items: list[WriteLog]) -> None:
        for item in items:
            self.emit(item)

    def peer_dead(self, peer: str, now_ms: int) -> None:
        """Membership declared ``peer`` dead (the log lines are written already)."""
        state = self.peers[peer]
        state.announced = False
        self._abort_with(peer)
        if state.gave_up or self.phase is Phase.SHUTDOWN:
            return
        self.send(m.stonith(peer), now_ms)
        if self._we_take_over(peer):
            self.takeover(peer, TakeoverReason.DEAD, now_ms)

    def taker_for(self, gone: str) -> str:
        """Who takes ``gone``'s groups: the first node of ha.cf's ``node`` line that is
        alive in our view, ``gone`` excepted (with two nodes: the survivor). hbtui: the real
        daemon's two-node resource manager has every survivor take them (docs/protocol.md
        §7.6)."""
        for name in self.config.ha_cf.nodes:
            if name != gone and (name == self.us or self.live.is_alive(name)):
                return name
        return self.us

    def _we_take_over(self, gone: str) -> bool:
        """Whether this node is ``gone``'s taker; the others say who is. A node missing
        from the node list (``autojoin any``) takes nothing over (engine/autojoin.py)."""
        if self.us not in self.config.ha_cf.nodes:
            return False
        taker = self.taker_for(gone)
        if taker != self.us:
            text = f"{taker} takes over {gone}'s resources (first alive in the node list)"
            self.emit(hblog.info(text))
        return taker == self.us

    def takeover(self, peer: str, reason: TakeoverReason, now_ms: int) -> None:
        """Acquire every group (held ones are re-checked: status before start)."""
        self.phase = Phase.ACQUIRING if not self.initial_done else self.phase
        self._set_hold(True, True, now_ms)
        self.send(m.resource("all", True, "req_our_resources()"), now_ms)
        theirs = self.groups_of("foreign")
        for group in theirs:
            self.emit(hblog.taking_over(group.key))
        keys = tuple(g.key for g in self.groups)
        self.emit(TakeoverStarted(now_ms, peer, reason.value, keys))
        self.runner.submit(Job(JobKind.TAKEOVER, self.groups, True, peer, reason), now_ms)

    def stop_command(self, now_ms: int) -> None:
        """Graceful stop: announce, release everything right to left, then shutdone."""
        if self.phase is Phase.SHUTDOWN:
            return
        self.phase = Phase.SHUTDOWN
        if self.standby is not None:
            self._move(hs.Move.ABORT)
        self.send(m.resource("none", False, "shutdown"), now_ms)
        self.emit(hblog.info(f"Heartbeat shutdown in progress. ({self.pid})"))
        self.emit(hblog.info("Giving up all HA resources."))
        self._set_hold(False, False, now_ms)
        self.runner.submit(Job(JobKind.SHUTDOWN, tuple(reversed(self.groups)), False), now_ms)

    def _keys(self, rsc_type: str) -> tuple[str, ...]:
        return tuple(g.key for g in self.groups_of(rsc_type))

    # -- what we know --------------------------------------------------------------

    def describe(self) -> OwnershipSnapshot:
        """Phase, holds, and where each group and VIP runs (as far as we know)."""
        groups: list[GroupSnapshot] = []
        vips: list[VipSnapshot] = []
        for group in self.groups:
            here = self.runner.is_running(group.key)
            groups.append(GroupSnapshot(group.key, group.node, here))
            alive = ((p, s.hold) for p, s in self.peers.items() if self.live.is_alive(p))
            holder = self.us if here else holder_of(group.node, alive)
            vips.extend(
                VipSnapshot(res.token, parse_vip(res.args).ip, holder)
                for res in group.resources
                if res.name in VIP_RESOURCES
            )
        holds = tuple((peer, state.hold) for peer, state in self.peers.items())
        stage = None if self.standby is None else self.standby.stage
        return OwnershipSnapshot(
            self.phase, self.rsc_hold, stage, holds, tuple(groups), tuple(vips)
        )

    # -- job completions ------------------------------------------------------------

    def job_finished(self, job: Job, now_ms: int) -> bool:
        """Continue after a job; True when the node may exit (graceful stop done)."""
        done = self._job_finished(job, now_ms)
        self._reclaim(now_ms)
        for peer in self._alive_peers():  # a stable claim that came while we were busy
            if self.peers[peer].stable:
                self._home_wins(peer, now_ms)
        return done

    def _job_finished(self, job: Job, now_ms: int) -> bool:
        if job.kind in RELEASES and job.stuck:
            self._hold_stuck(job, now_ms)
            return False
        if job.kind in RELEASES and self.hold_after is not None:
            self._set_hold(*self.hold_after, now_ms)
            self.hold_after = None
        if job.kind is JobKind.INITIAL:
            self.emit(hblog.info("Local Resource acquisition completed."))
            self._stable(now_ms)
        elif job.kind is JobKind.TAKEOVER:
            reason = job.reason
            assert reason is not None, "a takeover job has a reason"
            if reason is TakeoverReason.SHUTDOWN:
                self.send(m.ask_resources("all", "done"), now_ms)
                self.send(m.resource("all", True), now_ms)
            self.send(m.mach_down(), now_ms)
            self.emit(hblog.info(f"mach_down takeover complete for node {job.peer}.", "mach_down"))
            self.emit(hblog.info("mach_down takeover complete."))
            if not self.initial_done:
                self.emit(hblog.info("Initial resource acquisition complete (mach_down)"))
            known = job.peer in self.peers
            phases = TakeoverPhases(
                self.live.heard_ms(job.peer) if known else None,
                self.live.dead_ms(job.peer) if known and reason is TakeoverReason.DEAD else None,
                job.started_ms,
                job.vip_added_ms,
                now_ms,
            )
            self.emit(TakeoverDone(now_ms, job.peer, reason.value, self._keys("all"), phases))
            self._stable(now_ms)
        elif job.kind is JobKind.GIVE and hs.allows(self.handshake, hs.Move.RELEASED):
            sb = self._move(hs.Move.RELEASED)
            assert sb is not None
            self.emit(hblog.info(f"{sb.rsc_type} HA resource release completed (standby)."))
            self.emit(hblog.info(f"Local standby process completed [{sb.rsc_type}]."))
            self.send(m.ask_resources(sb.rsc_type, "done"), now_ms)
            keys = tuple(g.key for g in job.groups)
            self.emit(Failback(now_ms, keys, self.us, sb.peer, "released"))
            if self.phase is Phase.WAITING:
                # a standby before our initial acquisition decided it: the peer takes
                # what we gave (initdead must not acquire it back behind its back)
                self.initial_done = True
                self.phase = Phase.STABLE
        elif (
            job.kind is JobKind.TAKE
            and self.standby is not None
            and hs.allows(self.handshake, hs.Move.ACQUIRED)
        ):
            sb = self.standby
            self.emit(hblog.info("local HA resource acquisition completed (standby)."))
            self.emit(hblog.info(f"Standby resource acquisition done [{sb.rsc_type}]."))
            if not self.initial_done:
                self.emit(hblog.info("Initial resource acquisition complete (auto_failback)"))
            self.send(m.resource(self.rsc_hold, True), now_ms)
            self.send(m.ask_resources(sb.rsc_type, "done"), now_ms)
            keys = tuple(g.key for g in job.groups)
            self.emit(Failback(now_ms, keys, sb.peer, self.us, "acquired"))
            self._move(hs.Move.ACQUIRED)
            self._stable(now_ms)
        elif job.kind is JobKind.HEAL:
            self.send(m.resource(self.rsc_hold, True), now_ms)
        elif job.kind is JobKind.SHUTDOWN:
            self.emit(hblog.info("All HA resources relinquished."))
            self.send(m.shutdone(), now_ms)
            if self.config.ha_cf.respawn:
                self.emit(StopClients())
            self.emit(hblog.info(f"{self.us} Heartbeat shutdown complete."))
            return True
        return False

    # -- a stop that failed (hbtui) ----------------------------------------------------

    def _hold_stuck(self, job: Job, now_ms: int) -> None:
        """Keep holding the groups ``job`` could not stop; say so; self-fence if opted in."""
        self.held = job
        if self.hold_after is None:
            self.hold_after = (self.local, self.foreign)
        stuck = [g for g in self.groups if g.key in job.stuck]
        local = self.local or any(g.node == self.us for g in stuck)
        foreign = self.foreign or any(g.node != self.us for g in stuck)
        self._set_hold(local, foreign, now_ms)
        info = "shutdown" if self.phase is Phase.SHUTDOWN else None
        self.send(m.resource(self.rsc_hold, False, info), now_ms)
        tokens = ", ".join(t for ts in job.stuck.values() for t in ts)
        text = (
            f"stop failed, holding [{tokens}] ({job.kind} not finished): the peer must not"
            " take it. Retry the stop, confirm it was stopped by hand, or self-fence."
        )
        self.emit(WriteLog(hblog.CRIT, text))
        if self.stop_failure is StopFailure.REBOOT:
            self.emit(WriteLog(hblog.CRIT, "stop_failure = reboot: self-fencing now"))
            self.emit(SelfFence(f"stop failed: {tokens}"))

    def retry_stop(self, now_ms: int) -> bool:
        """Operator: stop the held groups again (False when nothing is held)."""
        job = self.held
        if job is None:
            return False
        self.held = None
        groups = tuple(g for g in job.groups if g.key in job.stuck)
        self.emit(hblog.info(f"retrying the stop of {', '.join(g.key for g in groups)}"))
        self.runner.submit(Job(job.kind, groups, False, job.peer, job.reason), now_ms)
        return True

    def stop_cleared(self) -> Job | None:
        """Operator: the held groups were stopped by hand; the job to finish now."""
        job = self.held
        if job is None:
            return None
        self.held = None
        keys = set(job.stuck)
        text = f"operator confirmed {', '.join(sorted(keys))} stopped by hand: releasing"
        self.emit(WriteLog(hblog.WARN, text))
        self.runner.cleared(keys)
        job.stuck = {}
        return job

    def _stable(self, now_ms: int) -> None:
        self.initial_done = True
        if self.phase is not Phase.SHUTDOWN:
            self.phase = Phase.STABLE
            for peer in self.peers:
                self._maybe_offer(peer, now_ms)


def _ours_wins(ours: hs.Standby | None, us: str, peer: str) -> bool:
    """Crossed ``ask_resources me`` (both operators ran hb_standby): keep our own give once
    the peer answered it, or while only asked when our name sorts first (both sides
    decide alike, so exactly one gives) (hbtui)."""
    if ours is None or ours.role is not hs.Role.GIVE:
        return False
    return ours.stage is not hs.Stage.ASKED or us < peer
