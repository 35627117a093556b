"""Checks ``hbtui node`` makes once before starting, each a one-line "cannot start:" message."""

from __future__ import annotations

import os
from pathlib import Path

from hbtui.config.logd_cf import log_plan
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import Problem, Severity

CAP_NET_RAW = 13
CAP_NET_ADMIN = 12


def _effective_caps() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except (OSError, ValueError):
        pass
    return 0


def privilege_problem(state_dir: Path) -> str | None:
    """Why this process cannot run a node (not root and missing capabilities/access), or None."""
    caps = _effective_caps()
    has_caps = all(caps >> bit & 1 for bit in (CAP_NET_ADMIN, CAP_NET_RAW))
    if os.geteuid() == 0 and has_caps:
        return None
    if has_caps and _writable(state_dir):
        return None
    return (
        "cannot start: hbtui node needs root (or CAP_NET_ADMIN + CAP_NET_RAW and write access"
        f" to {state_dir}); run it as root or from the hbtui.service unit"
    )


def state_dir_problem(state_dir: Path) -> str | None:
    """Why ``state_dir`` cannot hold a node's state (a file in the way, read-only), or None."""
    path = state_dir
    try:
        while not path.exists() and not path.is_symlink() and path != path.parent:
            path = path.parent
        if not path.is_dir():
            where = "is" if path == state_dir else f"is under {path}, which is"
            return (
                f"cannot start: {state_dir}: {where} not a directory; remove or move it, or"
                " give another --state-dir"
            )
    except OSError as exc:
        return f"cannot start: {state_dir}: {exc.strerror or exc}; give another --state-dir"
    if not os.access(path, os.W_OK | os.X_OK):
        what = "is" if path == state_dir else f"cannot be made in {path}, which is"
        return (
            f"cannot start: {state_dir}: {what} not writable (read-only or permissions);"
            " fix it or give another --state-dir"
        )
    return None


def _writable(path: Path) -> bool:
    """Can we write ``path``, or create it in its nearest existing parent?"""
    try:
        while not path.exists() and path != path.parent:
            path = path.parent
    except OSError:  # a parent we may not even look into
        return False
    return os.access(path, os.W_OK)


def no_log_warning(config: ClusterConfig) -> Problem | None:
    """The warning when the lines would reach no file and no syslog (stderr only)."""
    plan = log_plan(config)
    if not plan.silent:
        return None
    if plan.through_logd and config.logd is not None:
        text = (
            "sets no logfile or debugfile and logfacility none: ha_logd would write nowhere "
            "and the log goes to stderr only; add `logfile /var/log/ha-log` here"
        )
        return Problem(Severity.WARNING, text, config.logd.path)
    text = (
        "sets no logfile, debugfile or logfacility: the log goes to stderr only;"
        " add `logfacility local0` or `logfile /var/log/ha-log`"
    )
    return Problem(Severity.WARNING, text, config.ha_cf.path)
