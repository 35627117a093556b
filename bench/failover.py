"""Failover time of two ``hbtui node`` processes in the namespace lab (root only).

    sudo python3 bench/failover.py [--runs 5] [--only howto|fast]

For each timer set (the HOWTO's keepalive 1 s / deadtime 5 s, and keepalive 200 ms /
deadtime 1 s): start both nodes, let the VIP settle on server1 and the startup dt
(deadtime + 2 s for 5 s) expire, then ``kill -9`` server1's node and time from the kill
(at a random phase of the keepalive period)
to the kernel's RTM_NEWADDR for the VIP inside server2's network namespace (a watcher
process there uses ``hbtui.adapters.netlink.watch_addresses``; CLOCK_MONOTONIC is shared).
server1 is then started again (it removes its stale VIP and takes it back: auto_failback)
for the next run. Prints min/median/max beside the goal: deadtime - keepalive/2 + 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from addrwatch import WATCHER, seconds  # noqa: E402

from hbtui.lab.commands import clean_env, read_line_until  # noqa: E402
from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.haconfig import HaSetup  # noqa: E402
from tests.lab.hbtui_node import HbtuiNode  # noqa: E402
from tests.lab.observe import wait_for_vip, wait_until  # noqa: E402

TIMER_SETS = {
    "howto": HaSetup(),  # keepalive 1, warntime 3, deadtime 5, initdead 10
    "fast": HaSetup().with_timers("200ms", "500ms", "1", "2"),
}
REAL_DAEMON = {"howto": "4.64-5.29 s, median 5.21 s", "fast": "1.33-1.46 s, median 1.45 s"}


def start_watcher(netns: str, ip: str) -> subprocess.Popen[str]:
    argv = ["ip", "netns", "exec", netns, sys.executable, "-c", WATCHER, ip]
    env = clean_env({"PYTHONPATH": str(REPO)})
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env, cwd="/")
    assert proc.stdout is not None
    if read_line_until(proc.stdout, time.monotonic() + 10) != "ready\n":
        proc.kill()
        raise RuntimeError("address watcher did not start")
    return proc


def settle(cluster: Cluster, setup: HaSetup) -> None:
    """VIP on server1 only, and server2 judging server1 by the plain deadtime."""
    one, two = cluster["server1"], cluster["server2"]
    assert isinstance(two, HbtuiNode)
    wait_for_vip(cluster.lab["server1"], setup.vip_ip, timeout=seconds(setup.initdead) + 15)
    wait_until(lambda: not cluster.lab["server2"].has_address(setup.vip_ip), 15, "VIP off server2")
    dead_ms = int(seconds(setup.deadtime) * 1000)
    wait_until(
        lambda: two.snapshot()["nodes"]["server1"]["deadtime_ms"] == dead_ms, 15, "dt settled"
    )
    assert one.running()


def one_run(cluster: Cluster, setup: HaSetup, rng: random.Random) -> float:
    one = cluster["server1"]
    assert isinstance(one, HbtuiNode)
    settle(cluster, setup)
    # settle() returns just after a keepalive arrived: kill at a random phase instead
    time.sleep(rng.uniform(0, seconds(setup.keepalive)))
    pids = one.node_pids()
    watcher = start_watcher(cluster.lab["server2"].netns, setup.vip_ip)
    try:
        killed = time.monotonic()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        assert watcher.stdout is not None
        line = read_line_until(watcher.stdout, killed + seconds(setup.deadtime) + 10)
        if not line:
            raise RuntimeError("the VIP did not come up on server2")
        elapsed = float(line) - killed
    finally:
        with contextlib.suppress(ProcessLookupError):
            watcher.kill()
        watcher.wait(timeout=5)
    one.crash()  # reap what is left of the node (nothing, normally)
    one.start()
    return elapsed


def bench(name: str, setup: HaSetup, runs: int, rng: random.Random) -> None:
    keepalive, deadtime = seconds(setup.keepalive), seconds(setup.deadtime)
    goal = deadtime - keepalive / 2 + 0.05
    with Lab(["server1", "server2"]) as lab:
        cluster = Cluster(lab, [HbtuiNode, HbtuiNode], setup)
        cluster.start_all()
        figures = []
        for n in range(runs):
            figures.append(one_run(cluster, setup, rng))
            print(f"  {name} run {n + 1}: {figures[-1]:.3f} s", flush=True)
        settle(cluster, setup)
        for member in cluster:
            member.stop(timeout=15)
    print(
        f"{name}: keepalive {setup.keepalive} deadtime {setup.deadtime}: kill -9 -> VIP on peer "
        f"min {min(figures):.3f} / median {statistics.median(figures):.3f} / "
        f"max {max(figures):.3f} s over {runs} runs; goal median <= {goal:.3f} s "
        f"(deadtime - keepalive/2 + 50 ms); real daemon {REAL_DAEMON[name]}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=sorted(TIMER_SETS))
    parser.add_argument("--seed", type=int, default=1, help="for the kill phase")
    args = parser.parse_args()
    reason = lab_unavailable()
    if reason:
        print(f"failover bench skipped: {reason}", file=sys.stderr)
        return 2
    for name, setup in TIMER_SETS.items():
        if args.only in (None, name):
            bench(name, setup, args.runs, random.Random(args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
