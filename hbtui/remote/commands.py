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
INIT_DIR = PurePosixPath("/etc/init.d")
INIT_SCRIPT = INIT_DIR / "heartbeat"
HBTUI_INIT_SCRIPT = INIT_DIR / "hbtui"
SYSTEMD_UNIT = "heartbeat.service"
HBTUI_UNIT = "hbtui.service"
# The daemons a node may run, by the name of their unit and init script.
HEARTBEAT_NAME = "heartbeat"
HBTUI_NAME = "hbtui"
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
# $1 = the init script dir, then daemon names: one line per name, e.g.
# "hbtui unit=0 script=1 enabled=0" (enabled: systemctl is-enabled, or an S link in rc2-5.d).
_SERVICE_INVENTORY = (
    'dir="$1"; shift; sd=0; [ -d /run/systemd/system ] && sd=1; '
    'for name in "$@"; do unit=0; script=0; enabled=0; '
    'if [ "$sd" = 1 ] && systemctl cat -- "$name.service" >/dev/null 2>&1; then unit=1; '
    'systemctl is-enabled --quiet -- "$name.service" 2>/dev/null && enabled=1; fi; '
    'if [ -x "$dir/$name" ]; then script=1; '
    'for link in /etc/rc[2345].d/S*"$name"; do [ -e "$link" ] && enabled=1; done; fi; '
    'echo "$name unit=$unit script=$script enabled=$enabled"; done'
)
# $1 log, $2 lines of history, $3 mark: history up to the line count read, the mark, then
# tail -F from the next line (nothing between the two is lost or shown twice).
_HISTORY_THEN_FOLLOW = (
    'n=$({ wc -l < "$1"; } 2>/dev/null) || n=0; '
    'head -n "$n" -- "$1" 2>/dev/null | tail -n "$2"; printf "%s\\n" "$3"; '
    'exec tail -n "+$((n + 1))" -F -- "$1"'
)
LIVE_MARK = "--- hbtui: the ha-log lines below are live ---"
# "$@" runs in the background while a watcher reads the channel's stdin: when the console
# closes the channel, sshd closes that stdin and the watcher ends the command. (sshd keeps
# a session as long as its command runs, and refuses SSH "signal" requests for root.)
_UNTIL_CHANNEL_CLOSES = (
    'exec 3<&0; "$@" </dev/null & child=$!; '
    '{ cat >/dev/null; kill -TERM "$child" 2>/dev/null; } <&3 >/dev/null 2>&1 & watcher=$!; '
    'exec 3<&-; wait "$child"; status=$?; kill "$watcher" 2>/dev/null; exit "$status"'
)
_SET_HOSTNAME_FILE = 'hostname "$1" && printf "%s\\n" "$1" > "$2"'


class ServiceKind(StrEnum):
    """How the node's daemon is started and stopped."""

    SYSTEMD = "systemd"
    INIT_SCRIPT = "init-script"
    CUSTOM = "custom"  # given argv (tests, or hbtui run by hand)


@dataclass(frozen=True, slots=True)
class ServiceManager:
    """The argv for stop/start/restart/status of the daemon on one node.

    ``daemon`` says which one it manages (:data:`HEARTBEAT_NAME` or :data:`HBTUI_NAME`):
    standby/takeover are asked of that daemon's own tool.
    """

    kind: ServiceKind
    stop: Argv
    start: Argv
    restart: Argv
    status: Argv
    daemon: str = HEARTBEAT_NAME

    def describe(self) -> str:
        """One line for the console, shown before anything is run."""
        verbs = f"stop = {' '.join(self.stop)}, start = {' '.join(self.start)}"
        return f"{self.daemon} via {self.kind}: {verbs}"


def systemd_service(unit: str = SYSTEMD_UNIT) -> ServiceManager:
    """The daemon of ``unit`` through systemctl (hbtui's for ``hbtui.service``)."""

    def ctl(verb: str) -> Argv:
        return ("systemctl", verb, unit)

    daemon = HBTUI_NAME if unit == HBTUI_UNIT else HEARTBEAT_NAME
    return ServiceManager(
        ServiceKind.SYSTEMD, ctl("stop"), ctl("start"), ctl("restart"), ctl("is-active"), daemon
    )


def init_script_service(script: PurePosixPath = INIT_SCRIPT) -> ServiceManager:
    """The daemon through its SysV init script (hbtui's for ``/etc/init.d/hbtui``)."""

    def run(verb: str) -> Argv:
        return (str(script), verb)

    daemon = HBTUI_NAME if script.name == HBTUI_NAME else HEARTBEAT_NAME
    return ServiceManager(
        ServiceKind.INIT_SCRIPT, run("stop"), run("start"), run("restart"), run("status"), daemon
    )


def service_for(daemon: str, systemd: bool, init_dir: PurePosixPath = INIT_DIR) -> ServiceManager:
    """``daemon``'s unit (``systemd``) or its init script in ``init_dir``."""
    if systemd:
        return systemd_service(HBTUI_UNIT if daemon == HBTUI_NAME else SYSTEMD_UNIT)
    return init_script_service(init_dir / daemon)


def custom_service(
    stop: Argv,
    start: Argv,
    status: Argv,
    restart: Argv | None = None,
    daemon: str = HEARTBEAT_NAME,
) -> ServiceManager:
    """Given argv (tests, or hbtui run by hand); restart defaults to start."""
    return ServiceManager(ServiceKind.CUSTOM, stop, start, restart or start, status, daemon)


# --- reading ---------------------------------------------------------------------------


def uname_n() -> Argv:
    """The node name as heartbeat sees it (before lower-casing)."""
    return ("uname", "-n")


def clock() -> Argv:
    """The node's clock as Unix seconds and its UTC offset: ``1764990000.123456789 +0100``."""
    return ("date", "+%s.%N %z")


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
    """The last ``lines`` lines of a log, :data:`LIVE_MARK`, then new lines across rotation.

    The mark tells history (shown, but stating no current status) from live lines.
    """
    return ("sh", "-c", _HISTORY_THEN_FOLLOW, "sh", str(path), str(lines), LIVE_MARK)


def until_channel_closes(argv: Argv) -> Argv:
    """``argv``, ended with SIGTERM once the channel it runs in is closed (see above)."""
    return ("sh", "-c", _UNTIL_CHANNEL_CLOSES, "sh", *argv)


def command_exists(name: str) -> Argv:
    """Exit 0 when ``name`` is on the peer's PATH."""
    return ("sh", "-c", 'command -v -- "$1" >/dev/null', "sh", name)


def service_inventory(
    names: tuple[str, ...] = (HBTUI_NAME, HEARTBEAT_NAME), init_dir: PurePosixPath = INIT_DIR
) -> Argv:
    """Which of the daemons have a systemd unit / init script here, and which are enabled."""
    return ("sh", "-c", _SERVICE_INVENTORY, "sh", str(init_dir), *names)


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


def hbtui_hold(verb: str, which: str = "all", program: Argv = HBTUI) -> Argv:
    """``hbtui standby|takeover WHICH``: the same request, to an hbtui node's control socket."""
    if verb not in ("standby", "takeover"):
        raise ValueError(f"not a hold request: {verb}")
    return (*program, verb, which)


def write_file(path: PurePosixPath) -> Argv:
    """Replace ``path`` atomically with stdin, keeping its mode (new files get 0600)."""
    return ("sh", "-c", _WRITE_FILE, "sh", str(path))


def set_hostname(name: str, hostname_file: PurePosixPath = HOSTNAME_FILE) -> Argv:
    """Set the running hostname and persist it in ``hostname_file``."""
    return ("sh", "-c", _SET_HOSTNAME_FILE, "sh", name, str(hostname_file))
