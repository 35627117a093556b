"""A real OpenSSH sshd on 127.0.0.1, started per test with generated keys in tmp_path."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from hbtui.remote.ssh import PeerTarget

SSHD = Path("/usr/sbin/sshd")
START_TIMEOUT_S = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        timeout=30,
    )
    return path


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.settimeout(0.5)
            return conn.recv(4).startswith(b"SSH-")
    except OSError:
        return False


@dataclass
class Sshd:
    """One sshd process and the files around it."""

    root: Path
    port: int
    host_key: Path
    user_key: Path
    config: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def host_pub(self) -> str:
        """The host public key line (``type base64 comment``)."""
        return self.host_key.with_suffix(".pub").read_text().strip()

    def known_hosts_line(self) -> str:
        """A known_hosts line for this server, as ssh-keyscan would write it."""
        kind, blob = self.host_pub.split()[:2]
        return f"[127.0.0.1]:{self.port} {kind} {blob}\n"

    def start(self) -> None:
        """Start sshd -D and wait (bounded) until it greets on the port."""
        log = (self.root / "sshd.log").open("ab")
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(self.config)],
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {(self.root / 'sshd.log').read_text()}")
            if _port_open(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError("sshd did not accept connections in time")

    def stop(self) -> None:
        """Kill our sshd and its per-connection children (found by PID, not by name)."""
        if self.process is not None:
            with contextlib.suppress(psutil.Error):
                children = psutil.Process(self.process.pid).children(recursive=True)
                for child in children:
                    with contextlib.suppress(psutil.Error):
                        child.kill()
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def target(self, known_hosts: Path | None, **extra: object) -> PeerTarget:
        """A PeerTarget for this server with our user key and no agent or ssh_config."""
        return PeerTarget(
            node="server2",
            host="127.0.0.1",
            port=self.port,
            username="root",
            known_hosts=(known_hosts,) if known_hosts else (self.root / "absent",),
            client_keys=(self.user_key,),
            config=(),
            use_agent=False,
            connect_timeout_s=5.0,
            **extra,  # type: ignore[arg-type]
        )


def make_sshd(root: Path, port: int | None = None) -> Sshd:
    """Keys, authorized_keys and sshd_config under ``root``; not started."""
    root.mkdir(parents=True, exist_ok=True)
    host_key = _keygen(root / "host_ed25519", "hbtui-test-host")
    user_key = _keygen(root / "user_ed25519", "hbtui-test-user")
    authorized = root / "authorized_keys"
    authorized.write_text(user_key.with_suffix(".pub").read_text())
    port = port or _free_port()
    home = root / "home"  # sessions start here, away from root's shell startup files
    home.mkdir(exist_ok=True)
    config = root / "sshd_config"
    config.write_text(
        f"Port {port}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {host_key}\n"
        f"AuthorizedKeysFile {authorized}\n"
        f"PidFile {root / 'sshd.pid'}\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin yes\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "LogLevel VERBOSE\n"
        # root's ~/.bashrc may run `pyenv rehash`, which waits 60 s on a lock that any killed
        # session leaves behind (this happened in CI): sessions get an empty HOME instead
        f"SetEnv HOME={home}\n"
    )
    return Sshd(root, port, host_key, user_key, config)


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    """A running sshd on a free 127.0.0.1 port; skipped when it cannot run here."""
    if not SSHD.exists() or shutil.which("ssh-keygen") is None:
        pytest.skip("OpenSSH server (/usr/sbin/sshd) or ssh-keygen not installed")
    if os.geteuid() != 0:
        pytest.skip("sshd needs root here (privilege separation, PermitRootLogin test user)")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    server = make_sshd(tmp_path / "sshd")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def known_hosts(tmp_path: Path, sshd: Sshd) -> Path:
    """A known_hosts file that trusts the test sshd's host key."""
    path = tmp_path / "known_hosts"
    path.write_text(sshd.known_hosts_line())
    return path
