"""ha.cf realtime: SCHED_RR with SCHED_RESET_ON_FORK and locked memory, in a child process
(the test's own process keeps its policy). Root only: SCHED_RR needs CAP_SYS_NICE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hbtui.adapters.realtime import rr_priority

CHILD = """
import json, os, subprocess, sys
from hbtui.adapters.realtime import make_realtime
got = make_realtime(int(sys.argv[1]))
child = subprocess.run([sys.executable, "-c", "import os; print(os.sched_getscheduler(0))"],
                       capture_output=True, text=True, check=True)
with open("/proc/self/status") as status:
    locked = [line.split()[1] for line in status if line.startswith("VmLck:")][0]
print(json.dumps({"got": got.describe(), "problems": got.problems,
                  "policy": os.sched_getscheduler(0),
                  "priority": os.sched_getparam(0).sched_priority,
                  "child_policy": int(child.stdout), "locked_kb": int(locked)}))
"""


def test_priorities_are_clamped_to_the_kernel_range() -> None:
    assert rr_priority(None) == 1 and rr_priority(0) == 1 and rr_priority(500) == 99


@pytest.mark.skipif(os.geteuid() != 0, reason="SCHED_RR and mlockall need root")
def test_the_node_runs_sched_rr_locked_and_its_scripts_do_not() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", CHILD, "7"], capture_output=True, text=True,
                          timeout=30, env=env, check=True)  # fmt: skip
    seen = json.loads(done.stdout)
    assert seen["problems"] == [], seen
    assert seen["got"] == {"policy": "SCHED_RR", "priority": 7, "memory_locked": True}
    assert seen["policy"] & ~os.SCHED_RESET_ON_FORK == os.SCHED_RR and seen["priority"] == 7
    assert seen["child_policy"] == os.SCHED_OTHER  # a forked script runs at normal priority
    assert seen["locked_kb"] > 1000
