"""One lab node: a network namespace plus an anchor process owning UTS, mount, IPC, PID namespaces.

The anchor is `unshare --uts --mount --ipc --pid --fork --mount-proc` started inside the node's
network namespace; its child (PID 1 of the node, `anchor_init.py`) sets the host name and binds the
node's private directories over /etc/ha.d, /var/lib/heartbeat, /var/log, /run, /etc/init.d,
/etc/default and /etc/hosts, and a logging stand-in over reboot/shutdown/halt/poweroff.
`run`/`popen` enter all of those namespaces. /etc/init.d and /etc/default start as copies of
the host's plus hbtui's init script and its settings (this Python, this checkout), so either
daemon can be started and stopped through its own init script.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from hbtui.lab.commands import (
    LabError,
    clean_env,
    read_line_until,
    reap,
    run,
    signal_and_wait,
    wait_gone,
)

ANCHOR_SCRIPT = Path(__file__).with_name("anchor_init.py")
SUBSCRIBE_POLL_S = 0.005  # wait_for_address: how often to look whether `ip monitor` listens yet
# Host directory name (inside the node dir) -> where it is mounted inside the node.
PRIVATE_DIRS = {
    "etc-ha.d": "/etc/ha.d",
    "var-lib-heartbeat": "/var/lib/heartbeat",
    "var-log": "/var/log",
    "run": "/run",
    "etc-init.d": "/etc/init.d",
    "etc-default": "/etc/default",
}
SEEDED_DIRS = ("etc-init.d", "etc-default")  # copied from the host before the bind
HBTUI_INIT = Path(__file__).resolve().parents[1] / "data" / "hbtui.init"
HBTUI_DEFAULTS = (
    "# lab: the init script runs this checkout's hbtui with the lab's Python\nHBTUI={}\n"
)
POWER_COMMANDS = ("/sbin/reboot", "/sbin/shutdown", "/sbin/halt", "/sbin/poweroff")
STANDIN_LOG = "/var/log/lab-standins.log"
STANDIN_SCRIPT = f"""#!/bin/sh
# Lab stand-in for reboot/shutdown/halt/poweroff (and whatever they link to): log, do nothing.
echo "$(date +%s.%3N) $0 $*" >> {STANDIN_LOG}
exit 0
"""


def _unreadable(directory: str, names: list[str]) -> set[str]:
    """copytree's ignore: what this user cannot read stays behind (a normal user's demo)."""
    return {name for name in names if not os.access(os.path.join(directory, name), os.R_OK)}


def _listening(pid: int) -> bool:
    """True once process `pid` holds an rtnetlink socket bound to some multicast group.

    Read from /proc: the netlink table of the process's namespace (columns sk Eth Pid Groups
    ... Inode) against the socket inodes among its open files.
    """
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in fds}
        rows = Path(f"/proc/{pid}/net/netlink").read_text().splitlines()[1:]
    except OSError:  # not started yet, or a descriptor closed while we looked
        return False
    return any(
        fields[1] == "0" and int(fields[3], 16) != 0 and f"socket:[{fields[9]}]" in held
        for fields in (row.split() for row in rows)
    )


@dataclass(frozen=True)
class Address:
    """One IPv4 address as `ip -j addr` shows it in a node."""

    ifname: str
    ip: str
    prefixlen: int
    label: str


def parse_addresses(ip_json: str) -> list[Address]:
    """IPv4 addresses from the output of `ip -j addr show`."""
    found: list[Address] = []
    for link in json.loads(ip_json or "[]"):
        for info in link.get("addr_info", []):
            if info.get("family") == "inet":
                label = str(info.get("label", link["ifname"]))
                found.append(Address(link["ifname"], info["local"], int(info["prefixlen"]), label))
    return found


class Node:
    """A lab node; created and destroyed by `Lab`."""

    def __init__(self, name: str, index: int, netns: str, directory: Path) -> None:
        self.name = name
        self.index = index
        self.netns = netns
        self.directory = directory
        self.ip = f"192.168.10.{index}"
        self.anchor_pid = 0
        self._anchor: subprocess.Popen[str] | None = None
        self._popens: list[subprocess.Popen[str]] = []
        self.bound: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Node({self.name!r}, netns={self.netns!r}, anchor={self.anchor_pid})"

    # -- paths -------------------------------------------------------------------------------
    def host_path(self, inner: str) -> Path:
        """The host path of a file the node sees at `inner` (for the privately bound dirs)."""
        for sub, target in sorted(PRIVATE_DIRS.items(), key=lambda item: -len(item[1])):
            if inner == target or inner.startswith(target + "/"):
                return self.directory / sub / inner[len(target) :].lstrip("/")
        raise ValueError(f"{inner} is not in a private directory of the node")

    @property
    def etc_dir(self) -> Path:
        """Host path of the node's /etc/ha.d."""
        return self.directory / "etc-ha.d"

    @property
    def state_dir(self) -> Path:
        """Host path of the node's /var/lib/heartbeat."""
        return self.directory / "var-lib-heartbeat"

    @property
    def log_dir(self) -> Path:
        """Host path of the node's /var/log."""
        return self.directory / "var-log"

    # -- lifecycle ---------------------------------------------------------------------------
    def _prepare_dirs(self, hosts_text: str) -> list[tuple[str, str]]:
        binds: list[tuple[str, str]] = []
        for sub, target in PRIVATE_DIRS.items():
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
            if sub in SEEDED_DIRS and os.path.isdir(target):
                shutil.copytree(
                    target,
                    self.directory / sub,
                    symlinks=True,
                    dirs_exist_ok=True,
                    ignore=_unreadable,
                )
            if os.path.isdir(target):
                binds.append((str(self.directory / sub), target))
        shutil.copy(HBTUI_INIT, self.directory / "etc-init.d" / "hbtui")
        env = [f"PYTHONPATH={HBTUI_INIT.parents[2]}", "PYTHONDONTWRITEBYTECODE=1"]
        program = ["env", *env, sys.executable, "-m", "hbtui.cli"]
        (self.directory / "etc-default" / "hbtui").write_text(
            HBTUI_DEFAULTS.format(shlex.quote(" ".join(program)))
        )
        for sub in ("run/lock/subsys", "run/resource-agents"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        hosts = self.directory / "hosts"
        hosts.write_text(hosts_text)
        binds.append((str(hosts), "/etc/hosts"))
        standin = self.directory / "standin.sh"
        standin.write_text(STANDIN_SCRIPT)
        standin.chmod(0o755)
        targets = {os.path.realpath(cmd) for cmd in POWER_COMMANDS if os.path.exists(cmd)}
        binds.extend((str(standin), target) for target in sorted(targets))
        return binds

    def start_anchor(
        self, hosts_text: str, timeout: float = 10.0, die_with_parent: bool = True
    ) -> None:
        """Start PID 1 of the node and wait (bounded) until its mounts are in place.

        With `die_with_parent` the node dies when the thread that made it exits (pdeathsig on
        unshare, --kill-child on PID 1), so a killed test run leaves no processes behind.
        """
        binds = self._prepare_dirs(hosts_text)
        argv = ["setpriv", "--pdeathsig", "KILL"] if die_with_parent else []
        argv += ["ip", "netns", "exec", self.netns, "unshare", "--uts", "--mount", "--ipc"]
        argv += ["--pid", "--fork", "--kill-child=KILL", "--mount-proc"]
        argv += ["--propagation", "private", "--"]
        argv += [sys.executable, "-I", str(ANCHOR_SCRIPT), "--hostname", self.name]
        for source, target in binds:
            argv += ["--bind", source, target]
        with open(self.directory / "anchor.err", "w") as err:
            self._anchor = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=clean_env(),
                cwd="/",
            )
        assert self._anchor.stdout is not None
        line = read_line_until(self._anchor.stdout, time.monotonic() + timeout)
        self._anchor.stdout.close()
        if line != "ready\n":
            detail = (self.directory / "anchor.err").read_text()
            raise LabError(f"anchor of {self.name} did not start: {line!r} {detail}")
        self.anchor_pid = self._find_init(self._anchor.pid)
        self.bound = {target: source for source, target in binds}

    @staticmethod
    def _find_init(root_pid: int) -> int:
        """Host PID of the process that is PID 1 of a new PID namespace under `root_pid`."""
        for proc in [psutil.Process(root_pid), *psutil.Process(root_pid).children(recursive=True)]:
            with open(f"/proc/{proc.pid}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("NSpid:") and line.split()[-1] == "1":
                        return int(proc.pid)
        raise LabError(f"no namespace init under pid {root_pid}")

    def destroy(self, timeout: float = 5.0) -> None:
        """Kill PID 1 of the node (the kernel then kills all its processes) and reap our helpers."""
        if self.anchor_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.anchor_pid, signal.SIGKILL)
            wait_gone([self.anchor_pid], timeout)
            self.anchor_pid = 0
        for proc in [*self._popens, *([self._anchor] if self._anchor else [])]:
            reap(proc, timeout)
        self._popens.clear()
        self._anchor = None

    # -- commands inside the node -----------------------------------------------------------
    def enter_argv(self, argv: Sequence[str]) -> list[str]:
        """`argv` prefixed so that it runs in every namespace of the node."""
        if not self.anchor_pid:
            raise LabError(f"{self.name} has no anchor process")
        return ["nsenter", "-t", str(self.anchor_pid), "-m", "-u", "-i", "-n", "-p", "--", *argv]

    def run(
        self,
        argv: Sequence[str],
        timeout: float = 30.0,
        check: bool = False,
        input_text: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` inside the node to completion (bounded)."""
        return run(self.enter_argv(argv), timeout, check, input_text, clean_env(env))

    def popen(
        self, argv: Sequence[str], env: dict[str, str] | None = None, **kwargs: object
    ) -> subprocess.Popen[str]:
        """Start `argv` inside the node; the lab reaps it at teardown."""
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc: subprocess.Popen[str] = subprocess.Popen(  # type: ignore[call-overload]
            self.enter_argv(argv), env=clean_env(env), cwd="/", text=True, **kwargs
        )
        self._popens.append(proc)
        return proc

    # -- processes ----------------------------------------------------------------------------
    def processes(self) -> list[int]:
        """Host PIDs of every live process in the node's PID namespace except its PID 1."""
        if not self.anchor_pid:
            return []
        pidns = os.readlink(f"/proc/{self.anchor_pid}/ns/pid")
        found: list[int] = []
        for pid in psutil.pids():
            if pid == self.anchor_pid:
                continue
            try:
                if os.readlink(f"/proc/{pid}/ns/pid") != pidns:
                    continue
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    found.append(pid)
            except (OSError, psutil.Error):
                continue
        return found

    def processes_running(self, *args: str) -> list[int]:
        """Host PIDs of the node's processes whose command line holds every word of ``args``."""
        wanted = [arg.encode() for arg in args]
        found = []
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    words = handle.read().split(b"\0")
            except OSError:
                continue
            if all(word in words for word in wanted):
                found.append(pid)
        return found

    def kill_all(self, timeout: float = 5.0) -> list[int]:
        """Power cut: SIGSTOP every process of the node (so nobody restarts anybody), then SIGKILL.

        Returns the PIDs killed. PID 1 (the anchor) stays, so the node can be started again.
        """
        stopped: set[int] = set()
        for _round in range(50):
            fresh = [pid for pid in self.processes() if pid not in stopped]
            if not fresh:
                break
            for pid in fresh:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                stopped.add(pid)
        victims = self.processes()
        left = signal_and_wait(victims, signal.SIGKILL, timeout)
        if left:
            raise LabError(f"{self.name}: processes {left} survived SIGKILL for {timeout} s")
        return sorted(stopped | set(victims))

    # -- network ------------------------------------------------------------------------------
    def addresses(self) -> list[Address]:
        """The node's IPv4 addresses (`ip -j addr`, read from the root namespace with -n)."""
        return parse_addresses(run(["ip", "-n", self.netns, "-j", "addr", "show"]).stdout)

    def has_address(self, ip: str) -> bool:
        """True when `ip` is configured on any interface of the node."""
        return any(addr.ip == ip for addr in self.addresses())

    def wait_for_address(self, ip: str, present: bool = True, timeout: float = 30.0) -> float:
        """Wait until `ip` is (or is no longer) on the node; the monotonic time it was seen.

        Starts `ip monitor address` in the node's namespace, waits until it has joined the
        address groups (then no change can slip by), and re-reads the addresses at that point
        and on every event it prints. Raises TimeoutError when `timeout` passes first.
        """
        deadline = time.monotonic() + timeout
        monitor = subprocess.Popen(
            ["ip", "-n", self.netns, "monitor", "address"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=clean_env(),
        )
        assert monitor.stdout is not None
        state = "present" if present else "absent"
        late = TimeoutError(f"{ip} not {state} on {self.name} within {timeout} s")
        try:
            while not _listening(monitor.pid):  # milliseconds: no event source for this
                if monitor.poll() is not None:
                    raise LabError(f"ip monitor in {self.name} exited rc={monitor.returncode}")
                if time.monotonic() >= deadline:
                    raise late
                time.sleep(SUBSCRIBE_POLL_S)
            with selectors.DefaultSelector() as selector:
                selector.register(monitor.stdout, selectors.EVENT_READ)
                while True:
                    seen_at = time.monotonic()
                    if self.has_address(ip) == present:
                        return seen_at
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise late
                    if selector.select(remaining) and not monitor.stdout.readline():
                        raise LabError(f"ip monitor in {self.name} stopped printing events")
        finally:
            monitor.kill()
            monitor.wait(timeout=5)

    def standin_calls(self) -> list[str]:
        """Lines logged by the reboot/shutdown stand-ins (empty when nobody called them)."""
        path = self.host_path(STANDIN_LOG)
        return path.read_text().splitlines() if path.exists() else []
