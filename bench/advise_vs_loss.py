"""The deadtime advisor against induced loss: predicted vs measured false failovers (root).

    sudo python3 bench/advise_vs_loss.py [--minutes 5] [--only 10,20,30]

Two ``hbtui node`` processes in the namespace lab, keepalive 200 ms. For each loss rate, an
nftables rule in server2's namespace drops that share of its udp/694 packets, both ways
(``numgen random mod 100 < P drop``), and deadtime is set so that false failovers are
frequent enough to count in a few minutes. For ``--minutes``, ``hbtui advise --listen``
runs inside each node (the product path: the node's own gap measurements, the model's rate
for the configured deadtime), and the ha-logs are read for "is dead" declarations. Prints
per node the predicted and the measured count and their ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.haconfig import HaSetup  # noqa: E402
from tests.lab.hbtui_node import CONTROL_SOCKET, ENV, HBTUI, HbtuiNode  # noqa: E402
from tests.lab.observe import drop_traffic, restore_traffic, wait_for_vip  # noqa: E402

KEEPALIVE_MS = 200
# loss % -> deadtime (ms) giving about one to three false failovers a minute at that loss
DEADTIME_MS = {10: 500, 20: 700, 30: 900}


def listen(node: HbtuiNode, seconds: float, deadtime_ms: int) -> subprocess.Popen[str]:
    """``hbtui advise --listen`` inside ``node`` (prints one JSON line per peer at the end)."""
    argv = [
        *HBTUI, "advise", "--listen", str(seconds), "--control-socket", CONTROL_SOCKET,
        "--keepalive", str(KEEPALIVE_MS), "--deadtime", str(deadtime_ms), "--json",
    ]  # fmt: skip
    return node.node.popen(argv, env=ENV, stdout=subprocess.PIPE)


def dead_declarations(node: HbtuiNode) -> int:
    """How many times the node's ha-log says a peer "is dead"."""
    return sum("is dead" in line for line in node.log_text().splitlines())


def one_rate(percent: int, minutes: float) -> list[tuple[str, float, int]]:
    """(node, predicted, measured) for one loss rate."""
    deadtime = DEADTIME_MS[percent]
    setup = HaSetup().with_timers(f"{KEEPALIVE_MS}ms", f"{deadtime // 2}ms", f"{deadtime}ms", "5")
    with Lab(["server1", "server2"]) as lab:
        cluster = Cluster(lab, [HbtuiNode, HbtuiNode], setup)
        cluster.start_all()
        wait_for_vip(lab["server1"], setup.vip_ip, timeout=30)
        time.sleep(3)  # past the startup dt (deadtime + 2 s for 5 s)
        nodes = [cluster["server1"], cluster["server2"]]
        before = {m.node.name: dead_declarations(m) for m in nodes}  # type: ignore[arg-type]
        drop_traffic(lab["server2"], percent, udp_port=setup.udpport)
        seconds = minutes * 60
        procs = {m.node.name: listen(m, seconds, deadtime) for m in nodes}  # type: ignore[arg-type]
        out = []
        try:
            for name, proc in procs.items():
                stdout, _ = proc.communicate(timeout=seconds + 60)
                report = json.loads(stdout.splitlines()[0])
                predicted = report["now"]["false_failovers_per_day"] * seconds / 86_400
                member = cluster[name]
                measured = dead_declarations(member) - before[name]  # type: ignore[arg-type]
                out.append((name, predicted, measured))
        finally:
            restore_traffic(lab["server2"])
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--only", default="10,20,30", help="loss rates in percent")
    args = parser.parse_args()
    why = lab_unavailable()
    if why:
        print(f"cannot run the lab: {why}", file=sys.stderr)
        return 2
    print(f"keepalive {KEEPALIVE_MS} ms, {args.minutes:g} min per loss rate")
    print(f"{'loss':>5} {'deadtime':>9} {'node':>8} {'predicted':>10} {'measured':>9} {'ratio':>6}")
    for percent in (int(p) for p in args.only.split(",")):
        for name, predicted, measured in one_rate(percent, args.minutes):
            ratio = measured / predicted if predicted > 0 else math.inf
            print(
                f"{percent:>4}% {DEADTIME_MS[percent]:>7}ms {name:>8} {predicted:>10.1f} "
                f"{measured:>9} {ratio:>6.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
