"""Node kinds that run inside a lab node, behind one small interface, and a cluster of them.

`NodeProcess` is what a scenario needs from either implementation: write the config, start,
graceful stop, crash (power cut), is it running, its log. `RealHeartbeat` runs the Debian package's
Heartbeat 3.0.6 the way the HOWTO does (`/etc/init.d/heartbeat start|stop`). Another kind (hbtui's
own node) only has to implement the same methods; `Cluster` takes any mix of kinds.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from hbtui.lab.commands import LabError, wait_gone
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node

from .haconfig import FAILBACK_LOG, FailbackCall, HaSetup, parse_failback_log

HEARTBEAT_BINARY = Path("/usr/libexec/heartbeat/heartbeat")
HEARTBEAT_INIT = Path("/etc/init.d/heartbeat")
DEBIAN_HA_DIR = Path("/etc/ha.d")
DEBIAN_STATE_DIR = Path("/var/lib/heartbeat")
# Files of a site's own cluster config: never copied from the host into a lab node.
SITE_FILES = ("ha.cf", "haresources", "authkeys", "ipresources")


class NodeProcess(Protocol):
    """One implementation of a cluster node running inside a lab `Node`."""

    node: Node

    def prepare(self, setup: HaSetup) -> None:
        """Write the node's config (and whatever else it needs on disk) before the first start."""

    def start(self) -> None:
        """Start the node; return once its service is launched (not when it owns anything)."""

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful stop: release resources, tell the peers, exit."""

    def crash(self) -> None:
        """Power cut: every process of the node stops at once, nothing is released."""

    def running(self) -> bool:
        """True while the node's service has processes alive."""

    def log_text(self) -> str:
        """The node's own log (ha-log format)."""


class LabNodeProcess:
    """Shared behaviour of node kinds: crash by PID namespace, logs from the node's private dirs."""

    kind = "base"

    def __init__(self, node: Node) -> None:
        self.node = node
        self.setup: HaSetup | None = None
        self.started_at = 0.0

    def prepare(self, setup: HaSetup) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self, timeout: float = 30.0) -> None:
        raise NotImplementedError

    def crash(self) -> None:
        """SIGSTOP every process of the node, then SIGKILL them (master can't restart children)."""
        self.node.kill_all()

    def running(self) -> bool:
        return bool(self.node.processes())

    def log_text(self) -> str:
        path = self.node.host_path("/var/log/ha-log")
        return path.read_text(errors="replace") if path.exists() else ""

    def failback_calls(self) -> list[FailbackCall]:
        """Calls of failback.sh on this node, in order."""
        path = self.node.host_path(FAILBACK_LOG)
        return parse_failback_log(path.read_text()) if path.exists() else []

    def failback_actions(self) -> list[str]:
        """Just the actions of `failback_calls()`."""
        return [call.action for call in self.failback_calls()]

    def wait_failback_actions(self, count: int, timeout: float = 5.0) -> list[str]:
        """Wait (bounded) until failback.sh has logged at least `count` calls; return them all.

        The VIP appears before failback.sh runs (left to right), so tests wait for the log too.
        """
        deadline = time.monotonic() + timeout
        while len(actions := self.failback_actions()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return actions


def copy_tree_skeleton(source: Path, target: Path) -> None:
    """Recreate the directories of `source` (modes and owners) under `target`, no files."""
    for root, dirs, _files in os.walk(source):
        for name in dirs:
            src = Path(root) / name
            dst = target / src.relative_to(source)
            dst.mkdir(parents=True, exist_ok=True)
            stat = src.stat()
            os.chown(dst, stat.st_uid, stat.st_gid)
            dst.chmod(stat.st_mode & 0o7777)


class RealHeartbeat(LabNodeProcess):
    """The Debian package's heartbeat daemon, started and stopped by its init script."""

    kind = "heartbeat"

    def __init__(self, node: Node) -> None:
        super().__init__(node)
        self.outputs: list[str] = []

    @staticmethod
    def available() -> str | None:
        """None when the daemon can run here, else why not."""
        for path in (HEARTBEAT_BINARY, HEARTBEAT_INIT, DEBIAN_HA_DIR / "harc"):
            if not path.exists():
                return f"{path} missing (Debian package heartbeat not installed)"
        return None

    def prepare(self, setup: HaSetup) -> None:
        self.setup = setup
        shutil.copytree(
            DEBIAN_HA_DIR,
            self.node.etc_dir,
            symlinks=True,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(*SITE_FILES),
        )
        copy_tree_skeleton(DEBIAN_STATE_DIR, self.node.state_dir)
        setup.write(self.node.etc_dir)

    def _init_script(self, action: str, timeout: float) -> str:
        done = self.node.run([str(HEARTBEAT_INIT), action], timeout=timeout)
        output = done.stdout + done.stderr
        self.outputs.append(f"== {action} rc={done.returncode}\n{output}")
        if done.returncode != 0:
            raise LabError(f"{self.node.name}: heartbeat {action} rc={done.returncode}: {output}")
        return output

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._init_script("start", timeout=30.0)

    def stop(self, timeout: float = 30.0) -> None:
        self._init_script("stop", timeout=timeout)
        left = wait_gone(self.heartbeat_pids(), timeout)
        if left:
            raise LabError(f"{self.node.name}: heartbeat still running after stop: {left}")

    def heartbeat_pids(self) -> list[int]:
        """Host PIDs of the node's heartbeat processes (master and children)."""
        pids = []
        for pid in self.node.processes():
            try:
                with open(f"/proc/{pid}/comm", encoding="ascii") as handle:
                    if handle.read().strip() == "heartbeat":
                        pids.append(pid)
            except OSError:
                continue
        return pids

    def running(self) -> bool:
        return bool(self.heartbeat_pids())


NodeFactory = Callable[[Node], LabNodeProcess]


class Cluster:
    """A `Lab` plus one node process per node (any mix of kinds), all with the same config."""

    def __init__(
        self,
        lab: Lab,
        kinds: Sequence[NodeFactory],
        setup: HaSetup,
        overrides: Mapping[str, HaSetup] | None = None,
    ) -> None:
        """`overrides` gives some nodes another config (e.g. a wrong key on server2)."""
        if len(kinds) != len(lab.names):
            raise ValueError("one kind per lab node")
        self.lab = lab
        self.setup = setup
        self.members = {name: kind(lab[name]) for name, kind in zip(lab.names, kinds, strict=True)}
        for name, member in self.members.items():
            member.prepare((overrides or {}).get(name, setup))

    def __getitem__(self, name: str) -> LabNodeProcess:
        return self.members[name]

    def __iter__(self) -> Iterator[LabNodeProcess]:
        return iter(self.members.values())

    def start_all(self) -> float:
        """Start every node in list order; return the monotonic time just before the first."""
        began = time.monotonic()
        for member in self:
            member.start()
        return began

    def vip_holders(self) -> list[str]:
        """Nodes that have the VIP configured now."""
        return self.lab.vip_holders(self.setup.vip_ip)
