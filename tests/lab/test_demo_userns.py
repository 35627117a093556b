"""``hbtui demo`` as a normal user, inside a user namespace of its own (hbtui.lab.userns).

The end-to-end test needs root only to *become* a normal user: it picks a UID with no account
and no processes, runs ``hbtui demo --headless`` as that UID (setpriv), and checks the result
and that no process of that UID is left. Where the interpreter lives under a directory that UID
cannot enter (pyenv under /root), the test shows it the interpreter through a private mount
namespace (a tmpfs over the closed directory with the needed subtree bound back in); nothing on
the machine changes. The unit tests of the "no user namespaces here" message need nothing.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest

from hbtui.commands import demo as demo_command
from hbtui.lab import userns
from hbtui.lab.demo import VIP
from hbtui.lab.nodeproc import PACKAGE_PARENT

UID_RANGE = range(61000, 62000)


# -- the message when the kernel forbids user namespaces --------------------------------------
def fake_proc_sys(tmp_path: Path, **knobs: str) -> Path:
    """A directory shaped like /proc/sys holding only ``knobs`` (dots as double underscores)."""
    for name, value in knobs.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{value}\n")
    return tmp_path


def test_unprivileged_userns_clone_off_says_which_sysctl(tmp_path: Path) -> None:
    proc_sys = fake_proc_sys(tmp_path, kernel__unprivileged_userns_clone="0")
    reason = userns.unavailable_reason(proc_sys, probe=False)
    assert reason is not None
    assert "kernel.unprivileged_userns_clone = 0" in reason
    assert "`sudo hbtui demo`" in reason
    assert "`sudo sysctl -w kernel.unprivileged_userns_clone=1`" in reason


def test_max_user_namespaces_zero_says_which_sysctl(tmp_path: Path) -> None:
    proc_sys = fake_proc_sys(
        tmp_path, kernel__unprivileged_userns_clone="1", user__max_user_namespaces="0"
    )
    reason = userns.unavailable_reason(proc_sys, probe=False)
    assert reason is not None and "user.max_user_namespaces = 0" in reason
    assert "sysctl -w user.max_user_namespaces=15000" in reason


def test_failed_trial_is_quoted_and_apparmor_knob_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "unshare: write failed /proc/self/uid_map: Operation not permitted"
    monkeypatch.setattr(userns, "probe_failure", lambda: said)
    proc_sys = fake_proc_sys(tmp_path, kernel__apparmor_restrict_unprivileged_userns="1")
    reason = userns.unavailable_reason(proc_sys)
    assert reason is not None and said in reason and "sudo hbtui demo" in reason
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in reason


def test_knobs_allowing_and_trial_passing_means_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(userns, "probe_failure", lambda: None)
    proc_sys = fake_proc_sys(tmp_path, user__max_user_namespaces="100")
    assert userns.unavailable_reason(proc_sys) is None


def test_demo_as_normal_user_without_userns_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(userns, "unavailable_reason", lambda: "user.max_user_namespaces = 0")
    monkeypatch.setattr(userns, "run_in_userns", lambda *a: pytest.fail("must not try"))
    assert demo_command.run(argparse.Namespace(headless=True, seconds=1.0)) == 2
    assert capsys.readouterr().err == "hbtui demo: user.max_user_namespaces = 0\n"


def test_demo_as_normal_user_reruns_itself_in_a_user_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[list[str], str]] = []

    def rerun(demo_args: list[str], package_parent: str) -> int:
        calls.append((list(demo_args), package_parent))
        return 7

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(userns, "unavailable_reason", lambda: None)
    monkeypatch.setattr(userns, "run_in_userns", rerun)
    assert demo_command.run(argparse.Namespace(headless=False, seconds=60.0)) == 7
    assert calls == [(["demo", "--seconds", "60.0"], PACKAGE_PARENT)]
    parser = argparse.ArgumentParser()
    demo_command.add_arguments(parser)
    again = parser.parse_args(
        demo_command.demo_argv(argparse.Namespace(headless=True, seconds=3.5))[1:]
    )
    assert (again.headless, again.seconds) == (True, 3.5)


def test_inner_command_and_environment() -> None:
    argv = userns.inner_argv(["demo", "--headless"])
    assert argv[0] == "unshare" and "--map-root-user" in argv and "--mount-proc" in argv
    assert argv[argv.index("--") + 1 :] == [sys.executable, "-m", "hbtui.cli", "demo", "--headless"]
    env = userns.inner_env("/pkg")
    assert env[userns.INSIDE_MARK] == "1" and env["PYTHONPATH"].split(os.pathsep)[0] == "/pkg"


# -- end to end, as a UID with no account ------------------------------------------------------
def unused_uid() -> int:
    """A UID with no account and no process."""
    busy = {proc.info["uids"].real for proc in psutil.process_iter(["uids"]) if proc.info["uids"]}
    for uid in UID_RANGE:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if uid not in busy:
                return uid
    pytest.skip(f"no free UID in {UID_RANGE}")


def closed_ancestor(path: Path) -> tuple[Path, str] | None:
    """The first directory above ``path`` that others cannot enter, and the entry under it."""
    parts = path.resolve().parts
    for depth in range(1, len(parts)):
        directory = Path(*parts[:depth])
        if not directory.stat().st_mode & stat.S_IXOTH:
            return directory, parts[depth]
    return None


def reachable_view_script(paths: list[Path]) -> str:
    """Shell lines (run as root in a private mount namespace) after which every one of
    ``paths`` is reachable by anybody: a tmpfs over each closed directory, the needed entry
    bound back in. Ends by running "$@"."""
    closed = sorted({found for path in paths if (found := closed_ancestor(path))})
    lines = ["set -e", "stage=$(mktemp -d)"]
    for number, (directory, entry) in enumerate(closed):
        source = shlex.quote(str(directory / entry))
        lines += [f'mkdir "$stage"/{number}', f'mount --bind {source} "$stage"/{number}']
    for directory in sorted({directory for directory, _ in closed}):
        lines.append(f"mount -t tmpfs -o mode=0755 hbtui-test {shlex.quote(str(directory))}")
    for number, (directory, entry) in enumerate(closed):
        target = shlex.quote(str(directory / entry))
        lines += [f"mkdir -p {target}", f'mount --move "$stage"/{number} {target}']
    lines += ['rm -rf --one-file-system "$stage"', 'exec "$@"']
    return "\n".join(lines)


def user_argv(uid: int, argv: list[str]) -> list[str]:
    """``argv`` run as ``uid`` (no groups, no capabilities, a small environment)."""
    python = Path(sys.executable)
    view = reachable_view_script([python, Path(sys.base_prefix), Path(PACKAGE_PARENT)])
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    env = ["env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", "HOME=/tmp"]
    env += ["LANG=C.UTF-8", "TERM=dumb", f"PYTHONPATH={PACKAGE_PARENT}"]
    wrapper = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", view, "sh"]
    return [*wrapper, *drop, *env, *argv]


def run_bounded(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, check=False, cwd="/tmp"
    )


def as_user(uid: int, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as ``uid`` to completion (bounded)."""
    return run_bounded(user_argv(uid, argv), timeout)


# Run argv[2:] as root of a new user namespace (mapping root and UID argv[1]) in which
# user.max_user_namespaces is 0: the kernel then refuses user namespaces below it, as a machine
# with the sysctl set to 0 does. Python 3.11 has no os.unshare, hence ctypes.
LIMITED_USERNS = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
go_read, go_write = os.pipe()
ready_read, ready_write = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
        os._exit(99)
    os.write(ready_write, b"u")
    os.read(go_read, 1)
    os.setgid(0)
    os.setuid(0)
    with open("/proc/sys/user/max_user_namespaces", "w") as knob:
        knob.write("0")
    os.execvp(sys.argv[2], sys.argv[2:])
os.read(ready_read, 1)
for name in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{name}", "w") as mapping:
        mapping.write(f"0 0 1\\n{sys.argv[1]} {sys.argv[1]} 1\\n")
os.write(go_write, b"g")
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def processes_of(uid: int) -> list[str]:
    found = []
    for proc in psutil.process_iter(["uids", "cmdline"]):
        if proc.info["uids"] and proc.info["uids"].real == uid:
            found.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])}")
    return found


def test_headless_demo_as_a_normal_user() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run a command as another (unprivileged) UID")
    missing = [tool for tool in ("setpriv", "unshare", "ip") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: util-linux, iproute2)")
    uid = unused_uid()
    probe = "from hbtui.lab.userns import unavailable_reason; print(unavailable_reason() or '')"
    checked = as_user(uid, [sys.executable, "-c", probe], 30)
    if checked.returncode != 0:
        pytest.skip(f"the package is not importable as UID {uid}: {checked.stderr[-500:]}")
    if checked.stdout.strip():
        pytest.skip(checked.stdout.strip())
    done = as_user(
        uid, [sys.executable, "-m", "hbtui.cli", "demo", "--headless", "--seconds", "30"], 120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"VIP {VIP} on server1: yes" in done.stdout
    for name in ("server1", "server2"):
        assert f"== hbtui status on {name} ==" in done.stdout
        assert f"nodestatus {name}: active (this node)" in done.stdout
    assert done.stdout.count(f"({'IPaddr::' + VIP}/24): server1") == 2
    assert processes_of(uid) == []


def test_demo_refused_where_the_kernel_limits_user_namespaces() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run a command as another UID in a limited user namespace")
    if not shutil.which("setpriv") or not shutil.which("unshare"):
        pytest.skip("needs setpriv and unshare (Debian: util-linux)")
    uid = unused_uid()
    demo = user_argv(uid, [sys.executable, "-m", "hbtui.cli", "demo", "--headless"])
    done = run_bounded([sys.executable, "-c", LIMITED_USERNS, str(uid), *demo], 60)
    if done.returncode == 99:
        pytest.skip("this kernel refuses root a user namespace (needed to set the limit)")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("hbtui demo: run as a normal user, it builds its cluster")
    assert "user.max_user_namespaces = 0" in done.stderr
    assert "`sudo hbtui demo`" in done.stderr
    assert "`sudo sysctl -w user.max_user_namespaces=15000`" in done.stderr
    assert processes_of(uid) == []
