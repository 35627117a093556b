"""Failover over two links with one of them cut, hbtui against the real daemon (root only).

    sudo python3 bench/two_links.py [--runs 3] [--work DIR]

Two nodes with ``bcast eth0`` and ``ucast eth1`` (a veth between them, as
tests/lab/test_media.py builds it), HOWTO timers. For each pair (two real Heartbeat 3.0.6
daemons, two hbtui nodes): cold start, eth1 cut on server1 by nftables (the cluster runs on
eth0 alone; nobody fails over), then ``--runs`` times: power cut of server1 -> the VIP on
server2 (failover), server1 started again -> VIP home. Prints medians (min-max) and the
ratio hbtui/heartbeat.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from paircompare import compare  # noqa: E402

from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster, LabNodeProcess  # noqa: E402
from tests.lab.observe import wait_for_vip, wait_until  # noqa: E402
from tests.lab.test_media import TWO_LINKS, VIP, cut_eth1, second_link  # noqa: E402

TITLE = "two links (bcast eth0 + ucast eth1), eth1 cut on server1; HOWTO timers"


def measure(kind: type[LabNodeProcess], runs: int, base: Path) -> dict[str, list[float]]:
    """Failover and failback times of one pair with eth1 cut on server1."""
    found: dict[str, list[float]] = {"failover": [], "failback": []}
    with Lab(["server1", "server2"], base_dir=base) as lab:
        second_link(lab)
        cluster = Cluster(lab, [kind, kind], TWO_LINKS)
        cluster.start_all()
        wait_for_vip(lab["server1"], VIP, timeout=30)
        cut_eth1(lab["server1"])
        time.sleep(7.0)  # eth1 declared dead on both sides (deadtime 5 s); no failover
        assert cluster.vip_holders() == ["server1"], cluster.vip_holders()
        for _ in range(runs):
            crashed = time.monotonic()
            cluster["server1"].crash()
            found["failover"].append(wait_for_vip(lab["server2"], VIP, timeout=15) - crashed)
            lab["server1"].run(["ip", "addr", "del", f"{VIP}/24", "dev", "eth0"], timeout=10)
            back = time.monotonic()
            cluster["server1"].start()
            found["failback"].append(wait_for_vip(lab["server1"], VIP, timeout=40) - back)
            wait_until(lambda: cluster.vip_holders() == ["server1"], 20, "VIP home alone")
            time.sleep(7.0)  # past the restarted node's startup deadtime
    return found


def main() -> int:
    return compare(
        measure,
        "two links (bcast eth0 + ucast eth1), eth1 cut on server1; HOWTO timers",
        __doc__ or "",
    )


if __name__ == "__main__":
    sys.exit(main())
