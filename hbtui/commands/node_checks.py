"""Checks ``hbtui node`` makes once before starting, each a one-line "cannot start:" message."""

from __future__ import annotations

import os
from pathlib import Path

from hbtui.config.model import ClusterConfig

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


def no_log_warning(config: ClusterConfig) -> str | None:
    """The warning when ha.cf names neither a log file nor a syslog facility."""
    cf = config.ha_cf
    facility = (cf.logfacility or "").lower()
    if cf.logfile is None and cf.debugfile is None and facility in ("", "none"):
        return (
            "sets no logfile, debugfile or logfacility: the log goes to stderr only;"
            " add `logfacility local0` or `logfile /var/log/ha-log`"
        )
    return None
