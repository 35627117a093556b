"""Issue 13 items 1-3 with two real ``hbtui node`` processes in the namespace lab.

haresources: ``server1 IPaddr::192.168.10.10/24 failback.sh slow.sh``. ``slow.sh`` keeps a
marker in the node's /etc/ha.d while it runs (``status`` says running then); a file
``slow.fail`` makes its stop fail, ``slow.hang`` makes it sleep first. Every wait is bounded.

1. A stop that fails: the node keeps holding (alive, keepalives, no shutdone); the peer
   never starts the resource; CRIT in ha-log and ``stop failed, holding`` in status.
2. A peer restarting while the holder's stop hangs waits for the holder's shutdone.
3. A node starting with the resource left running (a start cut short) stops it first.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbtui.lab.netns import Lab
from tests.lab.cluster import Cluster
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import CONTROL_SOCKET, ENV, HBTUI, HbtuiNode
from tests.lab.observe import wait_for_vip, wait_until

pytestmark = pytest.mark.lab

SETUP = HaSetup(resources=("failback.sh", "slow.sh"), hbtui_settings=())  # hbtui defaults
VIP = SETUP.vip_ip
SLOW_SH = """#!/bin/sh
D=/etc/ha.d
case "$1" in
  start) touch $D/slow.running ;;
  stop)
    [ -e $D/slow.hang ] && sleep "$(cat $D/slow.hang)"
    [ -e $D/slow.fail ] && exit 1
    rm -f $D/slow.running ;;
  status) if [ -e $D/slow.running ]; then echo running; else echo stopped; fi ;;
esac
exit 0
"""


def etc(cluster: Cluster, name: str) -> Path:
    return Path(cluster[name].node.etc_dir)


def marker(cluster: Cluster, name: str) -> Path:
    return etc(cluster, name) / "slow.running"


@pytest.fixture
def cluster(lab: Lab) -> Iterator[Cluster]:
    made = Cluster(lab, [HbtuiNode, HbtuiNode], SETUP)
    for name in lab.names:
        script = etc(made, name) / "resource.d" / "slow.sh"
        script.write_text(SLOW_SH)
        script.chmod(0o755)
    yield made
    for member in made:
        member.crash()


def sigterm(member: HbtuiNode) -> None:
    for pid in member.node_pids():
        os.kill(pid, signal.SIGTERM)


def stays(predicate: object, seconds: float) -> bool:
    """``predicate()`` holds at every check for ``seconds`` (bounded)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not predicate():  # type: ignore[operator]
            return False
        time.sleep(0.1)
    return True


def test_failed_stop_keeps_holding_and_the_peer_never_starts_it(cluster: Cluster) -> None:
    one, two = cluster["server1"], cluster["server2"]
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=30)
    wait_until(marker(cluster, "server1").exists, 30, "slow.sh started on server1")
    (etc(cluster, "server1") / "slow.fail").write_text("")
    began = time.monotonic()
    sigterm(one)  # type: ignore[arg-type]
    wait_until(lambda: "stop failed, holding" in one.log_text(), 10, "CRIT on server1")
    print(f"[faults] stop failure held after {time.monotonic() - began:.2f} s")
    # two deadtimes: server1 lives on, speaks, and server2 never starts slow.sh
    assert stays(lambda: one.running() and not marker(cluster, "server2").exists(), 10)
    assert VIP not in cluster.vip_holders() or cluster.vip_holders() != ["server2"]
    snap = one.snapshot()  # type: ignore[attr-defined]
    assert snap["condition"] == "stop failed, holding" and snap["stop_failed"] == ["slow.sh"]
    assert "shutdown complete" not in one.log_text()
    assert "is dead" not in two.log_text()


def test_restart_during_a_slow_stop_waits_for_the_holder(cluster: Cluster) -> None:
    one, two = cluster["server1"], cluster["server2"]
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=30)
    wait_until(marker(cluster, "server1").exists, 30, "slow.sh started on server1")
    (etc(cluster, "server1") / "slow.hang").write_text("25")
    sigterm(one)  # type: ignore[arg-type]
    two.crash()
    two.start()
    began = time.monotonic()
    # past server2's initdead (10 s): it must not take what server1 still runs
    assert stays(lambda: not marker(cluster, "server2").exists(), 18)
    assert "server2" not in cluster.vip_holders()
    assert "Taking over resource group" not in two.log_text()
    wait_until(marker(cluster, "server2").exists, 30, "server2 takes over after shutdone")
    print(f"[faults] server2 took over {time.monotonic() - began:.2f} s after its restart")
    assert not marker(cluster, "server1").exists()


def test_start_stops_a_resource_left_running(cluster: Cluster) -> None:
    two = cluster["server2"]
    marker(cluster, "server2").write_text("")  # a start cut short by kill -9
    two.start()
    wait_until(lambda: not marker(cluster, "server2").exists(), 15, "slow.sh stopped at start")
    assert "slow.sh reports running but this node does not hold it" in two.log_text()


def test_the_operator_retries_the_stop_then_the_peer_takes_over(cluster: Cluster) -> None:
    """After a failed stop, `hbtui resource retry-stop` (the cause fixed) completes the
    graceful stop: server1 exits, and only then does server2 start slow.sh."""
    one = cluster["server1"]
    assert isinstance(one, HbtuiNode)
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=30)
    wait_until(marker(cluster, "server1").exists, 30, "slow.sh started on server1")
    (etc(cluster, "server1") / "slow.fail").write_text("")
    sigterm(one)
    wait_until(lambda: "stop failed, holding" in one.log_text(), 10, "CRIT on server1")
    assert not marker(cluster, "server2").exists()
    (etc(cluster, "server1") / "slow.fail").unlink()  # the operator fixed the cause
    done = one.node.run([*HBTUI, "resource", "retry-stop", "--control-socket", CONTROL_SOCKET],
                        env=ENV, timeout=20)  # fmt: skip
    assert done.returncode == 0, done.stderr
    wait_until(lambda: not one.running(), 30, "server1 finishes its stop and exits")
    wait_until(marker(cluster, "server2").exists, 30, "server2 takes over")
    assert not marker(cluster, "server1").exists()


def test_cleared_by_hand_releases_the_group(cluster: Cluster) -> None:
    """The stop keeps failing; the operator stops slow.sh by hand and says so with
    `hbtui resource cleared --yes`: server1 releases, server2 takes over."""
    one = cluster["server1"]
    assert isinstance(one, HbtuiNode)
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=30)
    wait_until(marker(cluster, "server1").exists, 30, "slow.sh started on server1")
    (etc(cluster, "server1") / "slow.fail").write_text("")
    sigterm(one)
    wait_until(lambda: "stop failed, holding" in one.log_text(), 10, "CRIT on server1")
    refused = one.node.run([*HBTUI, "resource", "cleared", "--control-socket", CONTROL_SOCKET],
                           env=ENV, timeout=20)  # fmt: skip
    assert refused.returncode == 1 and not marker(cluster, "server2").exists()  # no --yes
    marker(cluster, "server1").unlink()  # stopped by hand
    done = one.node.run(
        [*HBTUI, "resource", "cleared", "--yes", "--control-socket", CONTROL_SOCKET],
        env=ENV, timeout=20,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wait_until(marker(cluster, "server2").exists, 30, "server2 takes over")
    assert "server2" in cluster.vip_holders()
