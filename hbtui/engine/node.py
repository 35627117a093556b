"""``Node``: the one stateful core. Datagrams, ticks, commands and completions go in
with the time; actions (``hbtui.engine.actions``) and events (``hbtui.engine.events``)
come out, in order. No sockets, no clock, no files (docs/architecture.md §1).

The runtime arms one timer at ``next_deadline()`` and calls ``tick`` then.
"""

from __future__ import annotations

import dataclasses
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hbtui.config.model import AuthKeys, AutoFailback, ClusterConfig
from hbtui.engine import hblog
from hbtui.engine import messages as m
from hbtui.engine.actions import (
    Action,
    DelVip,
    Exit,
    ScriptResult,
    SelfFence,
    Send,
    VipResult,
    WriteHostcache,
    WriteLog,
)
from hbtui.engine.autojoin import NULL_UUID, Joiner
from hbtui.engine.events import (
    Event,
    NodeJoined,
    NodeStateChanged,
    PacketRejected,
    PeerDead,
    PeerRestarted,
)
from hbtui.engine.holdstate import Phase, StopFailure
from hbtui.engine.membership import Membership
from hbtui.engine.ownership import Ownership
from hbtui.engine.pingwatch import IPFAIL_TYPES, PingWatch
from hbtui.engine.resources import VIP_RESOURCES, Job, JobKind, Runner, parse_vip
from hbtui.engine.snapshot import NodeSnapshot, assemble
from hbtui.engine.status import NodeStatus, next_status
from hbtui.wire.accept import Acceptor, Reason, Verdict
from hbtui.wire.message import Message
from hbtui.wire.packet import PacketRejected as WirePacketRejected
from hbtui.wire.packet import split
from hbtui.wire.rexmit import Nak, RexmitScheduler, nak_message

DT_STARTUP_EXTRA_MS = 2000  # advertised dt is deadtime + this ...
DT_STARTUP_PERIOD_MS = 5000  # ... for this long after start (docs/protocol.md §6)
AUTH_REASONS = (Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY_INDEX)
# what a node that joined (autojoin) sends about haresources: not for us (engine/autojoin.py)
RESOURCE_TYPES = ("resource", "ask_resources", "hb_takeover", "starting")

Output = Action | Event


class Command(StrEnum):
    """Operator commands (``kill`` is not the engine's business)."""

    STANDBY = "standby"
    TAKEOVER = "takeover"
    STOP = "stop"
    RETRY_STOP = "retry-stop"  # a stop failed: run it again (hbtui)
    STOP_CLEARED = "stop-cleared"  # a stop failed: the operator stopped it by hand (hbtui)
    SELF_FENCE = "self-fence"  # reboot this machine now (hbtui, operator's choice)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who we are on the wire: hb_uuid bytes and this run's generation (already +1)."""

    uuid: bytes
    generation: int


def _hex(field: str | None) -> int:
    """A hex field of a message (``ts``), 0 when absent or not hex."""
    try:
        return int(field or "0", 16)
    except ValueError:
        return 0


def ack_trigger(node: str) -> int:
    """Which seq digit we acknowledge for ``node`` (the real daemon draws it at random)."""
    return zlib.crc32(node.encode()) % 10


class Node:
    """A Heartbeat 3.0.6-compatible node as a pure state machine."""

    def __init__(
        self,
        config: ClusterConfig,
        identity: Identity,
        now_ms: int,
        *,
        wall_offset_ms: int = 0,
        pid: int = 0,
        ucast_ips: Iterable[str] | None = None,
        stop_failure: StopFailure = StopFailure.HOLD,
        probe_at_start: bool = False,
        known_nodes: Iterable[tuple[str, bytes]] = (),
    ) -> None:
        """``known_nodes``: the host cache's (name, uuid) pairs; with ``autojoin other|any``
        the names the node list lacks are members again (engine/autojoin.py)."""
        self.config = config
        self.cf = config.ha_cf
        self.us = config.node_name
        self.identity = identity
        self.created_ms = now_ms
        self.start_ms = now_ms
        self._out: list[Output] = []
        self.stamper = m.Stamper(
            self.us,
            identity.uuid,
            identity.generation,
            config.authkeys,
            wall_offset_ms,
            self.cf.msgfmt,
            self.cf.compression,
            str(len(self.cf.nodes) + len(self.cf.ping_nodes) + self.cf.hopfudge),
        )
        self.acceptor = Acceptor(self.us, self.cf.nodes, config.authkeys, identity.uuid)
        self.rexmit = RexmitScheduler()
        self.runner = Runner(config.config_dir, self._emit, self._job_finished)
        self.members = Membership(
            config, now_ms, self._emit, None if ucast_ips is None else list(ucast_ips)
        )
        self.owner = Ownership(
            config, self.runner, self.members, self._send, self._emit, pid, stop_failure
        )
        self.owner.lagging = lambda peer: bool(self.acceptor.missing(peer))
        self.pings = PingWatch(
            config, now_ms, self._send, self._emit, self._resources_stable, self._giveup
        )
        self.probe_at_start = probe_at_start
        self.status = NodeStatus.INIT
        self.started = False
        self.exited = False
        self.next_status_ms: int | None = None
        self.cleanup_ids: set[int] = set()
        self.logged_rejects: set[tuple[Reason, str]] = set()
        self.debug_level = self.cf.debug  # ha.cf ``debug``; the runtime moves it on signals
        self.joiner = Joiner(self.cf.autojoin, self.cf.nodes, self.us)
        self.refused_joins: set[tuple[str, str]] = set()
        for name, raw in known_nodes if self.joiner.enabled else ():
            if self.joiner.refusal(name) is None:
                self._admit(name, raw if raw != NULL_UUID else None, None)

    # -- plumbing ----------------------------------------------------------------------

    def _emit(self, item: Output) -> None:
        if isinstance(item, WriteLog) and not hblog.wanted(item, self.debug_level):
            return
        self._out.append(item)

    def set_debug(self, level: int) -> None:
        """The debug level from now on (SIGUSR1/SIGUSR2, a reread ha.cf)."""
        self.debug_level = level

    def _send(self, draft: m.Draft, now_ms: int) -> None:
        _, datagram = self.stamper.stamp(draft, now_ms)
        self._out.append(Send(datagram, None, draft.type))

    def _flush(self) -> list[Output]:
        out, self._out = self._out, []
        return out

    def _resources_stable(self) -> bool:
        """ipfail's "stable": no acquisition, handshake or script running here."""
        owner = self.owner
        return owner.phase is Phase.STABLE and owner.standby is None and not self.runner.busy

    def _giveup(self, rsc_type: str, now_ms: int) -> bool:
        """ipfail's giveup: the standby ``hb_standby`` would ask for (none from a node that
        added itself: it holds nothing)."""
        return not self.joiner.self_added and self.owner.standby_command(rsc_type, now_ms)

    def set_timers(self, config: ClusterConfig) -> None:
        """SIGHUP: ``config``'s timers from now on (the caller keeps everything else the same)."""
        self.config, self.cf = config, config.ha_cf
        self.members.set_timers(config.ha_cf)

    def set_keys(self, keys: AuthKeys) -> None:
        """SIGHUP with a changed authkeys: sign with its ``auth`` key from now on and accept
        every key it lists (the trailer names the key it was signed with), so two nodes are
        rotated one after the other without a failed packet (docs/protocol.md §3)."""
        self.config = dataclasses.replace(self.config, authkeys=keys)
        self.stamper.keys = keys
        self.acceptor.keys = keys
        self.members.set_key(keys)

    def set_loadavg(self, text: str) -> None:
        """The first five tokens of /proc/loadavg, sent as ``ld``."""
        self.stamper.loadavg = " ".join(text.split()[:5])

    def advertised_dt(self, now_ms: int) -> int:
        """Our ``dt``: deadtime, plus 2 s during the first 5 s."""
        extra = DT_STARTUP_EXTRA_MS if now_ms - self.start_ms < DT_STARTUP_PERIOD_MS else 0
        return self.cf.deadtime_ms + extra

    def _admit(self, name: str, raw_uuid: bytes | None, now_ms: int | None) -> None:
        """Make ``name`` a member beyond the node list (joined at ``now_ms``, or from the
        host cache when None)."""
        self.joiner.add(name)
        self.acceptor.add_node(name)
        self.members.add_peer(name, now_ms)
        if raw_uuid is not None:
            self.stamper.learn_uuid(name, raw_uuid)

    def _rsc(self, node: str) -> bool:
        """Whether ``node`` and this node share haresources: both on the node list. A joined
        node, or this node when it added itself (``autojoin any``), takes no part."""
        return node in self.owner.peers and not self.joiner.self_added

    def _write_hostcache(self) -> None:
        """Every member with the uuid last heard (ours for us), as the daemon keeps it."""
        ours = {self.us: self.identity.uuid}
        nodes = tuple(
            (n, ours.get(n) or self.stamper.uuid_of(n) or NULL_UUID) for n in self.joiner.nodes()
        )
        self._emit(WriteHostcache(nodes))

    def _join(self, msg: Message, addr: tuple[str, int], now_ms: int) -> bool:
        """An authenticated packet from a name the node list lacks: with ``autojoin
        other|any`` it joins (the packet is consumed); False leaves it rejected."""
        name = msg.get("src") or ""
        raw = msg.get_bytes("srcuuid")
        refusal = self.joiner.refusal(name)
        holder = next((n for n, u in self.stamper.uuids.items() if u == raw and n != name), None)
        if refusal is None and raw is not None and holder is not None:
            refusal = f"its uuid is {holder}'s (a renamed node?)"  # hbtui
        if refusal is not None:
            if (refusal, name) not in self.refused_joins and refusal != "already a member":
                self.refused_joins.add((refusal, name))  # hbtui: once per name and reason
                self._emit(hblog.warn(f"autojoin: node [{name[:64]}] not added: {refusal}"))
            return False
        self._admit(name, raw, now_ms)
        self._emit(hblog.info(f"process_clustermsg: Adding new node [{name}] to configuration."))
        self._emit(NodeJoined(now_ms, name, addr, raw.hex() if raw is not None else None))
        self._write_hostcache()
        return True

    def _set_status(self, st: NodeStatus, why: str, now_ms: int) -> None:
        """Step to ``st`` (``NodeStatusError`` off the table of ``engine/status.py``)."""
        new = next_status(self.status, st)
        self._emit(NodeStateChanged(now_ms, self.us, self.status.value, new.value, why))
        self.status = new

    # -- inputs ------------------------------------------------------------------------

    def start(self, now_ms: int, present_vips: Iterable[str] = ()) -> list[Output]:
        """Begin: remove VIPs we do not own yet (hbtui), then status init and up."""
        self.start_ms = self.members.start_ms = now_ms
        self.started = True
        raw = self.identity.uuid
        self._emit(hblog.uuid_is(str(uuid.UUID(bytes=raw)) if len(raw) == 16 else raw.hex()))
        if self.cf.auto_failback == AutoFailback.LEGACY:
            self._emit(hblog.warn("Deprecated 'legacy' auto_failback option selected."))
        if self.joiner.self_added:
            self._emit(hblog.info(f"Current node [{self.us}] added to configuration."))
        if self.joiner.enabled:
            self._write_hostcache()
        present = set(present_vips)
        for group in self.config.haresources.groups:
            for res in group.resources:
                vip = parse_vip(res.args) if res.name in VIP_RESOURCES else None
                if vip is None or vip.ip not in present:
                    continue
                rid = self.runner.reserve_id()
                self.cleanup_ids.add(rid)
                text = f"{vip.ip} is on this node before we own it: removing it before joining"
                self._emit(hblog.warn(text))
                self._emit(DelVip(rid, res.token, vip.ip, vip.prefix, vip.device))
        if self.probe_at_start:
            # hbtui: a start cut short (crash) left a script running: stop what says so
            self.runner.submit(Job(JobKind.PROBE, self.config.haresources.groups, False), now_ms)
        self._send(m.status("init", self.advertised_dt(now_ms)), now_ms)
        self._send(m.status("up", self.advertised_dt(now_ms)), now_ms)
        self._set_status(NodeStatus.UP, "start", now_ms)
        self._emit(hblog.local_status("up"))
        for device in self.members.devices:
            self._emit(hblog.link_up(self.us, device))
        self.next_status_ms = now_ms + self.cf.keepalive_ms
        self.pings.start(now_ms)
        self.pings.keepalive()
        return self._flush()

    def tick(self, now_ms: int) -> list[Output]:
        """Timers: our keepalive, retransmission requests, retries, dead peers."""
        if not self.started or self.exited:
            return []
        if self.next_status_ms is not None and now_ms >= self.next_status_ms:
            self._send(m.status(self.status.value, self.advertised_dt(now_ms)), now_ms)
            self.next_status_ms += self.cf.keepalive_ms
            if self.next_status_ms <= now_ms:
                self.next_status_ms = now_ms + self.cf.keepalive_ms
            self.pings.keepalive()
        for req in self.rexmit.due(now_ms):
            self._send(m.ns_rexmit(req.node, req.first, req.last), now_ms)
        self.runner.tick(now_ms)
        self.owner.tick(now_ms)
        self._check_dead(now_ms)
        self.pings.tick(now_ms)
        self._evaluate(now_ms)
        return self._flush()

    def ping_reply(self, host: str, now_ms: int) -> list[Output]:
        """An ICMP echo reply from ping host ``host``."""
        if not self.started or self.exited:
            return []
        self.pings.reply(host, now_ms)
        return self._flush()

    def _initdead_passed(self, now_ms: int) -> bool:
        return now_ms >= self.start_ms + self.cf.initdead_ms

    def _go_active(self, now_ms: int, announce: bool = True) -> None:
        if self.status is NodeStatus.ACTIVE or self.owner.phase is Phase.SHUTDOWN:
            return
        self._emit(hblog.comm_now_up())
        self._emit(hblog.local_status("active"))
        self._set_status(NodeStatus.ACTIVE, "communication up", now_ms)
        self._send(m.status("active", self.advertised_dt(now_ms)), now_ms)
        self._send(m.starting(), now_ms)
        self.owner.went_active(now_ms, announce)

    def _check_dead(self, now_ms: int) -> None:
        dead = self.members.due(now_ms)
        for node in dead:
            self._emit(hblog.warn(f"node {node}: is dead"))
        if self._initdead_passed(now_ms):
            # a peer found dead here that we take over from: the takeover's stable
            # ``resource all`` must be the first resource message peers see from us (as
            # the recording has it, docs/protocol.md §7.3). An unstable ``none`` first
            # would let a peer starting in this same ms acquire its groups as well.
            takeover = any(
                self._rsc(n)
                and not self.owner.peers[n].gave_up
                and self.owner.taker_for(n) == self.us
                for n in dead
            )
            self._go_active(now_ms, announce=not takeover)
        for node in dead:
            peer = self.members.peers[node]
            last = peer.last_status_ms
            links_were_up = self.members.mark_dead(node, "deadtime", now_ms)
            rsc = self._rsc(node)
            gave_up = rsc and self.owner.peers[node].gave_up
            self._emit(PeerDead(now_ms, node, last, peer.dt_ms, gave_up))
            self.rexmit.forget(node)
            if gave_up:
                self._emit(hblog.gave_up(node))
            elif rsc and self.owner.phase is not Phase.SHUTDOWN:
                for line in hblog.no_stonith(node):
                    self._emit(line)
            for link in links_were_up:
                self._emit(hblog.link_dead(node, link))
            if rsc:
                self.owner.peer_dead(node, now_ms)
        for node, link in self.members.dead_links(now_ms):
            self._emit(hblog.link_dead(node, link))

    def _evaluate(self, now_ms: int) -> None:
        if self.status is NodeStatus.ACTIVE:
            self.owner.evaluate(now_ms, self._initdead_passed(now_ms))

    def feed(
        self, datagram: bytes, addr: tuple[str, int], now_ms: int, link: str | None = None
    ) -> list[Output]:
        """One received datagram; ``link`` is the device it came in on (None: the ucast
        medium whose host is ``addr``, else the first medium)."""
        if not self.started or self.exited:
            return []
        verdict = self.acceptor.accept(datagram, addr)
        if (
            verdict.reason is Reason.UNKNOWN_SENDER
            and verdict.message is not None
            and self.joiner.enabled
            and self._join(verdict.message, addr, now_ms)
        ):
            return self._flush()
        node = verdict.node
        if node is not None and node != self.us:
            self._track(node, verdict, now_ms)
        if node in self.members.peers and (verdict.ok or verdict.duplicate):
            # a copy that came on a second link is dropped below, but that link is up
            link = link or self.members.link_for(node, addr[0])
            self.members.on_packet(node, link, now_ms)
        if not verdict.ok or verdict.message is None or node is None:
            self._rejected(datagram, addr, verdict, now_ms)
        else:
            self._dispatch(node, verdict, verdict.message, addr, now_ms, link)
            if verdict.gap_filled and self._rsc(node):
                self.owner.caught_up(node, now_ms)
        self._evaluate(now_ms)
        return self._flush()

    def _track(self, node: str, verdict: Verdict, now_ms: int) -> None:
        """Restart and sequence bookkeeping for every tracked message (the acceptor
        keeps the generation; the verdict carries what it parsed)."""
        if verdict.restarted and verdict.generation is not None:
            self._emit(hblog.restart(node))
            self._emit(PeerRestarted(now_ms, node, verdict.previous_generation, verdict.generation))
            self.members.restarted(node)
            if self._rsc(node):
                self.owner.peer_restarted(node, now_ms)
            self.rexmit.forget(node)
        if verdict.missing:
            last, seq = verdict.missing[0] - 1, verdict.missing[-1] + 1
            self._emit(hblog.lost(node, last, seq))
            # half max_rexmit_delay: the daemon draws its wait at random (docs/protocol.md §5.5)
            delay = self.cf.max_rexmit_delay_ms // 2
            self.rexmit.on_missing(node, verdict.missing, now_ms, delay)
        if verdict.seq is not None:
            self.rexmit.on_arrived(node, verdict.seq)
        if verdict.gap_filled:
            self._emit(hblog.none_missing(node))

    def _rejected(
        self, datagram: bytes, addr: tuple[str, int], verdict: Verdict, now_ms: int
    ) -> None:
        reason = verdict.reason
        if reason is None or reason in (Reason.FROM_SELF, Reason.NOT_FOR_US):
            return
        if reason is Reason.DUPLICATE_SEQ:
            self._emit(hblog.duplicate_packet())
        claimed = verdict.node
        if reason in AUTH_REASONS:
            claimed = _claimed_src(datagram)
            if claimed is not None:
                self.members.on_auth_failure(claimed, addr[0], now_ms)
        if (reason, addr[0]) not in self.logged_rejects and reason is not Reason.DUPLICATE_SEQ:
            self.logged_rejects.add((reason, addr[0]))
            if reason in AUTH_REASONS:
                self._emit(hblog.auth_failed(addr[0], verdict.detail))
            else:
                self._emit(hblog.warn(f"dropped a packet from {addr[0]}: {verdict.detail}"))
        self._emit(PacketRejected(now_ms, reason.value, addr, verdict.detail, claimed))

    def _dispatch(
        self,
        node: str,
        verdict: Verdict,
        msg: Message,
        addr: tuple[str, int],
        now_ms: int,
        link: str | None = None,
    ) -> None:
        mtype = msg.type or ""
        self._emit(hblog.clustermsg(node))
        srcuuid = msg.get_bytes("srcuuid")
        if srcuuid is not None:
            self.stamper.learn_uuid(node, srcuuid)
        seq = verdict.seq or 0
        if mtype in RESOURCE_TYPES and not self._rsc(node):
            text = f"ignored {mtype} from {node}: a joined node takes no part in haresources"
            self._emit(hblog.debug(text))  # hbtui
            if mtype == "resource" and node in self.owner.peers:  # we added ourselves
                self.owner.note_hold(node, msg.get("rsc_hold") or "none", msg.get("info"))
        elif mtype == "resource" and self.owner.stale(node, seq):
            text = f"ignored a late {mtype} from {node} (seq {seq}): a newer one was applied"
            self._emit(hblog.debug(text))  # hbtui
        elif mtype == "status":
            self._on_status(node, msg, seq, link or self.members.link_for(node, addr[0]), now_ms)
        elif mtype == "starting":
            self.owner.peer_starting(node, now_ms)
        elif mtype == "reqnodes":
            self._emit(hblog.got_reqnodes(node))
            self._send(m.repnodes(node, self.joiner.nodes()), now_ms)
        elif mtype == "resource":
            stable = msg.get("isstable") == "1"
            hold = msg.get("rsc_hold") or "none"
            self.owner.on_resource(node, hold, stable, msg.get("info"), now_ms)
        elif mtype == "ask_resources":
            hold = msg.get("rsc_hold") or "all"
            self.owner.on_ask(node, hold, msg.get("info") or "", now_ms)
        elif mtype == "hb_takeover":
            self.owner.on_takeover_request(node, msg.get("rsc_hold") or "all", now_ms)
        elif mtype == "shutdone":
            self.members.set_status(node, msg.get("st") or "dead", "shutdone", now_ms)
            if self._rsc(node):
                self.owner.on_shutdone(node, now_ms)
        elif mtype == "NS_rexmit":
            self._answer_rexmit(node, msg, now_ms)
        if mtype in IPFAIL_TYPES or mtype == "resource":
            self.pings.on_message(node, msg, now_ms)
        if seq and seq % 10 == ack_trigger(node) and not self.acceptor.missing(node):
            self._send(m.ns_ackmsg(node, seq), now_ms)

    def _on_status(self, node: str, msg: Message, seq: int, link: str, now_ms: int) -> None:
        try:
            dt = int(msg.get("dt") or "0", 16)
        except ValueError:
            dt = 0
        st = msg.get("st") or "active"
        hbtui = msg.get(m.HBTUI_FIELD) is not None
        changed = st != self.members.peers[node].status
        heard = self.members.on_status(node, st, dt, hbtui, seq, link, now_ms)
        if changed:
            self._emit(hblog.status_seqno(seq, _hex(msg.get("ts"))))
        rsc = self._rsc(node)
        if rsc and st == "active" and self.status is NodeStatus.ACTIVE:
            self.owner.announce_to(node, now_ms)
        if rsc and heard.came_back:
            self.owner.peer_returned(node, now_ms)
        if heard.first and self.status is NodeStatus.ACTIVE:
            # a (re)started peer goes active on our first status: send it now, not up to
            # one keepalive later (the failback waits for it)
            self._send(m.status(self.status.value, self.advertised_dt(now_ms)), now_ms)
        if heard.first:
            self._emit(hblog.sending_reqnodes(node))
            self._send(m.reqnodes(node), now_ms)
        if self.status is not NodeStatus.ACTIVE:
            self._go_active(now_ms)

    def _answer_rexmit(self, node: str, msg: Message, now_ms: int) -> None:
        try:
            first = int(msg.get("firstseq") or "0", 16)
            last = int(msg.get("lastseq") or "0", 16)
        except ValueError:
            return
        self._emit(hblog.rexmit_request(node, first, last))
        for item in self.stamper.history.on_rexmit_request(first, last, now_ms):
            if isinstance(item, Nak):
                self._send(m.draft_of(nak_message(node, item), node), now_ms)
            else:
                self._emit(hblog.retransmitting(item.seq))
                self._out.append(Send(item.datagram, None, "rexmit"))

    def command(self, cmd: Command | str, now_ms: int, arg: str = "all") -> list[Output]:
        """``standby [all|foreign|local]``, ``takeover [...]``, ``stop`` (graceful), and
        after a failed stop ``retry-stop``, ``stop-cleared`` or ``self-fence``."""
        if not self.started or self.exited:
            return []
        cmd = Command(cmd)
        arg = "foreign" if arg == "failback" else arg  # as hb_standby/hb_takeover take it
        if cmd is Command.RETRY_STOP and not self.owner.retry_stop(now_ms):
            self._emit(hblog.warn("retry-stop refused: no failed stop is pending"))
        elif cmd is Command.STOP_CLEARED:
            job = self.owner.stop_cleared()
            if job is None:
                self._emit(hblog.warn("stop-cleared refused: no failed stop is pending"))
            else:
                self._job_finished(job, now_ms)
        elif cmd is Command.SELF_FENCE:
            self._emit(WriteLog(hblog.CRIT, "operator asked to self-fence: rebooting"))
            self._emit(SelfFence("operator command"))
        elif cmd is Command.STOP:
            self._emit(hblog.initiate_shutdown())
            self.owner.stop_command(now_ms)
        elif cmd in (Command.STANDBY, Command.TAKEOVER) and self.joiner.self_added:
            text = f"{cmd} [{arg}] refused: this node is not on the node line (autojoin any)"
            self._emit(hblog.warn(text))  # hbtui: it holds no haresources group
        elif cmd is Command.STANDBY and not self.owner.standby_command(arg, now_ms):
            self._emit(hblog.warn(f"standby [{arg}] refused: no peer or a handshake running"))
        elif cmd is Command.TAKEOVER and not self.owner.takeover_command(arg, now_ms):
            self._emit(hblog.warn(f"takeover [{arg}] refused: no peer or a handshake running"))
        return self._flush()

    def script_done(self, request_id: int, result: ScriptResult, now_ms: int) -> list[Output]:
        """A ``RunScript`` finished."""
        self.runner.script_done(request_id, result, now_ms)
        self._evaluate(now_ms)
        return self._flush()

    def vip_done(self, request_id: int, result: VipResult, now_ms: int) -> list[Output]:
        """An ``AddVip``/``DelVip`` finished."""
        if request_id in self.cleanup_ids:
            self.cleanup_ids.discard(request_id)
            if not result.ok:
                self._emit(WriteLog(hblog.ERROR, f"could not remove a stale VIP: {result.detail}"))
        else:
            self.runner.vip_done(request_id, result, now_ms)
        return self._flush()

    def _job_finished(self, job: Job, now_ms: int) -> None:
        if self.owner.job_finished(job, now_ms):
            self.exited = True
            self._emit(Exit("graceful stop complete"))

    # -- queries -----------------------------------------------------------------------

    def next_deadline(self) -> int | None:
        """The earliest time ``tick`` has work; None when nothing is scheduled."""
        if not self.started or self.exited:
            return None
        times = [
            t
            for t in (
                self.next_status_ms,
                self.rexmit.next_deadline(),
                self.runner.next_deadline(),
                self.owner.next_deadline(),
                self.members.next_deadline(),
                self._initdead_deadline(),
                self.pings.next_deadline(),
            )
            if t is not None
        ]
        return min(times, default=None)

    def _initdead_deadline(self) -> int | None:
        """Going active at initdead is pending (not once active or stopping)."""
        if self.status is NodeStatus.ACTIVE or self.owner.phase is Phase.SHUTDOWN:
            return None
        return self.start_ms + self.cf.initdead_ms

    def describe(self, now_ms: int | None = None) -> NodeSnapshot:
        """The typed picture of the node (``engine/snapshot.py``)."""
        return assemble(self, now_ms)

    def snapshot(self, now_ms: int | None = None) -> dict[str, Any]:
        """A JSON-able picture of the node for ``hbtui status`` and the console."""
        return self.describe(now_ms).to_dict()


def _claimed_src(datagram: bytes) -> str | None:
    """The ``src`` of a datagram that failed authentication (decoded, not trusted)."""
    try:
        msg, _, _ = split(datagram)
    except WirePacketRejected:
        return None
    return msg.get("src")
