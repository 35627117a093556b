"""A Hypothesis state machine over the simulated cluster (``enginesim.Cluster``).

Rules mix operator and machine events (start, kill -9, restart, graceful stop, standby,
takeover) with faults: per-direction datagram loss, random delays (so reordering),
duplicated datagrams and slow resource scripts. The ``heal`` rule ends every fault,
lets in-flight datagrams and scripts finish, lets each node ask once more for what the
loss made it miss (``rexmit_due``), waits out the failure detection still due (a peer
that is really down is declared dead at its deadline), then checks that exactly one
running node holds each resource group two keepalives later. The same check ends every
run (``teardown``). ``Cluster.run_until`` asserts that a tick never leaves a due
deadline; any exception from the engine fails the run. Restarts, faults and operator
commands come at any moment, and each direction has its own loss rate (HBTUI_FUZZ_ONE_WAY=0,
``bench/engine_fuzz.py --both-ways``: one rate for both). Each bug found so far
is fixed and pinned by a scenario in ``test_engine_fuzz_regressions.py``.

Only public behaviour is compared: snapshot dict values and the simulated VIPs. A
killed node is out of the count: kill -9 leaves its address up and the simulator has no
STONITH, so its leftovers are not the engine's doing (a restart removes them).

Used by ``test_engine_fuzz.py`` (bounded, derandomized) and ``bench/engine_fuzz.py``.
"""

from __future__ import annotations

import os
import random
from typing import Any

from enginesim import VIP, Cluster
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
)

from hbtui.config.model import AutoFailback
from hbtui.engine.actions import RunScript
from hbtui.wire.packet import split

NAMES = ("server1", "server2")
ALL = (*NAMES, "server3")  # the network's directions: a third node may join (autojoin)
TIMERS = {
    "howto": {"keepalive": 1000, "deadtime": 5000, "warntime": 3000, "initdead": 10000},
    "fast": {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 3000},
}
LOSS = (0.0, 0.05, 0.3, 1.0)  # chance that one datagram in a direction is lost
COMMAND_ARGS = ("all", "foreign", "local", "failback")
SEEDS = st.integers(0, 2**32 - 1)
HANDSHAKE = ("ask_resources", "hb_takeover")
ONE_WAY = os.environ.get("HBTUI_FUZZ_ONE_WAY", "1") == "1"  # 0: one loss rate both ways


class Faults:
    """The current faults, decided per datagram / script call by a seeded RNG."""

    def __init__(self) -> None:
        self.rng = random.Random(0)
        self.clear()

    def clear(self) -> None:
        """Heal: a clean network, scripts answer at once (those running still finish)."""
        self.clear_network()
        self.max_script_ms = 0

    def clear_network(self) -> None:
        """No loss, delay or duplicate from now on (datagrams in flight keep their time)."""
        self.loss = dict.fromkeys(((a, b) for a in ALL for b in ALL if a != b), 0.0)
        self.max_delay_ms = 0
        self.duplicate = 0.0

    def keep(self, src: str, dst: str, msg: Any) -> bool:
        loss = self.loss[(src, dst)]
        return loss == 0.0 or self.rng.random() >= loss

    def delay(self, src: str, dst: str, msg: Any) -> int | None:
        return self.rng.randint(1, self.max_delay_ms) if self.max_delay_ms else None

    def copy(self, src: str, dst: str, msg: Any) -> int | None:
        if not self.duplicate or self.rng.random() >= self.duplicate:
            return None
        return self.rng.randint(1, max(1, self.max_delay_ms))

    def script(self, node: str, call: RunScript) -> int:
        return self.rng.randint(0, self.max_script_ms) if self.max_script_ms else 0


def running(c: Cluster) -> list[str]:
    return [n for n in c.members if c[n].node is not None]


def other(name: str) -> str:
    return NAMES[1 - NAMES.index(name)]


def handshaking(c: Cluster) -> bool:
    """A standby/takeover handshake is open on a node, or one of its datagrams in flight."""
    for name in running(c):
        node = c[name].node
        assert node is not None
        if node.snapshot(c.clock.now)["standby"] is not None:
            return True
    return any(split(q[4])[0].type in HANDSHAKE for q in c.queue)


def held_groups(c: Cluster, name: str) -> set[str]:
    """Groups ``name``'s engine says it runs; checked against the simulated VIP."""
    node = c[name].node
    assert node is not None
    snap = node.snapshot(c.clock.now)
    assert not snap["busy"], f"{name}: a resource job is still running after heal"
    held = {g["key"] for g in snap["groups"] if g["running_here"]}
    has_vip = VIP in c[name].vips
    assert has_vip == bool(held), f"{name}: VIP up={has_vip} but snapshot runs {held}"
    return held


def detection_due(c: Cluster) -> int:
    """When every running node has judged every peer that is really down, and made its
    first decision (initdead) (or now)."""
    due = c.clock.now
    up = running(c)
    for name in up:
        node = c[name].node
        assert node is not None
        snap = node.snapshot(c.clock.now)
        if snap["phase"] == "waiting":  # its first decision may wait until initdead
            due = max(due, snap["started_ms"] + c[name].config.ha_cf.initdead_ms)
        for peer, info in snap["nodes"].items():
            if info["self"] or peer in up or info["deadline_ms"] is None:
                continue
            due = max(due, info["deadline_ms"])
    return due


def rexmit_due(c: Cluster) -> int:
    """When every running node has asked once more for what the loss made it miss (it asks
    until the gap is filled, at growing intervals)."""
    due = c.clock.now
    for name in running(c):
        node = c[name].node
        assert node is not None
        due = max(due, node.rexmit.next_deadline() or due)
    return due


class ClusterMachine(RuleBasedStateMachine):
    """Two engines, faults and commands; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.faults = Faults()
        self.c = Cluster()
        self.keepalive = 1000

    @initialize(
        timers=st.sampled_from(sorted(TIMERS)),
        failback=st.sampled_from([AutoFailback.ON, AutoFailback.OFF]),
        first=st.sampled_from(NAMES),
        both=st.booleans(),
        stagger=st.integers(0, 2500),
    )
    def boot(
        self, timers: str, failback: AutoFailback, first: str, both: bool, stagger: int
    ) -> None:
        cfg = {**TIMERS[timers], "auto_failback": failback}
        self.keepalive = TIMERS[timers]["keepalive"]
        self.c = c = Cluster(all=cfg)
        c.filters.append(self.faults.keep)
        c.delays.append(self.faults.delay)
        c.duplicates.append(self.faults.copy)
        c.script_delay = self.faults.script
        c.start(first)
        if both:  # well before the first one's initdead (see ``start``)
            c.run_for(self.scaled(stagger))
            c.start(other(first))

    def scaled(self, ms: int) -> int:
        """``ms`` of the HOWTO timers in this run's timers."""
        return max(1, ms * self.keepalive // 1000)

    # -- time and faults --------------------------------------------------------------

    @rule(ms=st.one_of(st.integers(0, 60), st.integers(0, 12000)))
    def advance(self, ms: int) -> None:
        self.c.run_for(self.scaled(ms) if ms else 0)

    # Faults begin at any moment (the "settled" exclusion went with the stale-claim and
    # job-end fixes of test_engine_fuzz_regressions), each direction with its own loss rate
    # (the both-ways exclusion went with the repeated claim and the persistent rexmit).
    @rule(
        loss=st.sampled_from(LOSS),
        back=st.sampled_from(LOSS),
        max_delay=st.sampled_from((0, 5, 300, 1500)),
        duplicate=st.sampled_from((0.0, 0.2, 1.0)),
        seed=SEEDS,
    )
    def network(
        self, loss: float, back: float, max_delay: int, duplicate: float, seed: int
    ) -> None:
        f = self.faults
        f.rng.seed(seed)
        f.loss = dict.fromkeys(f.loss, loss)
        if ONE_WAY:  # server2 -> server1 gets its own rate (HBTUI_FUZZ_ONE_WAY=0: the same)
            f.loss[("server2", "server1")] = back
        f.max_delay_ms = self.scaled(max_delay) if max_delay else 0
        f.duplicate = duplicate
        # packets already in flight keep their delivery time

    @rule(max_ms=st.sampled_from((0, 50, 1000, 4000, 12000)), seed=SEEDS)
    def slow_scripts(self, max_ms: int, seed: int) -> None:
        self.faults.rng.seed(seed)
        self.faults.max_script_ms = self.scaled(max_ms) if max_ms else 0

    @rule()
    def heal(self) -> None:
        self.heal_and_check()

    # -- machines and operators -------------------------------------------------------

    @rule(name=st.sampled_from(NAMES))
    def kill(self, name: str) -> None:
        self.c.kill(name)

    @rule(name=st.sampled_from(NAMES))
    def start(self, name: str) -> None:
        """Start a stopped or killed node, or restart a running one (kill -9, start), at
        any moment: faults and all (no exclusion left since the restart and double-hold
        bugs of test_engine_fuzz_regressions were fixed)."""
        c = self.c
        c.kill(name)
        c.start(name)

    @rule(name=st.sampled_from(NAMES))
    def stop(self, name: str) -> None:
        if self.c[name].node is not None:
            self.c.command(name, "stop")

    # Commands at any moment: crossed ones, during a start, aimed at a stopping peer.
    @precondition(lambda self: bool(running(self.c)))
    @rule(
        name=st.sampled_from(NAMES),
        cmd=st.sampled_from(("standby", "takeover")),
        arg=st.sampled_from(COMMAND_ARGS),
    )
    def operator(self, name: str, cmd: str, arg: str) -> None:
        if self.c[name].node is not None:
            self.c.command(name, cmd, arg)

    # -- the invariant ----------------------------------------------------------------

    def heal_and_check(self) -> None:
        """End the faults; two keepalives after what is still due, one holder per group."""
        c = self.c
        self.faults.clear()
        last_packet = max((q[0] for q in c.queue), default=c.clock.now)
        last_script = max((late.when for late in c.late), default=c.clock.now)
        c.run_until(max(last_packet, last_script))
        c.run_until(rexmit_due(c) + 2 * c.latency_ms)  # gaps of the loss asked for once more
        c.run_until(detection_due(c) + 2 * self.keepalive)
        holders: dict[str, list[str]] = {}
        for name in running(c):
            for key in held_groups(c, name):
                holders.setdefault(key, []).append(name)
        candidates = self.candidates()
        if not candidates:
            return
        node = c[candidates[0]].node
        assert node is not None
        for group in node.snapshot()["groups"]:
            who = holders.get(group["key"], [])
            assert len(who) == 1, (
                f"group {group['key']} held by {who} at {c.clock.now} ms (running: {running(c)})"
            )

    def candidates(self) -> list[str]:
        """The running nodes one of which must hold each group (all of them here)."""
        return running(self.c)

    def teardown(self) -> None:
        self.heal_and_check()
