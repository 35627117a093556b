"""The HOWTO cluster migrated to Corosync + Pacemaker: failover, failback, cold start (root only).

    sudo python3 bench/pacemaker_vs.py [--runs 3] [--tokens derived,300]

For each token (``derived``: what ``hbtui migrate`` derives from the HOWTO's deadtime 5 s, i.e.
2270 ms; a number: ``hbtui migrate --token MS``, which below 2 s also sets the knet pings), a
two-node lab cluster (hbtui/lab/pacemaker.py) gets the output of ``hbtui migrate --out``; the
first bring-up loads the CIB. Then:

- cold start: both nodes powered off and on again (the CIB on disk) -> the VIP's address event
  in server1's namespace;
- ``--runs`` times: power cut of server1 (kill -9 of its PID namespace, link down) -> VIP on
  server2 (failover); server1 powered on -> VIP back on server1 (failback, auto_failback on).

Prints medians (min-max). Heartbeat 3.0.6 and hbtui figures for the same cluster are in
bench/README.md (vs_heartbeat.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hbtui.lab.netns import Lab  # noqa: E402
from hbtui.lab.pacemaker import PacemakerCluster, pacemaker_unavailable  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402

HOWTO = REPO / "hbtui" / "data" / "howto"
VIP = "192.168.10.10"
GROUP = ("IPaddr-192.168.10.10-24", "failback.sh")
NAMES = ["server1", "server2"]


def migrate(work: Path, token: str) -> Path:
    """``hbtui migrate --out`` on a copy of the HOWTO; the output directory."""
    config = work / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    out = work / "migrated"
    argv = [sys.executable, "-m", "hbtui.cli", "migrate", "--config-dir", str(config)]
    argv += ["--out", str(out)] + ([] if token == "derived" else ["--token", token])
    subprocess.run(argv, check=True, capture_output=True, timeout=60, cwd=REPO)
    return out


def placed_on(cluster: PacemakerCluster, node: str, observer: str, timeout: float) -> None:
    cluster.wait_view(
        observer, lambda v: all(v.where(r) == (node,) for r in GROUP), timeout, f"on {node}"
    )


def measure(token: str, runs: int) -> dict[str, list[float]]:
    """Cold start, then ``runs`` failovers and failbacks, for one token setting."""
    found: dict[str, list[float]] = {"cold start": [], "failover": [], "failback": []}
    with tempfile.TemporaryDirectory(prefix="hbtui-pcmk-bench-") as tmp:
        work = Path(tmp)
        out = migrate(work, token)
        with Lab(NAMES, base_dir=work / "lab") as lab:
            cluster = PacemakerCluster(lab, out, work / "ha.d")
            cluster.boot_all()
            cluster.wait_online(NAMES, 60, observer="server1")
            cluster["server1"].cibadmin("--replace", "--xml-file", str(out / "cib.xml"))
            placed_on(cluster, "server1", "server1", 30)
            for node in cluster:
                node.power_cut()
            began = time.monotonic()
            for node in cluster:
                node.power_on()
            up = lab["server1"].wait_for_address(VIP, present=True, timeout=90)
            found["cold start"].append(up - began)
            placed_on(cluster, "server1", "server2", 30)
            for _ in range(runs):
                cut = time.monotonic()
                cluster["server1"].power_cut()
                moved = lab["server2"].wait_for_address(VIP, present=True, timeout=60)
                found["failover"].append(moved - cut)
                placed_on(cluster, "server2", "server2", 30)
                back = time.monotonic()
                cluster["server1"].power_on()
                home = lab["server1"].wait_for_address(VIP, present=True, timeout=60)
                found["failback"].append(home - back)
                placed_on(cluster, "server1", "server2", 30)
    return found


def shown(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", default="derived,300", help="comma-separated: derived or MS")
    args = parser.parse_args()
    reason = lab_unavailable() or pacemaker_unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    started = time.monotonic()
    for token in args.tokens.split(","):
        label = (
            "token derived from deadtime 5 s (2270 ms)"
            if token == "derived"
            else f"token {token} ms"
        )
        found = measure(token, args.runs)
        print(f"Corosync + Pacemaker, HOWTO migrated, {label}:")
        for what, values in found.items():
            print(f"  {what:<11} {shown(values)}")
    print(f"took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
