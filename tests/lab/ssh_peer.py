"""SSH to a lab node: a real OpenSSH sshd run inside the node's namespaces with generated
host and user keys and a strict known_hosts naming the node; either ``sshd -i`` as the
link's ProxyCommand, or ``sshd -D`` on a high port reached over TCP from another node.
Tests skip unless :data:`SSHD` exists.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hbtui.lab.commands import LabError
from hbtui.lab.node import Node
from hbtui.remote.ssh import PeerTarget

from .hbtui_node import ENV as HBTUI_ENV
from .hbtui_node import HBTUI

SSHD = Path("/usr/sbin/sshd")
# How a command run over SSH inside a lab node starts this checkout's hbtui.
HBTUI_PROGRAM: tuple[str, ...] = ("env", *(f"{k}={v}" for k, v in HBTUI_ENV.items()), *HBTUI)


def skip_without_sshd() -> None:
    """Skip the calling test unless OpenSSH's server is installed."""
    if not SSHD.exists():
        pytest.skip("OpenSSH server (/usr/sbin/sshd) not installed (Debian: openssh-server)")


def keygen(path: Path) -> Path:
    """A fresh passphrase-less ed25519 key pair at ``path`` (+ ``.pub``)."""
    argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)]
    subprocess.run(argv, check=True, timeout=30)
    return path


# The port sshd listens on inside a node (its own network namespace: nothing else is there).
SSHD_PORT = 47022
# A ProxyCommand's TCP leg, run inside the client's node: stdin/stdout <-> host:port.
_RELAY = (
    "import os, socket, sys, threading\n"
    "conn = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)\n"
    "conn.settimeout(None)\n"
    "def upstream():\n"
    "    while data := os.read(0, 65536):\n"
    "        conn.sendall(data)\n"
    "    conn.shutdown(socket.SHUT_WR)\n"
    "threading.Thread(target=upstream, daemon=True).start()\n"
    "while data := conn.recv(65536):\n"
    "    os.write(1, data)\n"
)


def peer_target(node: Node, root: Path, over_tcp_from: Node | None = None) -> PeerTarget:
    """SSH to ``node``: a real sshd run inside its namespaces, with fresh keys.

    By default ``sshd -i`` is the link's ProxyCommand (no TCP needed). With
    ``over_tcp_from``, ``sshd -D`` listens on node's address, port :data:`SSHD_PORT`, and
    the link's TCP connection starts inside that other node and crosses the lab's bridge,
    as between two servers. The lab's teardown kills that sshd with the node.
    """
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
        f"ListenAddress {node.ip}:{SSHD_PORT}\nPidFile none\n"
    )
    kind, blob = host_key.with_suffix(".pub").read_text().split()[:2]
    known = root / "known_hosts"
    node.run(["mkdir", "-p", "/run/sshd"], check=True)  # /run is private to the node
    sshd = [str(SSHD), "-E", str(root / "sshd.log"), "-f", str(config)]
    if over_tcp_from is None:
        known.write_text(f"{node.name} {kind} {blob}\n")
        port = 22
        proxy = node.enter_argv([*sshd, "-i"])
    else:
        known.write_text(f"[{node.name}]:{SSHD_PORT} {kind} {blob}\n")
        port = SSHD_PORT
        _start_listening(node, [*sshd, "-D"], root / "notify.sock", timeout=10.0)
        relay = [sys.executable, "-c", _RELAY, node.ip, str(SSHD_PORT)]
        proxy = over_tcp_from.enter_argv(relay)
    return PeerTarget(
        node=node.name,
        host=node.name,
        port=port,
        username="root",
        known_hosts=(known,),
        client_keys=(user_key,),
        config=(),
        use_agent=False,
        proxy_command=tuple(proxy),
    )


def _start_listening(node: Node, argv: list[str], notify: Path, timeout: float) -> None:
    """Start ``sshd -D`` in ``node``; return once it listens (bounded).

    Debian's sshd sends systemd's ``READY=1`` to ``$NOTIFY_SOCKET`` right after it binds its
    listening sockets: that datagram is the event waited for.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as ready:
        ready.bind(str(notify))
        deadline = time.monotonic() + timeout
        env = {"NOTIFY_SOCKET": str(notify)}
        node.popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                ready.settimeout(max(deadline - time.monotonic(), 0.001))
                if b"READY=1" in ready.recv(4096).split(b"\n"):
                    return
        except TimeoutError:
            raise LabError(f"sshd in {node.name} not listening within {timeout} s") from None
