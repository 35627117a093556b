"""The cases of bench/faults.py: what each one does to a running pair (either kind of node).

Each case mirrors one test of tests/faults (its scripts and haresources lines are imported
from there) but only acts and marks times; bench/faults.py measures from the address events.
A `Run` is one case on one pair: it keeps the node up/down marks (a crashed node's address is
not a claim), the window the figures cover (`begin`), the fault's end (`ended`, None where
"time to one holder" has no meaning) and the case's own notes. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vs_heartbeat import settle

from hbtui.lab.commands import LabError
from hbtui.lab.node import Node
from tests.faults.test_faults_restarts import PHASE_SH, PHASES
from tests.faults.test_faults_start import BAD_SH
from tests.faults.test_faults_stop import SLOW_SH
from tests.lab.cluster import HEARTBEAT_INIT, Cluster, LabNodeProcess, RealHeartbeat
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import HbtuiNode
from tests.lab.holds import UP, Mark
from tests.lab.observe import drop_from, drop_traffic, restore_traffic, wait_for_vip, wait_until

ONE, TWO = "server1", "server2"
OBSERVE_S = 3.0  # watched after the fault's end and one holder, to see that it stays so
STORM = 20
SLOW_STOP_S = 25


@dataclass
class Run:
    """One case on one pair (see the module docstring)."""

    cluster: Cluster
    quick: bool
    marks: list[Mark] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    begin: float = 0.0
    ended: float | None = None

    def __getitem__(self, name: str) -> LabNodeProcess:
        return self.cluster[name]

    @property
    def heartbeat(self) -> bool:
        return isinstance(self.cluster[ONE], RealHeartbeat)

    @property
    def vip(self) -> str:
        return self.cluster.setup.vip_ip

    def note(self, text: str) -> None:
        self.notes.append(text)

    def crash(self, name: str) -> None:
        """Power cut of `name` (every process killed by PID); it stops being a holder."""
        self.cluster[name].crash()
        self.marks.append(Mark(time.monotonic(), name, UP, False))

    def start(self, name: str) -> float:
        at = time.monotonic()
        self.marks.append(Mark(at, name, UP, True))
        self.cluster[name].start()
        return at

    def stop(self, name: str) -> None:
        """Graceful stop, waited for (bounded); the node is down once it returned."""
        self.cluster[name].stop(timeout=40.0)
        self.marks.append(Mark(time.monotonic(), name, UP, False))

    def stop_async(self, name: str) -> None:
        """Ask `name` to stop and return at once (its stop may fail or hang)."""
        member = self.cluster[name]
        if isinstance(member, HbtuiNode):
            for pid in member.node_pids():
                os.kill(pid, signal.SIGTERM)
        else:
            out = subprocess.DEVNULL
            member.node.popen([str(HEARTBEAT_INIT), "stop"], stdout=out, stderr=out)

    def waited(self, predicate: Callable[[], bool], timeout: float, what: str) -> float | None:
        """`wait_until`, but a timeout becomes a note instead of ending the case."""
        try:
            return wait_until(predicate, timeout, what, interval=0.05)
        except TimeoutError:
            self.note(f"{what}: not within {timeout:.0f} s")
            return None

    def one_holder(self, timeout: float) -> None:
        """After the fault: wait (bounded) for one holder, then watch OBSERVE_S more."""
        self.waited(lambda: len(self.cluster.vip_holders()) == 1, timeout, "one holder")
        time.sleep(OBSERVE_S)


def etc(run: Run, name: str) -> Path:
    return Path(run[name].node.etc_dir)


def write_script(run: Run, name: str, text: str) -> None:
    for node in (ONE, TWO):
        script = etc(run, node) / "resource.d" / name
        script.write_text(text)
        script.chmod(0o755)


def up_and_settled(run: Run) -> None:
    """Both started, the group on server1 alone, past the start-up deadtime."""
    run.cluster.start_all()
    wait_for_vip(run[ONE].node, run.vip, timeout=40)
    settle(run.cluster, run.vip)


def deaths(run: Run) -> int:
    return sum(run[n].log_text().count(": is dead") for n in (ONE, TWO))


# -- network ---------------------------------------------------------------------------------


def cut_for(run: Run, cut: Callable[[Node], None], seconds: float) -> None:
    """Settled pair; `cut(server2)` for `seconds`, then heal; wait for one holder."""
    up_and_settled(run)
    two = run[TWO].node
    run.begin = time.monotonic()
    cut(two)
    try:
        time.sleep(seconds)
    finally:
        restore_traffic(two)
    run.ended = time.monotonic()
    run.one_holder(40)
    run.note(f'"is dead" lines: {deaths(run)}')


def loss(percent: int) -> Callable[[Run], None]:
    def act(run: Run) -> None:
        port = run.cluster.setup.udpport
        cut_for(run, lambda two: drop_traffic(two, percent, port), 20 if run.quick else 60)

    return act


def partition(run: Run) -> None:
    cut_for(run, lambda two: drop_traffic(two, 100, run.cluster.setup.udpport), 12)


def one_way(run: Run) -> None:
    """server1's datagrams stop reaching server2 (server2's still reach server1)."""
    setup = run.cluster.setup
    cut_for(run, lambda two: drop_from(two, setup.node_ip(ONE), setup.udpport), 12)


# -- kill -9 of the taker --------------------------------------------------------------------


def kill_taker(phase: str) -> Callable[[Run], None]:
    """server1 dies; server2 takes over and is killed in `phase`; server1, then server2 come
    back. The window starts at server1's restart; the fault ends at server2's."""

    def act(run: Run) -> None:
        for node in (ONE, TWO):
            (etc(run, node) / "haresources").write_text(PHASES[phase] + "\n")
        write_script(run, "phase.sh", PHASE_SH)
        marker = etc(run, TWO) / "phase.running"
        up_and_settled(run)
        wait_until(lambda: "start" in run[ONE].failback_actions(), 20, "server1 holds the group")
        run.crash(ONE)
        if phase == "during the ARP burst":
            wait_for_vip(run[TWO].node, run.vip, timeout=20)
        else:
            wait_until(marker.exists, 20, f"server2 in phase.sh start ({phase})")
        on_two = run[TWO].node.has_address(run.vip)
        run.crash(TWO)
        run.note(f"VIP on server2 when killed: {'yes' if on_two else 'no'}")
        run.begin = run.start(ONE)
        took = run.waited(
            lambda: run[ONE].failback_actions().count("start") == 2, 40, "server1 took the group"
        )
        if took is not None:
            run.note(f"server1 took the group {took - run.begin:.1f} s after its restart")
        run.ended = run.start(TWO)
        run.waited(lambda: run.cluster.vip_holders() == [ONE], 20, "server1 alone")
        if phase != "during the ARP burst":
            gone = run.waited(lambda: not marker.exists(), 15, "phase.sh stopped on server2")
            run.note(f"cut-short phase.sh stopped on server2: {'yes' if gone else 'no'}")
        time.sleep(OBSERVE_S)

    return act


# -- resource scripts ------------------------------------------------------------------------


def check_reboot_standin(run: Run) -> None:
    """Make sure `reboot` inside each node is the lab's logging stand-in, then call it once.

    The stand-in is bound over the reboot binary's real path in the node's own mount
    namespace (hbtui.lab.node); /sbin/init (heartbeat's fallback) gets it too. The file is
    read first: `reboot -nf` runs only when it is the stand-in.
    """
    for name in (ONE, TWO):
        node = run[name].node
        init = os.path.realpath("/sbin/init")
        node.run(["mount", "--bind", str(node.directory / "standin.sh"), init], check=True)
        probe = 'for c in reboot /sbin/reboot /usr/sbin/reboot /sbin/init; do p=$(command -v $c)\
 && echo "$c -> $(readlink -f $p): $(grep -c "Lab stand-in" "$(readlink -f $p)")"; done'
        lines = node.run(["sh", "-c", probe], check=True).stdout.splitlines()
        if len(lines) != 4 or not all(line.endswith(": 1") for line in lines):
            raise LabError(f"{name}: reboot is not the lab stand-in: {lines}")
        before = len(node.standin_calls())
        node.run(["/sbin/reboot", "-nf", "bench-probe"], check=True, timeout=10)
        if len(node.standin_calls()) != before + 1:
            raise LabError(f"{name}: the reboot stand-in did not log the probe")
    run.note("reboot stand-in checked in both nodes (" + lines[0].split(":")[0] + ")")


def failed_stop(run: Run) -> None:
    """Issue item 1: server1's graceful stop meets a resource whose stop fails."""
    write_script(run, "slow.sh", SLOW_SH)
    if run.heartbeat:
        check_reboot_standin(run)
    one = run[ONE]
    up_and_settled(run)
    wait_until((etc(run, ONE) / "slow.running").exists, 20, "slow.sh started on server1")
    (etc(run, ONE) / "slow.fail").write_text("")
    probes = len(one.node.standin_calls())
    run.begin = run.ended = time.monotonic()
    run.stop_async(ONE)
    if run.heartbeat:  # it retries the stop ten times, then `reboot -nf`
        called = run.waited(lambda: len(one.node.standin_calls()) > probes, 60, "reboot called")
        if called is None:
            return
        run.note(f"`reboot -nf` reached the stand-in {called - run.begin:.1f} s after the stop")
        run.crash(ONE)  # what the reboot would have done: the machine goes down, address too
        one.node.run(["ip", "addr", "del", run.cluster.setup.vip, "dev", "eth0"], timeout=10)
        took = run.waited(lambda: run[TWO].node.has_address(run.vip), 30, "server2 took it")
        if took is not None:
            run.note(f"server2 held the VIP {took - called:.1f} s after the reboot")
        time.sleep(OBSERVE_S)
    else:
        held = run.waited(lambda: "stop failed, holding" in one.log_text(), 30, "CRIT")
        if held is not None:
            run.note(f"server1 holding (stop failed) {held - run.begin:.1f} s after the stop")
        time.sleep(12)  # over two deadtimes: nobody takes over
        slow_two = (etc(run, TWO) / "slow.running").exists()
        run.note(f"slow.sh started on server2: {'yes' if slow_two else 'no'}")


def slow_stop(run: Run) -> None:
    """Issue item 2: server2 restarts while server1's stop hangs SLOW_STOP_S seconds."""
    write_script(run, "slow.sh", SLOW_SH)
    up_and_settled(run)
    wait_until((etc(run, ONE) / "slow.running").exists, 20, "slow.sh started on server1")
    (etc(run, ONE) / "slow.hang").write_text(f"{SLOW_STOP_S}")
    run.begin = time.monotonic()
    run.stop_async(ONE)
    run.crash(TWO)
    run.ended = run.start(TWO)
    marker = etc(run, TWO) / "slow.running"
    took = run.waited(marker.exists, SLOW_STOP_S + 20, "server2 started slow.sh")
    if took is not None:
        run.note(
            f"server2 started slow.sh {took - run.ended:.1f} s after its restart "
            f"(server1's stop hung {SLOW_STOP_S} s)"
        )
        run.note(f"server1 still ran slow.sh then: {(etc(run, ONE) / 'slow.running').exists()}")
    run.waited(lambda: run.cluster.vip_holders() == [TWO], 30, "server2 alone")
    time.sleep(OBSERVE_S)


def bad_start(hang: bool) -> Callable[[Run], None]:
    """Issue item 4: bad.sh's start fails (or hangs 30 s); the window starts at the VIP."""

    def act(run: Run) -> None:
        write_script(run, "bad.sh", BAD_SH)
        if hang:
            (etc(run, ONE) / "bad.hang").write_text("")
        run.cluster.start_all()
        run.begin = wait_for_vip(run[ONE].node, run.vip, timeout=40)
        if hang:
            went_on = run.waited(lambda: "start" in run[ONE].failback_actions(), 45, "next")
            if went_on is not None:
                run.note(f"failback.sh started {went_on - run.begin:.1f} s after the VIP")
            time.sleep(OBSERVE_S)
            return
        time.sleep(30 if run.quick else 60)
        started = [n for n in (ONE, TWO) if "start" in run[n].failback_actions()]
        run.note(f"failback.sh started on: {', '.join(started) or 'none'}")

    return act


def storm(run: Run) -> None:
    """20 graceful restarts of server1 (auto_failback: the group moves away and back)."""
    count = 5 if run.quick else STORM
    one, two = run[ONE], run[TWO]
    up_and_settled(run)
    wait_until(lambda: "start" in one.failback_actions(), 20, "server1 holds the group")
    fds_before = descriptors(two)
    left: list[str] = []
    run.begin = time.monotonic()
    for _ in range(count):
        run.stop(ONE)
        if stray := one.node.processes():
            left += [command_name(pid) for pid in stray]
            one.node.kill_all()
        wait_for_vip(two.node, run.vip, timeout=20)
        run.ended = run.start(ONE)
        wait_for_vip(one.node, run.vip, timeout=40)
        wait_until(lambda: run.cluster.vip_holders() == [ONE], 20, "server1 alone")
    run.note(
        f"{count} restarts in {time.monotonic() - run.begin:.0f} s; processes left after a "
        f"stop: {len(left)} {sorted(set(left))}; server2's descriptors {fds_before} -> "
        f"{descriptors(two)}"
    )
    time.sleep(OBSERVE_S)


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def descriptors(member: LabNodeProcess) -> int:
    """Open file descriptors of the node's daemon processes."""
    if isinstance(member, RealHeartbeat):
        pids = member.heartbeat_pids()
    elif isinstance(member, HbtuiNode):
        pids = member.node_pids()
    else:
        pids = []
    return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in pids)


@dataclass(frozen=True)
class Case:
    """One row of the table: what it does, with which config, and how its log names it."""

    title: str
    act: Callable[[Run], None]
    named: str  # a regular expression over both nodes' ha-log
    setup: HaSetup = field(default_factory=HaSetup)
    ends: bool = True  # False: no fault end (the window starts at the VIP), no "->1"


PROBED = HaSetup(hbtui_settings=())  # hbtui's defaults: the start probe is on
SLOW = HaSetup(resources=("failback.sh", "slow.sh"), hbtui_settings=())
BAD = HaSetup(
    resources=("bad.sh", "failback.sh"), hbtui_settings=("script_timeout.bad.sh = start 2",)
)
CASES: dict[str, Case] = {
    "loss20": Case("20 % loss both ways", loss(20), r"Late heartbeat|is dead"),
    "loss50": Case("50 % loss both ways", loss(50), r"Late heartbeat|is dead"),
    "partition": Case("12 s partition, healed", partition, r"is dead"),
    "oneway": Case("12 s one-way partition", one_way, r"is dead"),
    **{
        f"kill-{key}": Case(
            f"kill -9 of the taker {phase}",
            kill_taker(phase),
            r"does not hold it|should not be|Non-idle|before we own it",
            PROBED,
        )
        for key, phase in zip(("before-vip", "before-scripts", "arp"), PHASES, strict=True)
    },
    "failed-stop": Case(
        "stop fails (graceful stop of the holder)", failed_stop, r"stop failed|STOP failure", SLOW
    ),
    "slow-stop": Case(
        f"peer restarts during a {SLOW_STOP_S} s stop",
        slow_stop,
        r"shutdown notice|still holds",
        SLOW,
    ),
    "hang-start": Case("start hangs 30 s", bad_start(True), r"start timed out", BAD, False),
    "fail-start": Case(
        "start fails",
        bad_start(False),
        r"start returned 1|Return code 1|Giving up resources",
        BAD,
        False,
    ),
    "storm": Case("restart storm (graceful)", storm, r"shutdown notice", PROBED),
}
