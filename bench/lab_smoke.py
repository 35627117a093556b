"""Smoke benchmark of the namespace lab with two real Heartbeat 3.0.6 daemons (root only).

    python3 bench/lab_smoke.py --runs 3 [--fast] [--failback]

Per run: a fresh lab, cold start of both nodes (time to the VIP on server1), power cut of server1
(time to the VIP on server2, from netlink events), optionally server1 restarted (time until the VIP
has left server2 and failback.sh ran start on server1). Prints min/median/max of each figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hbtui.lab.netns import Lab
from tests.lab.cluster import Cluster, RealHeartbeat
from tests.lab.haconfig import HaSetup
from tests.lab.observe import wait_for_vip, wait_until

FAST = HaSetup().with_timers(keepalive="200ms", warntime="600ms", deadtime="1", initdead="5")


def to_monotonic(epoch: float) -> float:
    """A wall-clock epoch (failback.log) on the monotonic clock the waits use."""
    return epoch - time.time() + time.monotonic()


def one_run(setup: HaSetup, failback: bool) -> dict[str, float]:
    """Run the scenario once; return its figures in seconds."""
    figures: dict[str, float] = {}
    vip = setup.vip_ip
    with Lab() as lab:
        cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], setup)
        began = cluster.start_all()
        figures["cold start -> VIP"] = wait_for_vip(lab["server1"], vip, True, 60) - began
        wait_until(lambda: cluster["server1"].failback_actions() == ["status", "start"], 10, "s1")
        time.sleep(1.0)  # steady state: let a few keepalives pass
        crashed = time.monotonic()
        cluster["server1"].crash()
        figures["kill -> VIP on peer"] = wait_for_vip(lab["server2"], vip, True, 60) - crashed
        if failback:
            wait_until(lambda: "start" in cluster["server2"].failback_actions(), 10, "s2 start")
            restarted = time.monotonic()
            cluster["server1"].start()
            left = wait_for_vip(lab["server2"], vip, False, 60)
            figures["restart -> VIP off peer"] = left - restarted
            wait_until(
                lambda: (
                    cluster["server1"].failback_actions()[-1:] == ["start"]
                    and len(cluster["server1"].failback_actions()) > 2
                ),
                30,
                "failback start on server1",
            )
            last_start = to_monotonic(cluster["server1"].failback_calls()[-1].at)
            figures["restart -> failback.sh start"] = last_start - restarted
            print(f"  server1 calls: {cluster['server1'].failback_actions()}", flush=True)
            print(f"  server2 calls: {cluster['server2'].failback_actions()}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fast", action="store_true", help="keepalive 200ms, deadtime 1 s")
    parser.add_argument("--failback", action="store_true", help="also restart server1")
    args = parser.parse_args()
    setup = FAST if args.fast else HaSetup()
    results: dict[str, list[float]] = {}
    for index in range(args.runs):
        figures = one_run(setup, args.failback)
        print(f"run {index + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in figures.items()))
        for key, value in figures.items():
            results.setdefault(key, []).append(value)
    timers = f"keepalive {setup.keepalive} deadtime {setup.deadtime} initdead {setup.initdead}"
    print(f"real heartbeat x2, {timers}, {args.runs} runs")
    for key, values in results.items():
        low, mid, high = min(values), statistics.median(values), max(values)
        print(f"  {key:32} min {low:.3f}  median {mid:.3f}  max {high:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
