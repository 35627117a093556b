"""Keepalive jitter on a saturated CPU: ha.cf ``realtime`` on and off, hbtui and the real
daemon, side by side in the namespace lab (root only).

    sudo python3 bench/jitter_under_load.py [--window 30] [--hogs 4]

For each case two nodes run with keepalive 200 ms; once both hold steady, ``--hogs`` busy
loops (SCHED_OTHER, in each node's namespaces) keep every CPU at 100 %, and tcpdump on the
bridge records ``--window`` seconds of ``status`` packets. Jitter is |interval - keepalive|
between consecutive packets of one sender to one address (as bench/vs_heartbeat.py); p50,
p99 and the worst over both nodes. Cases: two real daemons (realtime on, their default),
two hbtui nodes with realtime on (the default) and with ``realtime off``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from vs_heartbeat import keepalive_jitter, machine, percentile  # noqa: E402

from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster, RealHeartbeat  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.haconfig import HaSetup  # noqa: E402
from tests.lab.hbtui_node import HbtuiNode  # noqa: E402
from tests.lab.observe import capture, wait_until  # noqa: E402

FAST = HaSetup().with_timers("200ms", "600ms", "1", "5")
CASES = {
    "heartbeat (realtime on)": (RealHeartbeat, FAST),
    "hbtui (realtime on)": (HbtuiNode, FAST),
    "hbtui (realtime off)": (HbtuiNode, replace(FAST, extra_ha_cf=("realtime off",))),
}
HOG = "while True: pass"


def one_case(kind: type, setup: HaSetup, window: float, hogs: int, base: Path) -> list[float]:
    """Jitter samples (ms) of both nodes over ``window`` seconds under ``hogs`` busy loops."""
    with Lab(["server1", "server2"], base_dir=base) as lab:
        cluster = Cluster(lab, [kind, kind], setup)
        try:
            cluster.start_all()
            wait_until(lambda: cluster.vip_holders() == ["server1"], 30, "VIP on server1")
            time.sleep(7)  # past the startup deadtime
            busy = [lab[name].popen([sys.executable, "-c", HOG])
                    for name in lab.names for _ in range(hogs)]  # fmt: skip
            try:
                time.sleep(1)
                pcap = base / "load.pcap"
                with capture(lab, pcap):
                    time.sleep(window)
            finally:  # nsenter forks: the loops themselves end with the lab's PID 1
                for proc in busy:
                    proc.kill()
            samples = [v for values in keepalive_jitter(pcap, 0.2).values() for v in values]
            assert cluster.vip_holders() == ["server1"], "a false failover under load"
            return samples
        finally:
            for member in cluster:
                member.crash()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=30.0, help="seconds recorded per case")
    parser.add_argument("--hogs", type=int, default=4, help="busy loops per node")
    args = parser.parse_args()
    if reason := lab_unavailable():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    began = time.monotonic()
    rows = []
    for name, (kind, setup) in CASES.items():
        if kind is RealHeartbeat and (why := RealHeartbeat.available()):
            rows.append(f"| {name} | - | - | - | - ({why}) |")
            continue
        with tempfile.TemporaryDirectory(prefix="hbtui-jitter-") as tmp:
            got = one_case(kind, setup, args.window, args.hogs, Path(tmp))
        p50, p99 = percentile(got, 50), percentile(got, 99)
        rows.append(f"| {name} | {p50:.2f} | {p99:.2f} | {max(got):.2f} | {len(got)} |")
        print(rows[-1], flush=True)
    took = time.monotonic() - began
    print(f"\n`{machine()}; took {took:.0f} s`; command: `python3 bench/jitter_under_load.py "
          f"--window {args.window:g} --hogs {args.hogs}`\n")  # fmt: skip
    print("| case (keepalive 200 ms, every CPU busy) | jitter p50 ms | p99 ms | worst ms | "
          "intervals |")  # fmt: skip
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
