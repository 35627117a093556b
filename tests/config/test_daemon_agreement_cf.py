"""hbtui check agrees with the real Heartbeat 3.0.6 daemon on what it refuses to start with.

Each case starts the real daemon once, alone, in fresh network/UTS/mount/PID namespaces (its own
veth eth0, /etc/ha.d and /var/lib/heartbeat bind-mounted from a temp dir, a private /run). The
daemon's parent exits 6 on a configuration error and 0 once it has validated the files and
forked; leaving the PID namespace then kills whatever it started. Needs root, unshare and the
Debian ``heartbeat`` package; skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.config.loader import load_config
from hbtui.config.problems import Severity

pytestmark = pytest.mark.interop

HEARTBEAT = Path("/usr/libexec/heartbeat/heartbeat")
NAMESPACES = ("unshare", "--net", "--uts", "--mount", "--pid", "--fork", "--mount-proc")
HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"

# $1 = case dir, $2 = host name. Every step must work, or the daemon would see the real /etc/ha.d.
RUNNER = """set -e
hostname "$2"
ip link set lo up
ip link add eth0 type veth peer name eth9
ip link set eth0 up
ip link set eth9 up
mount -t tmpfs tmpfs /run
mount --bind "$1/etc" /etc/ha.d
mount --bind "$1/lib" /var/lib/heartbeat
rc=0
"$3" > "$1/out" 2>&1 || rc=$?
echo "$rc" > "$1/rc"
"""


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root (namespaces, bind mounts)"
    if not HEARTBEAT.exists():
        return f"the real daemon is not installed ({HEARTBEAT}; apt install heartbeat)"
    for tool in ("unshare", "ip", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    probe = subprocess.run(
        [
            *NAMESPACES,
            "sh",
            "-c",
            "ip link add eth0 type veth peer name e9 && mount -t tmpfs t /run",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return f"namespaces, veth or mounts fail here: {probe.stderr.strip()}"
    return None


WHY_NOT = _why_not()
Edit = Callable[[Path], None]


def replace_in(name: str, old: str, new: str) -> Edit:
    def edit(etc: Path) -> None:
        text = (etc / name).read_text()
        assert old in text
        (etc / name).write_text(text.replace(old, new, 1))

    return edit


def chmod(name: str, mode: int) -> Edit:
    return lambda etc: (etc / name).chmod(mode)


def write(name: str, text: str) -> Edit:
    return lambda etc: (etc / name).write_text(text)


def ha_cf(old: str, new: str) -> Edit:
    return replace_in("ha.cf", old, new)


# case -> (edit of the HOWTO files, host name, daemon starts?, hbtui finds no error?)
S1 = "server1"
CASES: dict[str, tuple[Edit | None, str, bool, bool]] = {
    "howto": (None, S1, True, True),
    "authkeys-644": (chmod("authkeys", 0o644), S1, False, False),
    "authkeys-604": (chmod("authkeys", 0o604), S1, False, False),
    "authkeys-620": (chmod("authkeys", 0o620), S1, True, True),
    "not-in-node-list": (None, "server3", False, False),
    "deadtime-2x-keepalive": (ha_cf("deadtime 5", "deadtime 2"), S1, False, False),
    "initdead-below-deadtime": (ha_cf("initdead 10", "initdead 4"), S1, False, False),
    "initdead-8": (ha_cf("initdead 10", "initdead 8"), S1, True, True),
    "warntime-0": (ha_cf("warntime 3", "warntime 0"), S1, False, False),
    "warntime-above-deadtime": (ha_cf("warntime 3", "warntime 7"), S1, True, True),
    "time-with-s-suffix": (ha_cf("keepalive 1", "keepalive 1s"), S1, False, False),
    "time-in-ms": (ha_cf("keepalive 1", "keepalive 500ms"), S1, True, True),
    "duplicate-node": (
        ha_cf("node server1 server2", "node server1 server2 Server1"),
        S1,
        True,
        True,
    ),
    "udpport-after-ucast": (ha_cf("udpport 694", "udpport 7010"), S1, True, True),
    "auto-failback-yes": (ha_cf("auto_failback on", "auto_failback yes"), S1, True, True),
    "comment-after-value": (ha_cf("deadtime 5", "deadtime 5 # s"), S1, True, True),
    "haresources-unknown-node": (
        replace_in("haresources", "server1 ", "server3 "),
        S1,
        False,
        False,
    ),
    "missing-auth-directive": (write("authkeys", "1 sha1 k\n"), S1, False, False),
    "key-index-not-found": (write("authkeys", "auth 2\n1 sha1 k\n"), S1, False, False),
    "sha1-without-key": (write("authkeys", "auth 1\n1 sha1\n"), S1, False, False),
    # an unknown directive: both refuse the file (issue 16)
    "unknown-directive": (ha_cf("keepalive 1", "keepalve 1"), S1, False, False),
    # deliberate difference: hbtui refuses what would only fail at takeover time
    "missing-script": (replace_in("haresources", "failback.sh", "nosuch.sh"), S1, True, False),
}


def daemon_starts(case_dir: Path, host: str) -> tuple[bool, str]:
    """Run the real daemon on ``case_dir/etc`` as ``host``; whether it started, and its output."""
    proc = subprocess.run(
        [*NAMESPACES, "sh", "-c", RUNNER, "sh", str(case_dir), host, str(HEARTBEAT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    rc = int((case_dir / "rc").read_text())
    assert rc in (0, 6), (rc, (case_dir / "out").read_text())
    return rc == 0, (case_dir / "out").read_text(errors="replace")


@pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")
@pytest.mark.parametrize("case", sorted(CASES))
def test_hbtui_check_agrees_with_the_real_daemon(case: str, tmp_path: Path) -> None:
    edit, host, daemon_ok, hbtui_ok = CASES[case]
    etc = tmp_path / "etc"
    shutil.copytree(HOWTO, etc)
    (tmp_path / "lib").mkdir()
    (etc / "authkeys").chmod(0o600)
    ha_cf = etc / "ha.cf"
    ha_cf.write_text(ha_cf.read_text().replace("/var/log/", f"{tmp_path}/"))
    if edit is not None:
        edit(etc)
    _, problems = load_config(etc, host)
    errors = [str(p) for p in problems if p.severity is Severity.ERROR]
    started, output = daemon_starts(tmp_path, host)
    assert started is daemon_ok, output
    assert (not errors) is hbtui_ok, errors
