"""SSH to a lab node: a real OpenSSH ``sshd -i`` run inside the node's namespaces as the
link's ProxyCommand (no TCP needed), with generated host and user keys and a strict
known_hosts naming the node. Tests skip unless :data:`SSHD` exists.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from hbtui.remote.ssh import PeerTarget

from .hbtui_node import ENV as HBTUI_ENV
from .hbtui_node import HBTUI
from .node import Node

SSHD = Path("/usr/sbin/sshd")
# How a command run over SSH inside a lab node starts this checkout's hbtui.
HBTUI_PROGRAM: tuple[str, ...] = ("env", *(f"{k}={v}" for k, v in HBTUI_ENV.items()), *HBTUI)


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
    config = root / "sshd_config"
    config.write_text(
        f"HostKey {host_key}\nAuthorizedKeysFile {root / 'authorized_keys'}\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin yes\nPasswordAuthentication no\n"
        # root's shell startup may run `pyenv rehash`, which waits up to 60 s for a lock that
        # a killed session can leave behind (dev machines; Debian CI has no pyenv)
        "SetEnv PYENV_REHASH_TIMEOUT=1\n"
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
