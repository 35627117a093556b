#!/usr/bin/env python3
"""Record a lossy link for the gap histogram's screenshot and ``hbtui advise --log``'s tests.

Root only: it builds the demo cluster (two ``hbtui node`` in namespaces, the HOWTO's ha.cf but
for warntime 2 s and deadtime 10 s: a log then warns of runs of 2 losses, and 25 % loss does
not fail over), opens the console on it headless with ``--record`` (server1 focused), waits
for the steady state, then makes server2 lose LOSS % of its udp/694 traffic (nftables in its
namespace, both ways) for SECONDS and writes:

  tests/console/traces/lossy-link-server1.jsonl   what server1's console received (a trace)
  tests/advise/vectors/ha-log-lossy-link-server1.txt   server1's ha-log over the same time

Both are as recorded but for the lab's host paths of the nodes' private directories
(``/tmp/hbtui-lab-*/server1/etc-ha.d``), written as the node sees them (``/etc/ha.d``).

Usage: sudo python scripts/record_lossy_link.py [SECONDS] [LOSS]   (default 180 s, 25 %)
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hbtui.commands.demo import demo_app, wait_answering  # noqa: E402
from hbtui.lab.demo import HOWTO_DIR, DemoCluster, why_not  # noqa: E402
from hbtui.lab.node import PRIVATE_DIRS  # noqa: E402
from hbtui.sources.tracefile import TraceFile  # noqa: E402
from tests.lab.observe import drop_traffic, restore_traffic  # noqa: E402

TRACE = ROOT / "tests" / "console" / "traces" / "lossy-link-server1.jsonl"
LOG = ROOT / "tests" / "advise" / "vectors" / "ha-log-lossy-link-server1.txt"
STEADY_S = 60.0
TIMERS = {"warntime": "2", "deadtime": "10", "initdead": "20"}


def config_dir(base: Path) -> Path:
    """A copy of the HOWTO config with ``TIMERS`` in its ha.cf."""
    target = base / "ha.d"
    shutil.copytree(HOWTO_DIR, target)
    text = (target / "ha.cf").read_text(encoding="utf-8")
    for name, value in TIMERS.items():
        text = re.sub(rf"^{name} .*$", f"{name} {value}", text, flags=re.MULTILINE)
    (target / "ha.cf").write_text(text, encoding="utf-8")
    return target


def as_node_sees(text: str, node_dirs: list[Path]) -> str:
    """``text`` with each node's private lab directories written as the node sees them."""
    for base in node_dirs:
        for sub, inner in sorted(PRIVATE_DIRS.items(), key=lambda item: -len(item[0])):
            text = text.replace(str(base / sub), inner)
    return text


async def record(cluster: DemoCluster, seconds: float, loss: int) -> None:
    """The console (recording) over the cluster while server2's link loses packets."""
    with TraceFile(TRACE) as sink:
        app = demo_app(cluster, record=sink)
        async with app.run_test(size=(120, 40)) as pilot:
            server2 = app.models["server1"].node("server2")
            async with asyncio.timeout(STEADY_S):
                while len(server2.gaps) < 5:
                    await pilot.pause(0.1)
            lab_node = cluster["server2"].lab_node
            await asyncio.to_thread(drop_traffic, lab_node, loss, 694)
            try:
                await asyncio.sleep(seconds)
            finally:
                await asyncio.to_thread(restore_traffic, lab_node)
            await asyncio.sleep(3.0)  # a few keepalives after the link heals
            await pilot.press("q")


def main() -> int:
    reason = why_not()
    if reason:
        print(f"record_lossy_link: {reason}", file=sys.stderr)
        return 2
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 180.0
    loss = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    TRACE.parent.mkdir(parents=True, exist_ok=True)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as tmp,
        DemoCluster(config_source=config_dir(Path(tmp))) as cluster,
    ):
        cluster.start_all()
        wait_answering(cluster, 20.0)
        asyncio.run(record(cluster, seconds, loss))
        node_dirs = [node.lab_node.directory for node in cluster.nodes.values()]
        halog = cluster["server1"].lab_node.host_path("/var/log/ha-log")
        LOG.write_text(halog.read_text(encoding="utf-8", errors="replace"), encoding="utf-8")
        for path in (TRACE, LOG):
            path.write_text(as_node_sees(path.read_text("utf-8"), node_dirs), "utf-8")
    print(TRACE, LOG, f"done in {time.monotonic() - began:.1f} s", sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
