"""``hbtui drill`` on two real Heartbeat 3.0.6 daemons (issue 17): run on server1, it
moves the VIP to server2 with the daemon's own hb_standby and back with hb_takeover,
passes, and its report (Markdown and JSON, kept in the state dir) has the per-phase
times and the resource scripts server1's ha-log gives (server2's are said unread: no
sshd there)."""

from __future__ import annotations

import json
import time

import pytest

from hbtui.lab.netns import Lab
from hbtui.lab.nodeproc import NODE_ENV

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HBTUI
from .observe import wait_for_vip, wait_until

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

HOWTO = HaSetup()
VIP = HOWTO.vip_ip
DRILLS = "/var/lib/heartbeat/drills"


def settled(lab: Lab, name: str) -> bool:
    """cl_status on ``name``: both nodes active, its resources not in transition."""
    node = lab[name]
    rsc = node.run(["cl_status", "rscstatus"], timeout=10).stdout.strip()
    peers = [node.run(["cl_status", "nodestatus", n], timeout=10).stdout.strip()
             for n in ("server1", "server2")]  # fmt: skip
    return rsc not in ("", "transition") and peers == ["active", "active"]


def test_a_drill_moves_the_vip_away_and_back_with_the_daemons_own_tools(lab: Lab) -> None:
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], VIP, timeout=25)
    assert cluster["server1"].wait_failback_actions(2, timeout=10)[-1] == "start"
    wait_until(lambda: settled(lab, "server1") and settled(lab, "server2"), 15, "both settled")
    time.sleep(1.0)  # the join's own handshakes are over
    began = time.monotonic()
    argv = [*HBTUI, "drill", "--daemon", "heartbeat", "--timeout", "20"]
    done = lab["server1"].run(argv, timeout=60, env=NODE_ENV)
    took = time.monotonic() - began
    print(f"[lab drill] real daemons: drill took {took:.1f} s\n{done.stdout}{done.stderr}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result: **passed**" in done.stdout
    # no sshd on server2 here: the peer's scripts are said unread, with why
    assert "Scripts run on server2: not read (no SSH link to server2:" in done.stdout
    assert lab["server1"].has_address(VIP) and not lab["server2"].has_address(VIP)
    assert cluster["server2"].failback_actions()[-2:] == ["start", "stop"]  # it held the group
    (kept,) = sorted(lab["server1"].host_path(DRILLS).glob("drill-*.json"))
    report = json.loads(kept.read_text())
    assert report["result"] == "passed"
    moves = {m["name"]: m for m in report["moves"]}
    assert moves["away"]["command"] == "standby" and moves["away"]["to_node"] == "server2"
    assert moves["back"]["command"] == "takeover" and moves["back"]["to_node"] == "server1"
    for move in moves.values():
        assert move["ok"] and move["logged_at"] and move["phases"], move
    assert "scripts_done" in moves["back"]["phases"]
    ops = [(s["resource"].split()[0], s["op"]) for s in report["scripts"]]
    assert ("failback.sh", "stop") in ops and ("failback.sh", "start") in ops
    assert "Phases in server1's ha-log" in kept.with_suffix(".md").read_text()
