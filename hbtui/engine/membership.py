"""Who is alive: status messages, late/dead timing, restarts, the wrong-key guard.

Rules (docs/protocol.md §6; hbtui's additions marked):

- A peer is dead when no ``status`` came for its advertised ``dt`` (measured from the
  last one; dead exactly at ``last + dt``, alive at ``last + dt - 1``). A peer never heard
  since our start is dead at ``start + initdead``.
- A status arriving more than ``warntime`` after the previous one: "Late heartbeat".
- Links (docs/protocol.md §1.1): each (peer, device) has its own state. Any packet from
  the peer that is kept or is a duplicate of one already kept marks the link it came on
  up ("Link peer:dev up." when it was not); a link that carries nothing for the peer's
  ``dt`` is "dead" on its own, while the peer stays alive as long as its status messages
  come on any link. Declaring the peer dead declares its links still up dead too.
- hbtui: a peer is *evidently alive* when, within the last deadtime, at least
  ``auth_alive_threshold`` well-formed packets claiming to be from it arrived from one
  of the configured ucast addresses and failed authentication. Such a peer is never
  declared dead (so never taken over); we log one line and look again every keepalive.
  Trade-off: a spoofer on the LAN sending such packets can hold off a takeover.

Membership is the one owner of a peer's liveness: alive (heard in its current
generation, not declared dead since), when it was last heard, when it was declared
dead. Ownership asks through ``Liveness`` (``engine/holdstate.py``). The peer's
generation is the acceptor's and its uuid the stamper's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field

from hbtui.config.model import AuthKeys, ClusterConfig, HaCf
from hbtui.engine import hblog
from hbtui.engine.events import (
    AuthMismatchAlive,
    KeepaliveReceived,
    NodeStateChanged,
    PeerLate,
)
from hbtui.engine.resources import Emit
from hbtui.engine.snapshot import LinkState, PeerLiveness


@dataclass(slots=True)
class LinkLive:
    """One link (the device a peer's packets come in on)."""

    up: bool = False
    last_ms: int | None = None  # the last packet from the peer on it


@dataclass(slots=True)
class PeerLive:
    """Liveness of one peer."""

    name: str
    dt_ms: int
    status: str = "unknown"
    hbtui: bool = False
    link: str = "eth0"
    link_up: bool = False  # heard in this generation, not declared dead since: "alive"
    dead: bool = False
    last_status_ms: int | None = None  # drives the dead deadline (kept over a restart)
    heard_ms: int | None = None  # last status of this generation: the late warning
    dead_ms: int | None = None  # when this generation was declared dead
    last_seq: int = 0
    auth_failures: deque[int] = field(default_factory=deque)
    auth_warned: bool = False
    recheck_ms: int | None = None
    links: dict[str, LinkLive] = field(default_factory=dict)  # device -> state, ha.cf order


@dataclass(frozen=True, slots=True)
class Heard:
    """What a status message changed."""

    first: bool  # first status of this peer's generation (link came up)
    came_back: bool  # it had been declared dead


def auth_alive_threshold(deadtime_ms: int, keepalive_ms: int) -> int:
    """Rejected packets per deadtime that mean "alive": half the keepalive rate, >= 2."""
    return max(2, deadtime_ms // max(keepalive_ms, 1) // 2)


class Membership:
    """Peer liveness; the node turns its verdicts into actions."""

    def __init__(
        self,
        config: ClusterConfig,
        start_ms: int,
        emit: Emit,
        ucast_ips: Collection[str] | None = None,
    ) -> None:
        cf = config.ha_cf
        self.emit = emit
        self.start_ms = start_ms
        self.set_timers(cf)
        ucast = [md for md in cf.media if md.kind == "ucast"]
        self.links = {md.host: md.device for md in ucast if md.host}
        self.devices = tuple(dict.fromkeys(md.device for md in cf.media)) or ("eth0",)
        self.default_link = self.devices[0]
        hosts = {md.host for md in ucast if md.host}
        self.ucast_ips: frozenset[str] = frozenset(ucast_ips if ucast_ips is not None else hosts)
        self.peers = {
            p: PeerLive(p, cf.deadtime_ms, links={d: LinkLive() for d in self.devices})
            for p in config.peers
        }
        self.set_key(config.authkeys)

    def add_peer(self, node: str, now_ms: int | None = None) -> None:
        """A member beyond the node list (``autojoin``): one that joined at ``now_ms`` is
        dead if no status follows within deadtime; one from the host cache (``now_ms``
        None) is treated as a listed peer not heard yet (dead at initdead)."""
        if node in self.peers:
            return
        p = PeerLive(node, self.deadtime_ms, links={d: LinkLive() for d in self.devices})
        p.last_status_ms = now_ms
        self.peers[node] = p

    def set_key(self, keys: AuthKeys) -> None:
        """The key we sign with, named in the "keys differ" guard's line."""
        key = keys.active_key
        self.key_index, self.key_method = key.index, key.method.value

    def set_timers(self, cf: HaCf) -> None:
        """keepalive, warntime, deadtime and initdead from ``cf`` (at start and on SIGHUP)."""
        self.keepalive_ms = cf.keepalive_ms
        self.deadtime_ms = cf.deadtime_ms
        self.warntime_ms = cf.warntime_ms
        self.initdead_ms = cf.initdead_ms
        self.threshold = auth_alive_threshold(cf.deadtime_ms, cf.keepalive_ms)

    def link_for(self, node: str, ip: str) -> str:
        """The ha.cf device this peer is heard on."""
        return self.links.get(ip) or self.links.get(node) or self.default_link

    def on_packet(self, node: str, link: str, now_ms: int) -> None:
        """A packet from ``node`` kept (or a duplicate of a kept one) arrived on ``link``."""
        lk = self.peers[node].links.setdefault(link, LinkLive())
        lk.last_ms = now_ms
        if not lk.up:
            lk.up = True
            self.emit(hblog.link_up(node, link))

    def on_status(
        self, node: str, st: str, dt_ms: int, hbtui: bool, seq: int, link: str, now_ms: int
    ) -> Heard:
        """Record a status from ``node`` that came on ``link``; log and emit as Heartbeat
        does (``on_packet`` has already seen it)."""
        p = self.peers[node]
        first = not p.link_up
        came_back = p.dead and p.last_status_ms is not None  # never heard: not a return
        p.link = link
        p.link_up = True
        p.dead = False
        gap = None if p.heard_ms is None else now_ms - p.heard_ms
        if gap is not None and gap > self.warntime_ms:
            self.emit(hblog.late(node, gap))
            self.emit(PeerLate(now_ms, node, gap))
        if st != p.status:
            self.emit(hblog.status_update(node, st))
            self.emit(NodeStateChanged(now_ms, node, p.status, st, "status message"))
            p.status = st
        p.last_status_ms = p.heard_ms = now_ms
        p.dt_ms = dt_ms if dt_ms > 0 else self.deadtime_ms
        p.hbtui = hbtui
        p.last_seq = seq
        p.auth_warned = False
        p.recheck_ms = None
        self.emit(KeepaliveReceived(now_ms, node, p.link, gap, seq, st, self.deadline(p)))
        return Heard(first, came_back)

    def restarted(self, node: str) -> None:
        """A new generation: the link is re-announced, the late timer starts over."""
        p = self.peers[node]
        p.link_up = p.dead = False
        p.heard_ms = p.dead_ms = None
        for lk in p.links.values():
            lk.up = False

    # -- Liveness: what ownership asks ---------------------------------------------

    def is_alive(self, peer: str) -> bool:
        """Heard in its current generation and not declared dead since."""
        return self.peers[peer].link_up

    def is_hbtui(self, peer: str) -> bool:
        """Its last status carried the hbtui field."""
        return self.peers[peer].hbtui

    def heard_ms(self, peer: str) -> int | None:
        """Its last status in the current generation (None after a restart)."""
        return self.peers[peer].heard_ms

    def dead_ms(self, peer: str) -> int | None:
        """When we declared its current generation dead (None if we did not)."""
        return self.peers[peer].dead_ms

    def set_status(self, node: str, st: str, why: str, now_ms: int) -> None:
        """A status learned from another message (``shutdone st=dead``)."""
        p = self.peers[node]
        if st != p.status:
            self.emit(NodeStateChanged(now_ms, node, p.status, st, why))
            p.status = st

    def deadline(self, p: PeerLive) -> int:
        """When ``p`` is dead unless it speaks."""
        if p.last_status_ms is None:
            return self.start_ms + self.initdead_ms
        return p.last_status_ms + p.dt_ms

    def next_deadline(self) -> int | None:
        """The earliest liveness decision still to make."""
        times = [
            p.recheck_ms if p.recheck_ms is not None else self.deadline(p)
            for p in self.peers.values()
            if not p.dead
        ]
        times += [
            lk.last_ms + p.dt_ms
            for p in self.peers.values()
            for lk in p.links.values()
            if lk.up and lk.last_ms is not None
        ]
        return min(times, default=None)

    def dead_links(self, now_ms: int) -> list[tuple[str, str]]:
        """(peer, device) of every link silent for the peer's ``dt``: now marked dead."""
        found = []
        for p in self.peers.values():
            for name, lk in p.links.items():
                if lk.up and lk.last_ms is not None and now_ms >= lk.last_ms + p.dt_ms:
                    lk.up = False
                    found.append((p.name, name))
        return found

    def on_auth_failure(self, node: str, ip: str, now_ms: int) -> None:
        """A packet claiming to be from ``node`` failed authentication."""
        p = self.peers.get(node)
        if p is None or (self.ucast_ips and ip not in self.ucast_ips):
            return
        p.auth_failures.append(now_ms)
        self._trim(p, now_ms)

    def _trim(self, p: PeerLive, now_ms: int) -> None:
        while p.auth_failures and p.auth_failures[0] <= now_ms - self.deadtime_ms:
            p.auth_failures.popleft()

    def auth_alive(self, node: str, now_ms: int) -> bool:
        """hbtui's guard: is ``node`` evidently alive behind a key mismatch?"""
        p = self.peers[node]
        self._trim(p, now_ms)
        return len(p.auth_failures) >= self.threshold

    def due(self, now_ms: int) -> list[str]:
        """Peers to declare dead now (the wrong-key guard applied)."""
        dead = []
        for name, p in self.peers.items():
            if p.dead or now_ms < self.deadline(p):
                continue
            if p.recheck_ms is not None and now_ms < p.recheck_ms:
                continue
            if self.auth_alive(name, now_ms):
                if not p.auth_warned:
                    index, method = self.key_index, self.key_method
                    self.emit(hblog.auth_alive(name, index, method))
                    count = len(p.auth_failures)
                    self.emit(AuthMismatchAlive(now_ms, name, index, method, count))
                    p.auth_warned = True
                p.recheck_ms = now_ms + self.keepalive_ms
                continue
            dead.append(name)
        return dead

    def describe(self, now_ms: int | None) -> tuple[PeerLiveness, ...]:
        """Every peer's liveness (``remaining_ms`` only when ``now_ms`` is given)."""
        out = []
        for p in self.peers.values():
            deadline = None if p.dead else self.deadline(p)
            remaining = None if deadline is None or now_ms is None else deadline - now_ms
            links = tuple(LinkState(n, lk.up, lk.last_ms) for n, lk in p.links.items())
            live = PeerLiveness(
                p.name, p.status, p.hbtui, p.link, p.link_up, p.last_status_ms, p.dt_ms,
                deadline, remaining, len(p.auth_failures), links,
            )  # fmt: skip
            out.append(live)
        return tuple(out)

    def mark_dead(self, node: str, why: str, now_ms: int) -> list[str]:
        """Declare ``node`` dead; the links that were still up (now dead too)."""
        p = self.peers[node]
        p.dead = True
        p.dead_ms = now_ms
        p.recheck_ms = None
        p.link_up = False
        were_up = [name for name, lk in p.links.items() if lk.up]
        for name in were_up:
            p.links[name].up = False
        self.emit(NodeStateChanged(now_ms, node, p.status, "dead", why))
        p.status = "dead"
        return were_up
