"""Issue 13 item 4 in the lab: a start that fails and a start that hangs. The group goes on
as Heartbeat's ResourceManager does (the next resource starts), and the operator is told
which resource failed, with its output or its timeout, in ha-log and in the metrics.

haresources: ``server1 IPaddr::192.168.10.10/24 bad.sh failback.sh``; hbtui.conf gives
bad.sh's start a 2 s timeout. Every wait is bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbtui.lab.netns import Lab
from tests.faults.conftest import hbtui_pair
from tests.lab.cluster import Cluster
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import HbtuiNode
from tests.lab.observe import wait_for_vip, wait_until
from tests.metrics.promtext import sample

pytestmark = pytest.mark.lab

SETUP = HaSetup(resources=("bad.sh", "failback.sh"),
                hbtui_settings=("script_timeout.bad.sh = start 2",))  # fmt: skip
VIP = SETUP.vip_ip
BAD_SH = """#!/bin/sh
case "$1" in
  start)
    [ -e /etc/ha.d/bad.hang ] && exec sleep 30
    echo "cannot bind port 80" >&2; exit 1 ;;
  status) echo stopped ;;
esac
exit 0
"""


@pytest.fixture
def cluster(lab: Lab) -> Iterator[Cluster]:
    with hbtui_pair(lab, SETUP) as made:
        for name in lab.names:
            script = Path(made[name].node.etc_dir) / "resource.d" / "bad.sh"
            script.write_text(BAD_SH)
            script.chmod(0o755)
        yield made


def script_runs(member: HbtuiNode, result: str) -> float | None:
    text = member.status("--metrics").stdout
    return sample(text, "hbtui_script_runs_total", resource="bad.sh", op="start", result=result)


def test_a_failing_start_is_said_and_the_group_goes_on(cluster: Cluster) -> None:
    one = cluster["server1"]
    assert isinstance(one, HbtuiNode)
    cluster.start_all()
    wait_for_vip(one.node, VIP, timeout=15)
    wait_until(lambda: "start" in one.failback_actions(), 10, "failback.sh started after bad.sh")
    log = one.log_text()
    assert "ERROR: bad.sh: start returned 1" in log
    assert "cannot bind port 80" in log  # its output, with the failure
    assert script_runs(one, "failed") == 1


def test_a_hanging_start_is_killed_at_its_timeout_and_the_group_goes_on(cluster: Cluster) -> None:
    one = cluster["server1"]
    assert isinstance(one, HbtuiNode)
    (Path(one.node.etc_dir) / "bad.hang").write_text("")
    cluster.start_all()
    up = wait_for_vip(one.node, VIP, timeout=15)
    wait_until(lambda: "start" in one.failback_actions(), 15, "failback.sh started after bad.sh")
    waited = time.monotonic() - up
    print(f"[faults] hanging start: the next resource started {waited:.2f} s after the VIP")
    assert 2.0 <= waited < 6.0  # its 2 s timeout (and the kill's grace), not 30 s
    assert "ERROR: bad.sh: start timed out" in one.log_text()
    assert one.node.processes_running("sleep", "30") == []  # killed, not left behind
    assert script_runs(one, "timeout") == 1
