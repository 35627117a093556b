"""A ping node cut from the owner, hbtui against the real daemon (root only).

    sudo python3 bench/ping_move.py [--runs 3] [--work DIR]

server1, server2 and a ping node ``gw`` (its kernel answers ICMP echo), ha.cf ``ping gw``,
``deadping 5`` and ``respawn hacluster .../ipfail``, HOWTO timers, auto_failback on, as
tests/lab/test_ping_nodes.py builds them. For each pair (two real Heartbeat 3.0.6 daemons with
Debian's ipfail, two hbtui nodes with hbtui's own): cold start, both ipfails settled, then
``--runs`` times: nftables in server1 drops what goes to and comes from gw -> RTM_NEWADDR of
the VIP in server2's namespace (the move); the rules removed -> RTM_NEWADDR in server1's (the
VIP back). Prints medians (min-max) and the ratio hbtui/heartbeat.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from addrwatch import vip_watch  # noqa: E402
from paircompare import compare  # noqa: E402

from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster, LabNodeProcess  # noqa: E402
from tests.lab.observe import restore_traffic, wait_for_vip, wait_until  # noqa: E402
from tests.lab.test_ping_nodes import GW, SETUP, VIP, PingTarget, cut_from, sees_gw  # noqa: E402

# After a start or a return: both ipfails have compared their counts (balanced) and a
# foreign giveup the balance asked for (2 x keepalive, then the standby) is over.
SETTLE_S = 8.0
MOVE_LIMIT_S = 40.0


def settle(cluster: Cluster) -> None:
    """VIP on server1 only, both nodes see gw, the ipfails have had time to agree."""
    wait_until(lambda: cluster.vip_holders() == ["server1"], 30, "VIP on server1 only")
    for name in ("server1", "server2"):
        wait_until(sees_gw(cluster[name], "ping"), 20, f"{name} sees {GW}")
    time.sleep(SETTLE_S)
    if cluster.vip_holders() != ["server1"]:
        raise AssertionError(f"VIP moved while idle: {cluster.vip_holders()}")


TITLE = f"ping node {GW} cut from the owner server1 (deadping 5, ipfail); HOWTO timers"


def measure(kind: type[LabNodeProcess], runs: int, base: Path) -> dict[str, list[float]]:
    """Times of one pair: gw cut from server1 -> VIP on server2; cut lifted -> VIP home."""
    found: dict[str, list[float]] = {"moved to server2": [], "back (cut lifted)": []}
    with Lab(["server1", "server2", "gw"], base_dir=base) as lab:
        cluster = Cluster(lab, [kind, kind, PingTarget], SETUP)
        cluster.start_all()
        wait_for_vip(lab["server1"], VIP, timeout=30)
        for _ in range(runs):
            settle(cluster)
            try:
                with vip_watch(lab["server2"].netns, VIP, MOVE_LIMIT_S) as moved:
                    cut = time.monotonic()
                    cut_from(lab["server1"], GW)
                    found["moved to server2"].append(moved() - cut)
                wait_for_vip(lab["server1"], VIP, present=False, timeout=10)
                with vip_watch(lab["server1"].netns, VIP, MOVE_LIMIT_S) as home:
                    back = time.monotonic()
                    restore_traffic(lab["server1"])
                    found["back (cut lifted)"].append(home() - back)
            finally:
                restore_traffic(lab["server1"])  # no error when already gone
    return found


def main() -> int:
    return compare(
        measure,
        f"ping node {GW} cut from the owner server1 (deadping 5, ipfail); HOWTO timers",
        __doc__ or "",
    )


if __name__ == "__main__":
    sys.exit(main())
