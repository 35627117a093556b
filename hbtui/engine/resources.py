"""Running haresources groups: one resource at a time, in order, with retries.

Rules (docs/protocol.md §7.1; hbtui's changes marked):

- Acquire a group left to right. IPaddr/IPaddr2 -> ``AddVip`` with ``arp=True`` every
  time, even when the address is already up (hbtui: the real daemon skips the ARP then).
  Any other script -> ``status``; ``judge_status`` on its output; ``start`` unless running.
- Release a group right to left. IPaddr -> ``DelVip``; script -> ``stop``. A failing
  stop is retried once after RETRY_MS; if it fails again, a script's ``status`` decides:
  running -> CRIT + ``StopFailed`` and the group stays held (``Runner.stuck``: still
  running here) until the operator retries, confirms a manual clean-up or self-fences
  (hbtui), stopped -> "not LSB" ERROR.
- Probe (hbtui, a node's start): ``status`` of each script, ``stop`` when it says running
  (a start cut short by a crash is stopped before the node joins).
- A failing start is logged and the group carries on (as ResourceManager does).
- Jobs run one after another; the caller learns of a finished job via ``on_finished``.
"""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from hbtui.config.model import Resource, ResourceGroup
from hbtui.engine import hblog
from hbtui.engine.actions import (
    Action,
    AddVip,
    DelVip,
    LogLevel,
    RunScript,
    ScriptOp,
    ScriptResult,
    VipResult,
    WriteLog,
)
from hbtui.engine.events import Event, StopFailed, VipAdded, VipRemoved

VIP_RESOURCES = frozenset({"IPaddr", "IPaddr2"})
RETRY_MS = 1000

_NOT_RUNNING = re.compile(r"[Nn][Oo][Tt] *[Rr]unning")
_RUNNING = re.compile(r"[Rr]unning|OK")


def judge_status(output: str) -> bool:
    """True when a script's ``status`` output says running (exit code ignored).

    docs/protocol.md §7.1.
    """
    if _NOT_RUNNING.search(output):
        return False
    return bool(_RUNNING.search(output))


@dataclass(frozen=True, slots=True)
class Vip:
    """An IPaddr argument ``ip[/cidr[/iface[/broadcast]]]`` taken apart."""

    ip: str
    prefix: int | None
    device: str | None
    broadcast: str | None


def parse_vip(args: tuple[str, ...]) -> Vip:
    """Split an IPaddr argument; the broadcast is computed when a prefix is given."""
    parts = (args[0] if args else "").split("/")
    ip = parts[0]
    prefix = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    device = parts[2] if len(parts) > 2 and parts[2] else None
    broadcast = parts[3] if len(parts) > 3 and parts[3] else None
    if broadcast is None and prefix is not None:
        try:
            net = ipaddress.IPv4Network(f"{ip}/{prefix}", strict=False)
            broadcast = str(net.broadcast_address)
        except ValueError:
            broadcast = None
    return Vip(ip, prefix, device, broadcast)


def group_line(group: ResourceGroup) -> str:
    """``server1 IPaddr::192.168.10.10/24 failback.sh``, as ResourceManager logs it."""
    return " ".join([group.node, *(r.token for r in group.resources)])


class StepPhase(StrEnum):
    """Where one resource of a job is (also in the "start returned 1" log text).

    Acquire: begin -> start (IPaddr) | status -> [start]. Release: begin -> stop
    -> [retry -> stop -> [check]].
    """

    BEGIN = "begin"
    PROBE = "probe"  # script status at our start: stop it if it runs (hbtui)
    STATUS = "status"  # script status before a start
    START = "start"
    STOP = "stop"
    RETRY = "retry"  # the first stop failed: waiting RETRY_MS
    CHECK = "check"  # script status after the second stop failed


STEP_PHASES: dict[StepPhase, frozenset[StepPhase]] = {
    StepPhase.BEGIN: frozenset(
        {StepPhase.PROBE, StepPhase.STATUS, StepPhase.START, StepPhase.STOP}
    ),
    StepPhase.PROBE: frozenset({StepPhase.STOP}),
    StepPhase.STATUS: frozenset({StepPhase.START}),
    StepPhase.START: frozenset(),
    StepPhase.STOP: frozenset({StepPhase.RETRY, StepPhase.CHECK}),
    StepPhase.RETRY: frozenset({StepPhase.STOP}),
    StepPhase.CHECK: frozenset(),
}  # a step ends (popped) from START, STOP, CHECK, or STATUS when already running


class StepPhaseError(Exception):
    """A step was moved to a phase its current one never leads to (a bug)."""


@dataclass(slots=True)
class Step:
    """One resource of a job and how far it got."""

    group: ResourceGroup
    resource: Resource
    acquire: bool
    phase: StepPhase = StepPhase.BEGIN
    failures: int = 0
    retry_at: int | None = None

    def enter(self, phase: StepPhase) -> None:
        """Move on to ``phase``; raises ``StepPhaseError`` off the ``STEP_PHASES`` table."""
        if phase not in STEP_PHASES[self.phase]:
            raise StepPhaseError(f"{self.resource.token}: {self.phase} -> {phase} is illegal")
        self.phase = phase


class JobKind(StrEnum):
    """Why a job runs: what the owner does when it finishes."""

    INITIAL = "initial"  # our own groups at start
    TAKEOVER = "takeover"  # every group, the peer died or shut down (see ``reason``)
    GIVE = "give"  # standby handshake, we release
    TAKE = "take"  # standby handshake, we acquire
    HEAL = "heal"  # after a partition, give back the peer's groups
    SHUTDOWN = "shutdown"  # graceful stop, release everything
    PROBE = "probe"  # at start: stop the scripts that say running (hbtui)


RELEASES = frozenset({JobKind.GIVE, JobKind.HEAL, JobKind.SHUTDOWN, JobKind.PROBE})


class TakeoverReason(StrEnum):
    """Why we take every group (``TakeoverStarted.reason``)."""

    DEAD = "dead"
    SHUTDOWN = "shutdown"


@dataclass(slots=True)
class Job:
    """Acquire or release some groups; ``kind`` tells the owner what comes next."""

    kind: JobKind
    groups: tuple[ResourceGroup, ...]
    acquire: bool
    peer: str = ""
    reason: TakeoverReason | None = None  # TAKEOVER jobs only
    started_ms: int = 0
    vip_added_ms: int | None = None
    failed: list[str] = field(default_factory=list)
    stuck: dict[str, list[str]] = field(default_factory=dict)  # group key -> unstopped tokens
    steps: deque[Step] = field(default_factory=deque)


Emit = Callable[[Action | Event], None]


class Runner:
    """Executes jobs step by step; the runtime answers each action by request id."""

    def __init__(self, config_dir: Path, emit: Emit, on_finished: Callable[[Job, int], None]):
        self.config_dir = config_dir
        self.emit = emit
        self.on_finished = on_finished
        self.queue: deque[Job] = deque()
        self.current: Job | None = None
        self.waiting: dict[int, Step] = {}
        self.next_id = 1
        self.running: set[str] = set()  # keys of groups whose resources are up here
        self.stuck: dict[str, list[str]] = {}  # group key -> tokens whose stop failed

    @property
    def busy(self) -> bool:
        """A job is running or queued."""
        return self.current is not None or bool(self.queue)

    def is_running(self, group_key: str) -> bool:
        """Are the resources of group ``group_key`` up here (its last job acquired it)?"""
        return group_key in self.running

    def reserve_id(self) -> int:
        """A request id for an action the runner does not track (e.g. a stale VIP removal)."""
        rid = self.next_id
        self.next_id += 1
        return rid

    def stop_failed(self) -> tuple[str, ...]:
        """Tokens of the resources whose stop failed and that still run here."""
        return tuple(t for tokens in self.stuck.values() for t in tokens)

    def cleared(self, keys: set[str]) -> None:
        """The operator stopped these groups by hand: no longer running here."""
        self.running -= keys
        for key in keys:
            self.stuck.pop(key, None)

    def submit(self, job: Job, now_ms: int) -> None:
        """Queue a job; it starts when the ones before it are done."""
        for group in job.groups:
            order = group.resources if job.acquire else tuple(reversed(group.resources))
            if job.kind is JobKind.PROBE:
                order = tuple(r for r in order if r.name not in VIP_RESOURCES)
            job.steps.extend(Step(group, r, job.acquire) for r in order)
        job.started_ms = now_ms
        self.queue.append(job)
        if self.current is None:
            self._next_job(now_ms)

    def next_deadline(self) -> int | None:
        """When a stop retry is due."""
        step = self._head()
        return step.retry_at if step is not None and step.phase is StepPhase.RETRY else None

    def tick(self, now_ms: int) -> None:
        """Run a due retry."""
        step = self._head()
        if (
            step
            and step.phase is StepPhase.RETRY
            and step.retry_at is not None
            and now_ms >= step.retry_at
        ):
            step.retry_at = None
            self._release(step, now_ms)

    def script_done(self, request_id: int, result: ScriptResult, now_ms: int) -> bool:
        """A ``RunScript`` finished; False if the id is not ours."""
        step = self.waiting.pop(request_id, None)
        if step is None:
            return False
        ok = result.rc == 0 and not result.timed_out
        job = self.current
        assert job is not None
        if step.phase is StepPhase.PROBE:
            if not judge_status(result.output):
                return self._step_done(now_ms)
            self.emit(hblog.probe_running(step.resource.token))
            return self._call(step, ScriptOp.STOP, StepPhase.STOP)
        if step.phase is StepPhase.STATUS:
            if judge_status(result.output):
                return self._step_done(now_ms)
            return self._call(step, ScriptOp.START, StepPhase.START)
        if step.phase is StepPhase.START:
            if not ok:
                job.failed.append(step.resource.token)
                self.emit(WriteLog(LogLevel.ERROR, _failed_text(step, result)))
            return self._step_done(now_ms)
        if step.phase is StepPhase.STOP:
            return self._after_stop(step, ok, now_ms)
        # StepPhase.CHECK: status after a stop failed twice
        if judge_status(result.output):
            self._stop_failed(step, "still running after two stops", now_ms)
        else:
            self.emit(hblog.not_lsb(step.resource.token))
        return self._step_done(now_ms)

    def vip_done(self, request_id: int, result: VipResult, now_ms: int) -> bool:
        """An ``AddVip``/``DelVip`` finished; False if the id is not ours."""
        step = self.waiting.pop(request_id, None)
        if step is None:
            return False
        vip = parse_vip(step.resource.args)
        job = self.current
        assert job is not None
        if step.acquire:
            if result.ok:
                job.vip_added_ms = job.vip_added_ms or now_ms
                self.emit(
                    VipAdded(now_ms, step.resource.token, vip.ip, result.device, result.label)
                )
                # the line the real IPaddr's "eval ifconfig ..." stands for (postmortems date it)
                shown = vip.ip if vip.prefix is None else f"{vip.ip}/{vip.prefix}"
                where = f"on {result.device or '?'}" + (
                    f" as {result.label}" if result.label else ""
                )
                source = f"{step.resource.name}({step.resource.name}_{vip.ip})"
                self.emit(WriteLog(LogLevel.INFO, f"added {shown} {where}", source))
            else:
                job.failed.append(step.resource.token)
                self.emit(WriteLog(LogLevel.ERROR, f"{step.resource.token}: {result.detail}"))
            return self._step_done(now_ms)
        if result.ok:
            self.emit(VipRemoved(now_ms, step.resource.token, vip.ip, result.device))
            return self._step_done(now_ms)
        return self._after_stop(step, False, now_ms, result.detail)

    # -- internals ---------------------------------------------------------------

    def _head(self) -> Step | None:
        return self.current.steps[0] if self.current and self.current.steps else None

    def _next_job(self, now_ms: int) -> None:
        while self.current is None and self.queue:
            self.current = self.queue.popleft()
            self._begin(now_ms)

    def _begin(self, now_ms: int) -> None:
        """Start the head step of the current job, or finish the job."""
        job = self.current
        assert job is not None
        if not job.steps:
            self.current = None
            keys = {g.key for g in job.groups}
            if job.acquire:
                self.running |= keys
                for key in keys:
                    self.stuck.pop(key, None)
            else:
                self.running = (self.running - keys) | set(job.stuck)
                self.stuck.update(job.stuck)
            self.on_finished(job, now_ms)
            self._next_job(now_ms)
            return
        step = job.steps[0]
        if job.kind is JobKind.PROBE:
            self._call(step, ScriptOp.STATUS, StepPhase.PROBE)
            return
        if step.resource is step.group.resources[0 if job.acquire else -1]:
            line = group_line(step.group)
            self.emit(hblog.acquiring(line) if job.acquire else hblog.releasing(line))
        if job.acquire:
            self._acquire(step)
        else:
            self._release(step, now_ms)

    def _step_done(self, now_ms: int) -> bool:
        job = self.current
        assert job is not None
        job.steps.popleft()
        self._begin(now_ms)
        return True

    def _new_id(self, step: Step) -> int:
        rid = self.reserve_id()
        self.waiting[rid] = step
        return rid

    def _acquire(self, step: Step) -> None:
        res = step.resource
        if res.name in VIP_RESOURCES:
            vip = parse_vip(res.args)
            step.enter(StepPhase.START)
            rid = self._new_id(step)
            self.emit(AddVip(rid, res.token, vip.ip, vip.prefix, vip.device, None, vip.broadcast))
            return
        self._call(step, ScriptOp.STATUS, StepPhase.STATUS)

    def _release(self, step: Step, now_ms: int) -> None:
        res = step.resource
        if res.name in VIP_RESOURCES:
            step.enter(StepPhase.STOP)
            vip = parse_vip(res.args)
            self.emit(DelVip(self._new_id(step), res.token, vip.ip, vip.prefix, vip.device))
            return
        self._call(step, ScriptOp.STOP, StepPhase.STOP)

    def _call(self, step: Step, op: ScriptOp, phase: StepPhase) -> bool:
        res = step.resource
        script = res.script or self.config_dir / "resource.d" / res.name
        argv = (str(script), *res.args, op.value)
        step.enter(phase)
        if op is not ScriptOp.STATUS:
            self.emit(hblog.running(argv))
        self.emit(RunScript(self._new_id(step), res.token, argv, op))
        return True

    def _after_stop(self, step: Step, ok: bool, now_ms: int, detail: str = "") -> bool:
        if ok:
            return self._step_done(now_ms)
        step.failures += 1
        if step.failures == 1:
            step.enter(StepPhase.RETRY)
            step.retry_at = now_ms + RETRY_MS
            return True
        if step.resource.name in VIP_RESOURCES:
            self._stop_failed(step, detail or "address could not be removed", now_ms)
            return self._step_done(now_ms)
        return self._call(step, ScriptOp.STATUS, StepPhase.CHECK)

    def _stop_failed(self, step: Step, detail: str, now_ms: int) -> None:
        assert self.current is not None
        self.current.failed.append(step.resource.token)
        self.current.stuck.setdefault(step.group.key, []).append(step.resource.token)
        self.emit(hblog.stop_failed(step.resource.token, detail))
        self.emit(StopFailed(now_ms, step.resource.token, detail))


def _failed_text(step: Step, result: ScriptResult) -> str:
    what = "timed out" if result.timed_out else f"returned {result.rc}"
    return f"{step.resource.token}: {step.phase} {what}"
