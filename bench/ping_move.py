"""A ping node cut from the owner, hbtui against the real daemon (root only).

    sudo python3 bench/ping_move.py [--runs 3]

server1, server2 and a ping node ``gw`` (its kernel answers ICMP echo), ha.cf ``ping gw``,
``deadping 5`` and ``respawn hacluster .../ipfail``, HOWTO timers, as
tests/lab/test_ping_nodes.py builds them. For each pair (two real Heartbeat 3.0.6 daemons with
Debian's ipfail, two hbtui nodes with hbtui's own): cold start, then ``--runs`` times:
nftables in server1 cuts gw from it -> the VIP on server2 (the move), the cut lifted -> the
VIP back on server1 (auto_failback on). Prints medians (min-max) and the ratio hbtui/heartbeat.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster, LabNodeProcess, RealHeartbeat  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.hbtui_node import HbtuiNode  # noqa: E402
from tests.lab.observe import restore_traffic, wait_for_vip, wait_until  # noqa: E402
from tests.lab.test_ping_nodes import GW, SETUP, VIP, PingTarget, cut_from, sees_gw  # noqa: E402

PAIRS: dict[str, type[LabNodeProcess]] = {"heartbeat": RealHeartbeat, "hbtui": HbtuiNode}
BALANCED_S = 3.0  # both ipfails have joined and compared their counts


def measure(kind: type[LabNodeProcess], runs: int, base: Path) -> dict[str, list[float]]:
    """Times of one pair: gw cut from server1 -> VIP on server2; cut lifted -> VIP home."""
    found: dict[str, list[float]] = {"ping node cut": [], "ping node back": []}
    with Lab(["server1", "server2", "gw"], base_dir=base) as lab:
        cluster = Cluster(lab, [kind, kind, PingTarget], SETUP)
        cluster.start_all()
        wait_for_vip(lab["server1"], VIP, timeout=30)
        for name in ("server1", "server2"):
            wait_until(sees_gw(cluster[name], "ping"), 20, f"{name} sees {GW}")
        for _ in range(runs):
            time.sleep(BALANCED_S)
            cut = time.monotonic()
            cut_from(lab["server1"], GW)
            try:
                found["ping node cut"].append(wait_for_vip(lab["server2"], VIP, 30) - cut)
            finally:
                restore_traffic(lab["server1"])
            back = time.monotonic()
            found["ping node back"].append(wait_for_vip(lab["server1"], VIP, 40) - back)
            wait_until(lambda: cluster.vip_holders() == ["server1"], 20, "VIP home alone")
            wait_until(sees_gw(cluster["server1"], "ping"), 20, f"server1 sees {GW} again")
    return found


def shown(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reason = lab_unavailable() or RealHeartbeat.available()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    results = {}
    with tempfile.TemporaryDirectory(prefix="hbtui-ping-move-") as tmp:
        for name, kind in PAIRS.items():
            results[name] = measure(kind, args.runs, Path(tmp) / name)
    print(f"ping node {GW} cut from the owner server1 (deadping 5, ipfail); HOWTO timers")
    print(f"{'':<15} {'heartbeat':>22} {'hbtui':>22} {'hbtui/hb':>9}")
    for what in ("ping node cut", "ping node back"):
        hb, ours = results["heartbeat"][what], results["hbtui"][what]
        ratio = statistics.median(ours) / statistics.median(hb)
        print(f"{what:<15} {shown(hb):>22} {shown(ours):>22} {ratio:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
