"""SSH to a lab node: a real OpenSSH ``sshd -i`` run inside the node's namespaces as the
link's ProxyCommand (no TCP needed), with generated host and user keys and a strict
known_hosts naming the node. Tests skip unless :data:`SSHD` exists. Also the hbtui peer
such tests reach: hbtui's node run by its own SysV init script (:class:`HbtuiByInitScript`).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from hbtui.remote.commands import HBTUI_INIT_SCRIPT
from hbtui.remote.ssh import PeerTarget

from .commands import LabError, wait_gone
from .hbtui_node import ENV as HBTUI_ENV
from .hbtui_node import HBTUI, HbtuiNode
from .node import Node

SSHD = Path("/usr/sbin/sshd")
# How a command run over SSH inside a lab node starts this checkout's hbtui.
HBTUI_PROGRAM: tuple[str, ...] = ("env", *(f"{k}={v}" for k, v in HBTUI_ENV.items()), *HBTUI)
INIT = str(HBTUI_INIT_SCRIPT)


def skip_without_sshd() -> None:
    """Skip the calling test unless OpenSSH's server is installed."""
    if not SSHD.exists():
        pytest.skip("OpenSSH server (/usr/sbin/sshd) not installed (Debian: openssh-server)")


class HbtuiByInitScript(HbtuiNode):
    """hbtui's node as a machine runs it: ``/etc/init.d/hbtui start|stop`` inside the node."""

    kind = "hbtui-init"

    def _init(self, verb: str, timeout: float) -> str:
        done = self.node.run([INIT, verb], timeout=timeout)
        if done.returncode != 0:
            detail = done.stdout + done.stderr
            raise LabError(f"{self.node.name}: {INIT} {verb} rc={done.returncode}: {detail}")
        return done.stdout

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._init("start", timeout=40.0)

    def stop(self, timeout: float = 30.0) -> None:
        pids = self.node_pids()
        self._init("stop", timeout=timeout + 5.0)
        left = wait_gone(pids, 5.0)
        if left:
            raise LabError(f"{self.node.name}: hbtui still running after stop: {left}")

    def output(self) -> str:
        """The node's stderr, which the init script sends to /var/log/hbtui-node.log."""
        path = self.node.host_path("/var/log/hbtui-node.log")
        return path.read_text(errors="replace") if path.exists() else ""


def keygen(path: Path) -> Path:
    """A fresh passphrase-less ed25519 key pair at ``path`` (+ ``.pub``)."""
    argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)]
    subprocess.run(argv, check=True, timeout=30)
    return path


def peer_target(node: Node, root: Path) -> PeerTarget:
    """SSH to ``node`` through ``sshd -i`` run inside its namespaces (no TCP needed)."""
    root.mkdir()
    host_key, user_key = keygen(root / "host"), keygen(root / "user")
    (root / "authorized_keys").write_text(user_key.with_suffix(".pub").read_text())
    home = root / "home"
    home.mkdir()
    config = root / "sshd_config"
    config.write_text(
        f"HostKey {host_key}\nAuthorizedKeysFile {root / 'authorized_keys'}\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin yes\nPasswordAuthentication no\n"
        # root's ~/.bashrc may run `pyenv rehash`, which waits 60 s on a lock that any killed
        # session leaves behind (this happened in CI): sessions get an empty HOME instead
        f"SetEnv HOME={home}\n"
    )
    kind, blob = host_key.with_suffix(".pub").read_text().split()[:2]
    known = root / "known_hosts"
    known.write_text(f"{node.name} {kind} {blob}\n")
    node.run(["mkdir", "-p", "/run/sshd"], check=True)  # /run is private to the node
    sshd = [str(SSHD), "-i", "-E", str(root / "sshd.log"), "-f", str(config)]
    return PeerTarget(
        node=node.name,
        host=node.name,
        username="root",
        known_hosts=(known,),
        client_keys=(user_key,),
        config=(),
        use_agent=False,
        proxy_command=tuple(node.enter_argv(sshd)),
    )
