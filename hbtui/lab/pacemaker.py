"""Corosync 3 + Pacemaker nodes in the namespace lab, configured by ``hbtui migrate``.

A ``Lab`` node (its own network, UTS, mount, IPC and PID namespaces; see ``node.py``) becomes a
Pacemaker node by a boot inside its mount namespace: private /etc/corosync, /var/lib/corosync
and /var/lib/pacemaker (bound from the node directory), a fresh tmpfs on /run and on /dev/shm
(libqb's ring buffers), then ``corosync -f`` and, once it answers, ``pacemakerd``. Nothing runs
in the root namespace: every command goes through the node's nsenter.

A power cut kills the node's PID 1 (so the kernel kills every process of its PID namespace)
and takes its link down; a power-on gives it a new PID 1 and mount namespace, the link and
its own address back (not the VIP a dead node kept), and boots it again.
See docs/pacemaker-in-namespaces.md for why each step is there.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from hbtui.cutover.commands import ClusterStack
from hbtui.lab.commands import LabError, run, wait_gone
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node
from hbtui.migrate.crm_status import ClusterView, parse_crm_mon
from hbtui.remote.commands import ServiceKind

TOOLS = ("corosync", "corosync-cfgtool", "pacemakerd", "cibadmin", "crm_mon")
# node directory name -> where the node sees it
PRIVATE = {
    "etc-corosync": "/etc/corosync",
    "var-lib-corosync": "/var/lib/corosync",
    "var-lib-pacemaker": "/var/lib/pacemaker",
}
SHM_SIZE = "256m"  # libqb IPC: 33-48 MB per idle node
RUN_DIRS = ("/run/crm", "/run/resource-agents", "/run/lock")
POLL_S = 0.2
CONFIG_FILES = ("corosync.conf", "authkey")


def pacemaker_unavailable() -> str | None:
    """None when Corosync and Pacemaker are installed, else what to install."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (
            f"{', '.join(missing)} missing: apt-get install --no-install-recommends corosync "
            "pacemaker pacemaker-cli-utils"
        )
    for path in [*PRIVATE.values(), "/etc/ha.d"]:
        if not Path(path).is_dir():
            return f"{path} does not exist here (the lab binds private copies over it)"
    return None


class PacemakerNode:
    """One lab node running Corosync + Pacemaker."""

    def __init__(self, lab: Lab, node: Node) -> None:
        self.lab = lab
        self.node = node
        self.name = node.name
        self.corosync: subprocess.Popen[str] | None = None
        self.pacemakerd: subprocess.Popen[str] | None = None

    def private(self, sub: str) -> Path:
        """Host path of one of the node's private Pacemaker directories."""
        return self.node.directory / sub

    def make_private(self) -> None:
        """The node's private Pacemaker directories (host side), Debian's tree in each."""
        for sub in PRIVATE:
            self.private(sub).mkdir(parents=True, exist_ok=True)
        # the package's directory tree with its owners (hacluster:haclient)
        run(["cp", "-a", "/var/lib/pacemaker/.", str(self.private("var-lib-pacemaker"))])

    def mount(self) -> None:
        """Mount the private directories inside the node (before anything runs in /run)."""
        for argv in self._mounts():
            self.node.run(argv, check=True)

    def install(self, migration_dir: Path, ha_config: Path) -> None:
        """Put ``hbtui migrate --out`` files and /etc/ha.d in place (host side, node stopped)."""
        self.make_private()
        for name in CONFIG_FILES:
            shutil.copy(migration_dir / name, self.private("etc-corosync") / name)
        (self.private("etc-corosync") / "authkey").chmod(0o400)
        init_d = self.node.directory / "etc-init.d"
        for wrapper in sorted((migration_dir / "init.d").glob("*")):
            shutil.copy(wrapper, init_d / wrapper.name)
            (init_d / wrapper.name).chmod(0o755)
        shutil.copytree(ha_config, self.node.etc_dir, dirs_exist_ok=True)
        (self.node.etc_dir / "authkeys").chmod(0o600)

    def _mounts(self) -> list[list[str]]:
        argvs = [
            ["mount", "--bind", str(self.private(sub)), target] for sub, target in PRIVATE.items()
        ]
        argvs += [
            ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"],
            ["mount", "-t", "tmpfs", "-o", f"mode=1777,size={SHM_SIZE}", "tmpfs", "/dev/shm"],
            [
                "mkdir",
                "-p",
                *RUN_DIRS,
                "/run/lock/subsys",
                "/var/log/pacemaker",
                "/var/log/corosync",
            ],
            ["chown", "hacluster:haclient", "/run/crm", "/var/log/pacemaker"],
        ]
        return argvs

    def boot(self, timeout: float = 30.0) -> None:
        """Mount the private directories, start corosync, wait for it, start pacemakerd."""
        self.mount()
        log = self.node.directory / "daemons.out"
        with open(log, "a") as out:
            self.corosync = self.node.popen(["corosync", "-f"], stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while self.node.run(["corosync-cfgtool", "-s"], timeout=5).returncode != 0:
            if self.corosync.poll() is not None or time.monotonic() > deadline:
                status = self.corosync.poll()
                why = "timed out" if status is None else f"exited {status}"
                raise LabError(f"{self.name}: corosync did not come up ({why}); see {log}")
            time.sleep(POLL_S)
        with open(log, "a") as out:
            self.pacemakerd = self.node.popen(["pacemakerd"], stdout=out, stderr=out)

    def power_cut(self) -> None:
        """kill -9 of the node's PID namespace (its PID 1) and its link down."""
        pid = self.node.anchor_pid
        self.node.destroy()  # SIGKILL of PID 1: the kernel kills its whole PID namespace
        if wait_gone([pid], 5.0):
            raise LabError(f"{self.name}: PID 1 {pid} survived SIGKILL")
        # the dead node's eth0 keeps the VIP: without the link it answers nobody, as powered off
        run(["ip", "-n", self.node.netns, "link", "set", "eth0", "down"])

    def power_on(self) -> None:
        """A new PID 1 and mount namespace, the link up with only the node's own address, boot."""
        netns = self.node.netns
        run(["ip", "-n", netns, "addr", "flush", "dev", "eth0"])
        run(["ip", "-n", netns, "addr", "add", f"{self.node.ip}/24", "dev", "eth0"])
        run(["ip", "-n", netns, "link", "set", "eth0", "up"])
        self.node.start_anchor(self.lab.hosts_text(), die_with_parent=self.lab.die_with_parent)
        self.boot()

    def view(self) -> ClusterView | None:
        """The cluster as this node sees it (None while crm_mon cannot answer)."""
        done = self.node.run(["crm_mon", "-1", "--output-as=xml"], timeout=15)
        if done.returncode != 0 or not done.stdout.strip():
            return None
        return parse_crm_mon(done.stdout)

    def cibadmin(self, *args: str) -> str:
        """Run cibadmin inside the node; its output."""
        return self.node.run(["cibadmin", *args], timeout=30, check=True).stdout

    def has_file(self, inner: str) -> bool:
        """True when ``inner`` exists in the node's own view of the file system."""
        return self.node.run(["test", "-e", inner], timeout=5).returncode == 0

    def log_text(self) -> str:
        """pacemaker.log and corosync.log of the node (for post-mortems)."""
        parts = []
        for name in ("pacemaker/pacemaker.log", "corosync/corosync.log"):
            path = self.node.log_dir / name
            if path.exists():
                parts.append(f"== {name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts)


class PacemakerCluster:
    """The lab's nodes as a Corosync + Pacemaker cluster."""

    def __init__(self, lab: Lab, migration_dir: Path, ha_config: Path) -> None:
        self.lab = lab
        self.nodes = {node.name: PacemakerNode(lab, node) for node in lab}
        for node in self.nodes.values():
            node.install(migration_dir, ha_config)

    def __getitem__(self, name: str) -> PacemakerNode:
        return self.nodes[name]

    def __iter__(self) -> Iterator[PacemakerNode]:
        return iter(self.nodes.values())

    def boot_all(self) -> float:
        """Boot every node; the monotonic time the first one started."""
        began = time.monotonic()
        for node in self:
            node.boot()
        return began

    def wait_view(
        self,
        observer: str,
        check: Callable[[ClusterView], bool],
        timeout: float,
        what: str,
    ) -> tuple[float, ClusterView]:
        """Poll ``observer``'s crm_mon until ``check`` holds; (monotonic time, the view)."""
        deadline = time.monotonic() + timeout
        last: ClusterView | None = None
        while True:
            view = self.nodes[observer].view()
            seen_at = time.monotonic()
            if view is not None:
                last = view
                if check(view):
                    return seen_at, view
            if seen_at > deadline:
                raise TimeoutError(f"{what}: not within {timeout} s (last view: {last})")
            time.sleep(POLL_S)

    def wait_online(self, names: Iterable[str], timeout: float, observer: str) -> float:
        """Wait until ``observer`` sees every node of ``names`` online and a DC elected."""
        wanted = frozenset(names)
        at, _ = self.wait_view(
            observer,
            lambda v: wanted <= v.online and v.dc is not None,
            timeout,
            f"{sorted(wanted)} online with a DC",
        )
        return at


# The stack as a migrated node's service manager runs it, in a lab node (no systemd there):
# corosync in the foreground in its own session, pacemakerd once corosync answers, their PIDs
# kept in /run; stopped by SIGTERM to pacemakerd (a graceful shutdown: resources stopped),
# then corosync-cfgtool -H; each wait bounded. PIDs, never names.
_LAB_START = (
    "setsid corosync -f </dev/null >>/var/log/corosync/corosync.out 2>&1 & "
    "echo $! > /run/lab-corosync.pid; "
    "i=0; until corosync-cfgtool -s >/dev/null 2>&1; do i=$((i+1)); "
    '[ "$i" -gt 150 ] && { echo "corosync did not come up" >&2; exit 1; }; sleep 0.2; done; '
    "setsid pacemakerd </dev/null >>/var/log/pacemaker/pacemakerd.out 2>&1 & "
    "echo $! > /run/lab-pacemakerd.pid; echo started"
)
# $1: a pid file; true while that process lives (a zombie does not count)
_ALIVE = (
    'alive() { p=$(cat "$1" 2>/dev/null) && [ -d "/proc/$p" ] && '
    '! grep -q "^State:.*Z" "/proc/$p/status"; }; '
)
_LAB_STOP = (
    _ALIVE
    + 'if alive /run/lab-pacemakerd.pid; then kill -TERM "$(cat /run/lab-pacemakerd.pid)"; fi; '
    + "i=0; while alive /run/lab-pacemakerd.pid; do i=$((i+1)); "
    + '[ "$i" -gt 300 ] && { echo "pacemakerd did not stop" >&2; exit 1; }; sleep 0.2; done; '
    + "corosync-cfgtool -H >/dev/null 2>&1; "
    + "i=0; while alive /run/lab-corosync.pid && corosync-cfgtool -s >/dev/null 2>&1; do "
    + 'i=$((i+1)); [ "$i" -gt 150 ] && { echo "corosync did not stop" >&2; exit 1; }; '
    + "sleep 0.2; done; echo stopped"
)


def lab_stack(start: tuple[str, ...] | None = None) -> ClusterStack:
    """How the cutover runs Corosync + Pacemaker in a lab node (``start`` replaces the start
    command, e.g. with one that fails)."""
    return ClusterStack(
        ServiceKind.CUSTOM,
        start=(start or ("sh", "-c", _LAB_START),),
        stop=(("sh", "-c", _LAB_STOP),),
        running=("crm_mon", "-1", "--output-as=xml"),
        stopped=("sh", "-c", "! corosync-cfgtool -s >/dev/null 2>&1"),
    )
