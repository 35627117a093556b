"""Engine test kit: configs built in memory, a FakeClock, and a simulated cluster.

``Cluster`` joins engines over a fake link (latency, drop and hold-back filters) and
plays the runtime: it answers ``RunScript`` / ``AddVip`` / ``DelVip`` at once, keeps
each node's VIPs, logs and script calls, and drives every node's ``next_deadline``.
Everything runs in simulated milliseconds; nothing sleeps.

Optional faults (off by default): ``duplicates`` sends extra copies of a datagram, and
``script_delay`` makes resource scripts answer later (a slow script); a late answer
reaches only the engine object that asked (a restarted node never hears it).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hbtui.config.model import (
    AuthKey,
    AuthKeys,
    AuthMethod,
    AutoFailback,
    ClusterConfig,
    Compression,
    HaCf,
    Haresources,
    Medium,
    MsgFormat,
    Resource,
    ResourceGroup,
)
from hbtui.engine.actions import (
    AddVip,
    DelVip,
    Exit,
    RunScript,
    ScriptResult,
    Send,
    VipResult,
    WriteLog,
)
from hbtui.engine.node import Identity, Node
from hbtui.wire.packet import split

KEY = b"PutYourSuperSecretKeyHere"
IPS = {"server1": "192.168.10.1", "server2": "192.168.10.2"}
THREE = {**IPS, "server3": "192.168.10.3"}  # ``Cluster(nodes=THREE)``: a third node
VIP = "192.168.10.10"
ETC = Path("/etc/ha.d")
UUIDS = {
    "server1": bytes(range(16)),
    "server2": bytes(range(16, 32)),
    "server3": bytes(range(32, 48)),
}
LATE = "late script answer"  # Cluster._next's tag for a slow script's answer


def make_config(
    node: str,
    *,
    keepalive: int = 1000,
    deadtime: int = 5000,
    warntime: int = 3000,
    initdead: int = 10000,
    auto_failback: AutoFailback = AutoFailback.ON,
    key: bytes = KEY,
    etc: Path = ETC,
    logdir: Path | None = None,
    nodes: dict[str, str] = IPS,
    msgfmt: MsgFormat = MsgFormat.CLASSIC,
    compression: Compression | None = None,
    hopfudge: int = 1,
) -> ClusterConfig:
    """The HOWTO cluster seen from ``node`` (ha-log and ha-debug in ``logdir`` if given);
    ``nodes`` (name -> address) adds nodes to the ``node`` line, server1 stays the home."""
    media = tuple(Medium("ucast", "eth0", ip) for ip in nodes.values())
    logs = (
        {} if logdir is None else {"logfile": logdir / "ha-log", "debugfile": logdir / "ha-debug"}
    )
    ha_cf = HaCf(
        etc / "ha.cf", tuple(nodes), media, 694, keepalive, deadtime, warntime,
        initdead, auto_failback, **logs, msgfmt=msgfmt, compression=compression or Compression(),
        hopfudge=hopfudge,
    )  # fmt: skip
    group = ResourceGroup(
        "server1",
        (
            Resource(f"IPaddr::{VIP}/24", "IPaddr", (f"{VIP}/24",)),
            Resource("failback.sh", "failback.sh", (), etc / "resource.d" / "failback.sh"),
        ),
    )
    keys = AuthKeys(etc / "authkeys", 1, {1: AuthKey(1, AuthMethod.SHA1, key)})
    return ClusterConfig(etc, node, ha_cf, Haresources(etc / "haresources", (group,)), keys)


class FakeClock:
    """Integer milliseconds that only move when told."""

    def __init__(self, now: int = 0) -> None:
        self.now = now


@dataclass
class Member:
    """One simulated machine: its engine (while running), VIPs, logs and calls."""

    name: str
    config: ClusterConfig
    generation: int
    node: Node | None = None
    vips: set[str] = field(default_factory=set)
    logs: list[tuple[int, str, str]] = field(default_factory=list)  # (ms, level, text)
    events: list[Any] = field(default_factory=list)
    sent: list[tuple[int, Any]] = field(default_factory=list)  # (ms, decoded message)
    calls: list[tuple[int, str, str]] = field(default_factory=list)  # (ms, script, op)
    status_output: str = ""  # what failback.sh status prints
    stop_rc: list[int] = field(default_factory=list)  # rc of successive stops (default 0)
    exited: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # extra ``Node`` keyword arguments
    hang: set[str] = field(default_factory=set)  # script ops left unanswered (a hung script)
    pending: list[int] = field(default_factory=list)  # request ids of the hung calls

    def log_texts(self) -> list[str]:
        return [text for _, _, text in self.logs]

    def sent_types(self) -> list[str]:
        return [f"{msg.type}" for _, msg in self.sent]

    def of_type(self, cls: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, cls)]


Filter = Callable[[str, str, Any], bool]  # (src, dst, message) -> deliver?
Duplicate = Callable[[str, str, Any], int | None]  # -> delay of one extra copy, or None
ScriptDelay = Callable[[str, RunScript], int]  # (node, call) -> ms until it answers


@dataclass(order=True)
class LateAnswer:
    """A slow script's result, due at ``when`` to the engine object that ran it."""

    when: int
    order: int
    name: str = field(compare=False)
    node: Node = field(compare=False)
    request_id: int = field(compare=False)
    result: ScriptResult = field(compare=False)


class Cluster:
    """Two (or more) engines on a fake LAN, with the runtime played in-process."""

    def __init__(
        self,
        clock: FakeClock | None = None,
        latency_ms: int = 1,
        nodes: dict[str, str] = IPS,
        **cfg: Any,
    ) -> None:
        self.clock = clock or FakeClock()
        self.ips = nodes
        self.latency_ms = latency_ms
        self.cfg = cfg
        self.members: dict[str, Member] = {}
        self.queue: list[tuple[int, int, str, str, bytes]] = []
        self.order = 0
        self.filters: list[Filter] = []
        self.delays: list[Callable[[str, str, Any], int | None]] = []
        self.duplicates: list[Duplicate] = []
        self.script_delay: ScriptDelay | None = None
        self.late: list[LateAnswer] = []  # heap of slow scripts' answers
        self.generations = dict.fromkeys(nodes, 1795555131)
        for name in nodes:
            kwargs = {**cfg.get("all", {}), **cfg.get(name, {}), "nodes": nodes}
            self.members[name] = Member(name, make_config(name, **kwargs), 0)

    def __getitem__(self, name: str) -> Member:
        return self.members[name]

    # -- lifecycle -------------------------------------------------------------------

    def start(self, name: str) -> Member:
        """(Re)start ``name``'s engine with the next generation."""
        mem = self.members[name]
        self.generations[name] += 1
        mem.generation = self.generations[name]
        mem.exited = False
        mem.node = Node(mem.config, Identity(UUIDS[name], mem.generation), self.clock.now,
                        wall_offset_ms=1795555130_000, **mem.options)  # fmt: skip
        self._handle(mem, mem.node.start(self.clock.now, present_vips=tuple(mem.vips)))
        return mem

    def kill(self, name: str) -> None:
        """kill -9: the engine vanishes, its VIPs stay on the interface."""
        self.members[name].node = None

    def command(self, name: str, cmd: str, arg: str = "all") -> None:
        mem = self.members[name]
        assert mem.node is not None
        self._handle(mem, mem.node.command(cmd, self.clock.now, arg))

    # -- the event loop ---------------------------------------------------------------

    def run_until(self, t: int) -> None:
        """Advance to ``t``, delivering datagrams and firing deadlines in time order."""
        while True:
            when, what = self._next()
            if when is None or when > t:
                break
            self.clock.now = max(self.clock.now, when)
            if what == LATE:
                self._answer_late(heapq.heappop(self.late))
            elif what == "packet":
                _, _, src, dst, data = heapq.heappop(self.queue)
                mem = self.members[dst]
                if mem.node is not None:
                    out = mem.node.feed(data, (self.ips[src], 40000), self.clock.now)
                    self._handle(mem, out)
            else:
                mem = self.members[what]
                assert mem.node is not None
                self._handle(mem, mem.node.tick(self.clock.now))
                after = mem.node.next_deadline() if mem.node is not None else None
                assert after is None or after > self.clock.now, "tick left a due deadline"
        self.clock.now = max(self.clock.now, t)

    def run_for(self, ms: int) -> None:
        self.run_until(self.clock.now + ms)

    def _next(self) -> tuple[int | None, str]:
        best: tuple[int | None, str] = (None, "")
        if self.queue:
            best = (self.queue[0][0], "packet")
        if self.late and (best[0] is None or self.late[0].when < best[0]):
            best = (self.late[0].when, LATE)
        for name, mem in self.members.items():
            if mem.node is None:
                continue
            dl = mem.node.next_deadline()
            if dl is not None and (best[0] is None or dl < best[0]):
                best = (dl, name)
        return best

    def _handle(self, mem: Member, out: list[Any]) -> None:
        """Play the runtime for ``mem``'s outputs (completions are immediate)."""
        work = list(out)
        while work:
            item = work.pop(0)
            now = self.clock.now
            if isinstance(item, Send):
                msg, _, _ = split(item.datagram)
                mem.sent.append((now, msg))
                self._transmit(mem.name, item.datagram, msg)
            elif isinstance(item, WriteLog):
                mem.logs.append((now, item.level.value, item.text))
            elif isinstance(item, AddVip):
                mem.vips.add(item.ip)
                mem.calls.append((now, "VIP", "add"))
                work.extend(
                    self._done(mem, "vip", item.request_id, VipResult(True, "", "eth0", "eth0:0"))
                )
            elif isinstance(item, DelVip):
                mem.vips.discard(item.ip)
                mem.calls.append((now, "VIP", "del"))
                work.extend(self._done(mem, "vip", item.request_id, VipResult(True, "", "eth0")))
            elif isinstance(item, RunScript):
                script = Path(item.argv[0]).name
                mem.calls.append((now, script, item.op.value))
                if item.op.value in mem.hang:
                    mem.pending.append(item.request_id)
                    continue
                rc, output = 0, ""
                if item.op.value == "status":
                    output = mem.status_output
                elif item.op.value == "stop" and mem.stop_rc:
                    rc = mem.stop_rc.pop(0)
                delay = 0 if self.script_delay is None else self.script_delay(mem.name, item)
                if delay > 0 and mem.node is not None:
                    self.order += 1
                    answer = ScriptResult(rc, output)
                    late = LateAnswer(
                        now + delay, self.order, mem.name, mem.node, item.request_id, answer
                    )
                    heapq.heappush(self.late, late)
                    continue
                work.extend(self._done(mem, "script", item.request_id, ScriptResult(rc, output)))
            elif isinstance(item, Exit):
                mem.exited = True
                mem.node = None
                mem.events.append(item)
            else:
                mem.events.append(item)

    def unhang(self, name: str, rc: int = 0) -> None:
        """The hung script calls of ``name`` end now with ``rc``."""
        mem = self.members[name]
        mem.hang.clear()
        while mem.pending:
            rid = mem.pending.pop(0)
            self._handle(mem, self._done(mem, "script", rid, ScriptResult(rc, "")))

    def _done(self, mem: Member, kind: str, rid: int, result: Any) -> list[Any]:
        if mem.node is None:
            return []
        if kind == "vip":
            return mem.node.vip_done(rid, result, self.clock.now)
        return mem.node.script_done(rid, result, self.clock.now)

    def _answer_late(self, late: LateAnswer) -> None:
        """Deliver a slow script's answer, unless its engine is gone (killed or restarted)."""
        mem = self.members[late.name]
        if mem.node is late.node:
            self._handle(mem, late.node.script_done(late.request_id, late.result, self.clock.now))

    def _transmit(self, src: str, data: bytes, msg: Any) -> None:
        for dst in self.members:
            if dst == src:
                continue  # the self-copy is dropped by the Acceptor anyway
            if not all(f(src, dst, msg) for f in self.filters):
                continue
            delay = self.latency_ms
            for d in self.delays:
                extra = d(src, dst, msg)
                if extra is not None:
                    delay = extra
            self.order += 1
            heapq.heappush(self.queue, (self.clock.now + delay, self.order, src, dst, data))
            for dup in self.duplicates:
                extra = dup(src, dst, msg)
                if extra is not None:
                    self.order += 1
                    heapq.heappush(self.queue, (self.clock.now + extra, self.order, src, dst, data))

    def inject(self, dst: str, data: bytes, src_ip: str, at: int | None = None) -> None:
        """Deliver raw bytes to ``dst`` as if from ``src_ip``."""
        mem = self.members[dst]
        assert mem.node is not None
        self._handle(mem, mem.node.feed(data, (src_ip, 40000), at or self.clock.now))

    def vip_holders(self) -> list[str]:
        return [n for n, m in self.members.items() if VIP in m.vips]

    def calls(self, script: str = "failback.sh") -> list[tuple[str, str]]:
        """Script calls of every node in time order: (node, op)."""
        rows = [(t, n, op) for n, m in self.members.items() for t, s, op in m.calls if s == script]
        return [(n, op) for _, n, op in sorted(rows, key=lambda r: r[0])]


class FakePeer:
    """Hand-driven peer: builds signed messages as server2 (or any node) would send."""

    def __init__(
        self, name: str = "server2", *, hbtui: bool = False, generation: int = 1795555132,
        key: bytes = KEY, now_ms: int = 0,
    ) -> None:  # fmt: skip
        from hbtui.engine.messages import Stamper

        keys = AuthKeys(ETC / "authkeys", 1, {1: AuthKey(1, AuthMethod.SHA1, key)})
        self.name = name
        self.hbtui = hbtui
        self.addr = (IPS.get(name, "192.168.10.3"), 40000)
        self.stamper = Stamper(name, UUIDS.get(name, bytes(16)), generation, keys, 1795555130_000)
        self.stamper.uuids.update(UUIDS)

    def make(self, draft: Any, now_ms: int = 0) -> bytes:
        """Stamp and sign ``draft`` (without the hbtui tag unless ``hbtui``)."""
        from hbtui.engine.messages import HBTUI_FIELD, Draft

        if not self.hbtui:
            draft = Draft(tuple(f for f in draft.fields if f[0] != HBTUI_FIELD), draft.dest)
        return self.stamper.stamp(draft, now_ms)[1]


def messages_of(out: list[Any]) -> list[Any]:
    """Decoded messages of the Send actions in ``out``."""
    return [split(a.datagram)[0] for a in out if isinstance(a, Send)]


def texts_of(out: list[Any]) -> list[str]:
    """Log texts in ``out``."""
    return [a.text for a in out if isinstance(a, WriteLog)]
