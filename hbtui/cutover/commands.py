"""The argv the move to Pacemaker runs on each node (shell snippets take their data as
positional parameters, as in :mod:`hbtui.remote.commands`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from hbtui.remote.commands import Argv, ServiceKind

COROSYNC_DIR = PurePosixPath("/etc/corosync")
STAGING_DIR = PurePosixPath("/var/lib/hbtui/cutover")
BACKUP_DIR = PurePosixPath("/var/backups/hbtui-before-pacemaker")
BACKUP_SUFFIX = ".hbtui-bak"
PACKAGES = ("corosync", "pacemaker", "pacemaker-cli-utils")
TOOLS = ("corosync", "pacemakerd", "cibadmin", "crm_mon", "crm_resource", "crm_verify")

_KEEP_ONE = 'test ! -e "$1" || test -e "$1$2" || cp -p -- "$1" "$1$2"'
_PUT_BACK = 'if [ -e "$1$2" ]; then mv -f -- "$1$2" "$1"; else rm -f -- "$1"; fi'
_WRITE_BASE64 = (
    'umask 277; new="$1.hbtui-new"; rm -f -- "$new"; base64 -d > "$new" || exit 1; '
    'mv -f -- "$new" "$1"'
)
_BACKUP_TREES = 'dest="$1"; shift; mkdir -p -- "$dest" && cp -a -- "$@" "$dest"/'
_HAVE_TOOLS = (
    'missing=""; for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || '
    '[ -x "/usr/sbin/$tool" ] || missing="$missing $tool"; done; '
    'if [ -n "$missing" ]; then echo "missing:$missing"; exit 1; fi; echo "all present"'
)


def keep_original(path: PurePosixPath) -> Argv:
    """Copy ``path`` to ``path.hbtui-bak`` once (the first copy is the one rollback restores)."""
    return ("sh", "-c", _KEEP_ONE, "sh", str(path), BACKUP_SUFFIX)


def put_back(path: PurePosixPath) -> Argv:
    """Restore ``path`` from its backup, or remove it when there was none before."""
    return ("sh", "-c", _PUT_BACK, "sh", str(path), BACKUP_SUFFIX)


def write_base64(path: PurePosixPath) -> Argv:
    """Write the bytes of base64 on stdin to ``path``, mode 0400 (the corosync authkey)."""
    return ("sh", "-c", _WRITE_BASE64, "sh", str(path))


def backup_trees(dest: PurePosixPath, *paths: PurePosixPath) -> Argv:
    """``cp -a`` of ``paths`` into ``dest`` (kept after the move: the way back)."""
    return ("sh", "-c", _BACKUP_TREES, "sh", str(dest), *map(str, paths))


def have_tools(*tools: str) -> Argv:
    """Exit 0 when every tool is on PATH or in /usr/sbin; else print which are missing."""
    return ("sh", "-c", _HAVE_TOOLS, "sh", *tools)


@dataclass(frozen=True, slots=True)
class ClusterStack:
    """How Corosync + Pacemaker are started, stopped and enabled at boot on one node."""

    kind: ServiceKind
    start: tuple[Argv, ...]
    stop: tuple[Argv, ...]
    running: Argv  # crm_mon's XML: says a DC is elected once the cluster can take a CIB
    stopped: Argv  # exit 0 once nothing of the stack runs
    at_boot: tuple[Argv, ...] = ()  # enable the stack, disable heartbeat/hbtui
    at_boot_undo: tuple[Argv, ...] = ()


def systemd_stack(heartbeat_unit: str) -> ClusterStack:
    """Debian's units: pacemaker.service needs corosync.service."""
    return ClusterStack(
        ServiceKind.SYSTEMD,
        start=(("systemctl", "start", "corosync.service", "pacemaker.service"),),
        stop=(("systemctl", "stop", "pacemaker.service", "corosync.service"),),
        running=("crm_mon", "-1", "--output-as=xml"),
        stopped=("sh", "-c", "! systemctl is-active --quiet corosync.service"),
        at_boot=(
            ("systemctl", "disable", heartbeat_unit),
            ("systemctl", "enable", "corosync.service", "pacemaker.service"),
        ),
        at_boot_undo=(
            ("systemctl", "disable", "pacemaker.service", "corosync.service"),
            ("systemctl", "enable", heartbeat_unit),
        ),
    )


def init_script_stack(heartbeat_script: str) -> ClusterStack:
    """SysV init scripts (update-rc.d for boot)."""
    return ClusterStack(
        ServiceKind.INIT_SCRIPT,
        start=(("/etc/init.d/corosync", "start"), ("/etc/init.d/pacemaker", "start")),
        stop=(("/etc/init.d/pacemaker", "stop"), ("/etc/init.d/corosync", "stop")),
        running=("crm_mon", "-1", "--output-as=xml"),
        stopped=("sh", "-c", "! corosync-cfgtool -s >/dev/null 2>&1"),
        at_boot=(
            ("update-rc.d", heartbeat_script, "disable"),
            ("update-rc.d", "corosync", "enable"),
            ("update-rc.d", "pacemaker", "enable"),
        ),
        at_boot_undo=(
            ("update-rc.d", "pacemaker", "disable"),
            ("update-rc.d", "corosync", "disable"),
            ("update-rc.d", heartbeat_script, "enable"),
        ),
    )
