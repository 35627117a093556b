"""ha.cf ``realtime`` / ``rtprio``: the node runs SCHED_RR and locks its memory, as Heartbeat
does by default, so keepalives leave on time on a saturated CPU and never wait on swap.

The policy carries SCHED_RESET_ON_FORK: resource scripts (forked) and worker threads run
at normal priority, as the daemon's children do. ``mlockall`` comes from libc through
ctypes (the stdlib has no binding). Each step that fails is said, never fatal: the node
then runs as any process.
"""

from __future__ import annotations

import ctypes
import errno
import os
from dataclasses import dataclass

MCL_CURRENT, MCL_FUTURE = 1, 2  # <sys/mman.h> on Linux


@dataclass(frozen=True, slots=True)
class Realtime:
    """What the node got: its policy and priority, whether its memory is locked, and why not."""

    policy: str  # "SCHED_RR" or "SCHED_OTHER"
    priority: int
    memory_locked: bool
    problems: tuple[str, ...] = ()

    def describe(self) -> dict[str, object]:
        """For the runtime's snapshot."""
        return {"policy": self.policy, "priority": self.priority,
                "memory_locked": self.memory_locked}  # fmt: skip


def rr_priority(wanted: int | None) -> int:
    """The SCHED_RR priority to use: ``wanted`` within the kernel's range, else the lowest."""
    low, high = os.sched_get_priority_min(os.SCHED_RR), os.sched_get_priority_max(os.SCHED_RR)
    return low if wanted is None else max(low, min(high, wanted))


def make_realtime(wanted: int | None) -> Realtime:
    """Switch this process to SCHED_RR at ``wanted`` (see ``rr_priority``) and lock its memory."""
    problems = []
    priority = rr_priority(wanted)
    try:
        os.sched_setscheduler(0, os.SCHED_RR | os.SCHED_RESET_ON_FORK, os.sched_param(priority))
        policy = "SCHED_RR"
    except OSError as exc:
        problems.append(
            f"cannot run SCHED_RR at priority {priority}: {exc.strerror}; the node runs at "
            "normal priority (keepalives may be late on a busy CPU)"
        )
        policy, priority = "SCHED_OTHER", 0
    if os.geteuid() != 0:  # MCL_FUTURE under RLIMIT_MEMLOCK could fail later allocations
        problems.append("memory not locked: not root")
        return Realtime(policy, priority, False, tuple(problems))
    libc = ctypes.CDLL(None, use_errno=True)
    locked = libc.mlockall(MCL_CURRENT | MCL_FUTURE) == 0
    if not locked:
        code = ctypes.get_errno()
        why = (
            "the limit on locked memory is too small (LimitMEMLOCK= in the unit, or run as root)"
            if code in (errno.ENOMEM, errno.EPERM)
            else os.strerror(code)
        )
        problems.append(f"cannot lock the node into memory: {why}")
    return Realtime(policy, priority, locked, tuple(problems))
