"""``hbtui demo`` for a normal user: the same lab, built inside a user namespace of its own.

The user's ``hbtui demo`` starts ``unshare --user --map-root-user --mount --net --pid --fork
--mount-proc -- python -m hbtui.cli demo ...`` (stdin/stdout/stderr inherited, so the console
gets the terminal). Inside, the demo is root of its own user namespace: it owns the network,
mount and PID namespaces it creates, so ``ip netns``, veth pairs, the bridge, the VIP, ARP and
UDP port 694 work. It mounts a private tmpfs on /run (``ip netns add`` writes /run/netns) and
then builds the lab exactly as root would. The user's process is the PID 1 of the new PID
namespace: when it ends, the kernel kills everything left in it, and the namespaces vanish.

When the kernel forbids user namespaces, ``unavailable_reason`` says what failed and how to
run the demo anyway (sudo, or the sysctl to set).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

INSIDE_MARK = "HBTUI_DEMO_IN_USERNS"
PROC_SYS = Path("/proc/sys")
TOOLS = ("unshare", "ip", "nsenter", "setpriv", "mount")
UNSHARE_ARGS = [
    *("--user", "--map-root-user", "--mount", "--net", "--pid", "--fork"),
    *("--kill-child=KILL", "--mount-proc", "--propagation", "private"),
]
# What the probe does inside a trial namespace: a mount and a link change need the caps.
PROBE_COMMAND = "mount -t tmpfs hbtui-probe /run && ip link set lo up"
FORWARD_GRACE_S = 30.0  # after SIGTERM/SIGHUP the inner demo tears down, then it is killed


def inside() -> bool:
    """True in the demo process that ``run_in_userns`` started (root of its user namespace)."""
    return os.environ.get(INSIDE_MARK) == "1" and os.geteuid() == 0


def _sysctl(proc_sys: Path, name: str) -> str | None:
    """The value of sysctl ``name`` (dots), or None when the kernel has no such knob."""
    try:
        return (proc_sys / name.replace(".", "/")).read_text().strip()
    except OSError:
        return None


def _how_to_run(fix: str | None) -> str:
    ways = "run it with sudo (`sudo hbtui demo`)"
    if fix:
        ways += f", or let normal users create user namespaces (`sudo sysctl -w {fix}`)"
    return f"Without one it needs root: {ways}."


def unavailable_reason(proc_sys: Path = PROC_SYS, probe: bool = True) -> str | None:
    """None when this user can build the demo in a user namespace, else what failed and how to
    run it anyway. ``proc_sys`` points the sysctl checks elsewhere (tests); ``probe`` also
    tries a throw-away namespace, which catches what the sysctls do not (seccomp, AppArmor)."""
    lead = (
        "run as a normal user, it builds its cluster (network namespaces, a bridge with veth "
        "pairs, UTS/mount/PID namespaces per node) in a user namespace of its own,"
    )
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        return f"hbtui demo needs {', '.join(missing)} (Debian: iproute2, util-linux, mount)"
    if _sysctl(proc_sys, "kernel.unprivileged_userns_clone") == "0":
        what = "but kernel.unprivileged_userns_clone = 0 forbids that to normal users."
        return f"{lead} {what} {_how_to_run('kernel.unprivileged_userns_clone=1')}"
    if _sysctl(proc_sys, "user.max_user_namespaces") == "0":
        what = "but user.max_user_namespaces = 0 forbids user namespaces."
        return f"{lead} {what} {_how_to_run('user.max_user_namespaces=15000')}"
    if not probe:
        return None
    failed = probe_failure()
    if failed is None:
        return None
    fix = None
    if _sysctl(proc_sys, "kernel.apparmor_restrict_unprivileged_userns") == "1":
        fix = "kernel.apparmor_restrict_unprivileged_userns=0"
    what = f"but trying one failed here ({failed})."
    return f"{lead} {what} {_how_to_run(fix)}"


def probe_failure(timeout: float = 10.0) -> str | None:
    """Try a throw-away user+mount+net+PID namespace; None when it works, else what it said."""
    argv = ["unshare", *UNSHARE_ARGS, "--", "sh", "-c", PROBE_COMMAND]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{argv[0]}: {exc}"
    if done.returncode == 0:
        return None
    said = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return f"`unshare --user --map-root-user ...` exit {done.returncode}: " + (
        said[-1] if said else "no output"
    )


def prepare_inside() -> None:
    """In the new namespaces: a private tmpfs on /run, so ``ip netns add`` can make /run/netns
    (the host's /run belongs to the real root)."""
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "mode=0755", "hbtui-demo-run", "/run"],
        check=True,
        timeout=10,
        capture_output=True,
    )


def inner_argv(demo_args: Sequence[str]) -> list[str]:
    """The command line that runs ``hbtui <demo_args>`` in new user/mount/net/PID namespaces."""
    return ["unshare", *UNSHARE_ARGS, "--", sys.executable, "-m", "hbtui.cli", *demo_args]


def inner_env(package_parent: str) -> dict[str, str]:
    """The user's environment (the console needs TERM, LANG, ...) plus the inside mark."""
    env = dict(os.environ)
    env[INSIDE_MARK] = "1"
    paths = [package_parent, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


class _Forwarded(Exception):
    """A signal was passed on to the inner demo; wait for it with a deadline now."""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(word) for word in handle.read().split()]
    except OSError:
        return []


def run_in_userns(demo_args: Sequence[str], package_parent: str) -> int:
    """Run the demo inside its own namespaces with the terminal inherited; its exit code.

    Ctrl-C reaches the inner demo from the terminal (same process group). SIGTERM/SIGHUP sent
    to this process are passed on to the inner demo (PID 1 of its namespace, which tears down
    on them); if it has not ended ``FORWARD_GRACE_S`` later, it is killed with everything in it.
    """
    proc = subprocess.Popen(inner_argv(demo_args), env=inner_env(package_parent))

    def forward(signum: int, frame: FrameType | None) -> None:
        # unshare blocks SIGTERM/SIGINT while it waits; its child is the inner demo.
        for pid in _children(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        raise _Forwarded

    handled = (signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    deadline: float | None = None
    try:
        while True:
            try:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                return proc.wait(timeout=timeout)
            except _Forwarded:
                deadline = deadline or time.monotonic() + FORWARD_GRACE_S
            except subprocess.TimeoutExpired:
                proc.kill()  # --kill-child: the inner PID 1, hence its whole namespace, dies
                return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
