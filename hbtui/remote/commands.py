"""Remote argv, built from lists: the link joins them with shlex.join, nothing is pasted.

Shell snippets that need redirection take their data as positional parameters
(``sh -c SCRIPT sh ARG...``) so that a node name or path is never part of the script text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

ETC_HA_D = PurePosixPath("/etc/ha.d")
STATE_DIR = PurePosixPath("/var/lib/heartbeat")
HA_LOG = PurePosixPath("/var/log/ha-log")
INIT_SCRIPT = PurePosixPath("/etc/init.d/heartbeat")
SYSTEMD_UNIT = "heartbeat.service"
HBTUI_UNIT = "hbtui.service"
HB_STANDBY = PurePosixPath("/usr/share/heartbeat/hb_standby")
HB_TAKEOVER = PurePosixPath("/usr/share/heartbeat/hb_takeover")
HOSTNAME_FILE = PurePosixPath("/etc/hostname")
CONFIG_FILES = ("ha.cf", "haresources", "authkeys")
Argv = tuple[str, ...]
HBTUI: Argv = ("hbtui",)  # non-interactive ssh sessions have a short PATH: override if needed

_WRITE_FILE = (
    'umask 077; new="$1.hbtui-new"; cat > "$new" || exit 1; '
    'if [ -e "$1" ]; then chmod --reference="$1" "$new" 2>/dev/null; fi; '
    'mv -f -- "$new" "$1"'
)
_SET_HOSTNAME_FILE = 'hostname "$1" && printf "%s\\n" "$1" > "$2"'


class ServiceKind(StrEnum):
    """How heartbeat is started and stopped on a node."""

    SYSTEMD = "systemd"
    INIT_SCRIPT = "init-script"
    CUSTOM = "custom"  # given argv (tests, or hbtui run by hand)


@dataclass(frozen=True, slots=True)
class ServiceManager:
    """The argv for stop/start/restart/status of heartbeat on one node."""

    kind: ServiceKind
    stop: Argv
    start: Argv
    restart: Argv
    status: Argv

    def describe(self) -> str:
        """One line for the console, shown before anything is run."""
        return f"{self.kind}: stop = {' '.join(self.stop)}, start = {' '.join(self.start)}"


def systemd_service(unit: str = SYSTEMD_UNIT) -> ServiceManager:
    """heartbeat through systemctl."""

    def ctl(verb: str) -> Argv:
        return ("systemctl", verb, unit)

    return ServiceManager(
        ServiceKind.SYSTEMD, ctl("stop"), ctl("start"), ctl("restart"), ctl("is-active")
    )


def init_script_service(script: PurePosixPath = INIT_SCRIPT) -> ServiceManager:
    """heartbeat through its SysV init script."""

    def run(verb: str) -> Argv:
        return (str(script), verb)

    return ServiceManager(
        ServiceKind.INIT_SCRIPT, run("stop"), run("start"), run("restart"), run("status")
    )


def custom_service(
    stop: Argv, start: Argv, status: Argv, restart: Argv | None = None
) -> ServiceManager:
    """Given argv (tests, or hbtui run by hand); restart defaults to start."""
    return ServiceManager(ServiceKind.CUSTOM, stop, start, restart or start, status)


# --- reading ---------------------------------------------------------------------------


def uname_n() -> Argv:
    """The node name as heartbeat sees it (before lower-casing)."""
    return ("uname", "-n")


def hb_uuid_hex(state_dir: PurePosixPath = STATE_DIR) -> Argv:
    """The hb_uuid bytes as hex pairs (od is in coreutils: no python needed there)."""
    return ("od", "-An", "-tx1", "-v", str(state_dir / "hb_uuid"))


def read_file(path: PurePosixPath) -> Argv:
    """A file's text."""
    return ("cat", "--", str(path))


def config_file(name: str, config_dir: PurePosixPath = ETC_HA_D) -> Argv:
    """One of ha.cf, haresources, authkeys."""
    if name not in CONFIG_FILES:
        raise ValueError(f"not a heartbeat config file: {name}")
    return read_file(config_dir / name)


def ip_addresses() -> Argv:
    """Addresses as JSON (iproute2)."""
    return ("ip", "-j", "addr", "show")


def hbtui_status(follow: bool = False, program: Argv = HBTUI) -> Argv:
    """hbtui's own status: ``--json`` one (indented) snapshot; ``--follow`` JSON lines.

    ``--follow`` prints ``{"type": "snapshot", ...}`` then one event per line.
    ``program`` is how hbtui is started there (a venv path, ``python3 -m hbtui.cli``).
    """
    return (*program, "status", "--follow" if follow else "--json")


def hbtui_query(*args: str, program: Argv = HBTUI) -> Argv:
    """A cl_status-like query of a running hbtui node, e.g. ``nodestatus server1``."""
    return (*program, "status", *args)


def cl_status(*args: str) -> Argv:
    """The real daemon's status tool, e.g. ``cl_status('listnodes')``."""
    return ("cl_status", *args)


def tail_follow(path: PurePosixPath = HA_LOG, lines: int = 200) -> Argv:
    """The last lines of a log, then new lines as they come, across rotation."""
    return ("tail", "-n", str(lines), "-F", "--", str(path))


def command_exists(name: str) -> Argv:
    """Exit 0 when ``name`` is on the peer's PATH."""
    return ("sh", "-c", 'command -v -- "$1" >/dev/null', "sh", name)


def path_is_executable(path: PurePosixPath) -> Argv:
    """Exit 0 when ``path`` is an executable file."""
    return ("test", "-x", str(path))


def systemd_has_unit(unit: str = SYSTEMD_UNIT) -> Argv:
    """Exit 0 when systemd runs here and knows the unit."""
    script = '[ -d /run/systemd/system ] && systemctl cat -- "$1" >/dev/null 2>&1'
    return ("sh", "-c", script, "sh", unit)


# --- acting ----------------------------------------------------------------------------


def delete_hb_uuid(state_dir: PurePosixPath = STATE_DIR) -> Argv:
    """Remove hb_uuid: the node gets a new identity at its next start."""
    return ("rm", "-f", "--", str(state_dir / "hb_uuid"))


def hb_standby(which: str = "all") -> Argv:
    """Give resources to the peer (real daemon's tool)."""
    return (str(HB_STANDBY), which)


def hb_takeover(which: str = "all") -> Argv:
    """Take resources from the peer (real daemon's tool)."""
    return (str(HB_TAKEOVER), which)


def write_file(path: PurePosixPath) -> Argv:
    """Replace ``path`` atomically with stdin, keeping its mode (new files get 0600)."""
    return ("sh", "-c", _WRITE_FILE, "sh", str(path))


def set_hostname(name: str, hostname_file: PurePosixPath = HOSTNAME_FILE) -> Argv:
    """Set the running hostname and persist it in ``hostname_file``."""
    return ("sh", "-c", _SET_HOSTNAME_FILE, "sh", name, str(hostname_file))
