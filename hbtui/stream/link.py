"""What a link to a peer reports: its state and, when a host key was refused, why.

The vocabulary the SSH layer (``hbtui.remote``) produces and the console shows; pure data,
so the console reads it without importing the SSH layer.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_SSH_PORT = 22


class HostKeyVerdict(StrEnum):
    """Why a host key was refused."""

    UNKNOWN = "unknown"  # known_hosts has no entry for this host
    CHANGED = "changed"  # known_hosts has an entry, with a different key


def known_hosts_label(host: str, port: int) -> str:
    """The host as OpenSSH writes it in known_hosts: ``[host]:port`` off port 22."""
    return host if port == DEFAULT_SSH_PORT else f"[{host}]:{port}"


def trust_commands(
    verdict: HostKeyVerdict, host: str, port: int, known_hosts: Path | None = None
) -> list[str]:
    """The shell lines that would trust this host's current key, to be run by a human."""
    file_arg = "~/.ssh/known_hosts" if known_hosts is None else shlex.quote(str(known_hosts))
    scan = ["ssh-keyscan"]
    if port != DEFAULT_SSH_PORT:
        scan += ["-p", str(port)]
    scan.append(host)
    lines = ["mkdir -p -m 700 ~/.ssh"] if known_hosts is None else []
    if verdict is HostKeyVerdict.CHANGED:
        remove = ["ssh-keygen", "-R", known_hosts_label(host, port)]
        if known_hosts is not None:
            remove += ["-f", str(known_hosts)]
        lines.append(shlex.join(remove))
    lines.append(f"{shlex.join(scan)} >> {file_arg}")
    return lines


@dataclass(frozen=True, slots=True)
class HostKeyRefusal:
    """A peer's host key we refused, with everything the operator needs to decide."""

    verdict: HostKeyVerdict
    host: str
    port: int
    fingerprint: str  # e.g. "SHA256:..." of the key the server presented now
    algorithm: str
    known_fingerprints: tuple[str, ...] = ()  # what known_hosts expected (CHANGED only)
    known_hosts: Path | None = None

    @property
    def commands(self) -> list[str]:
        """Shell lines that would trust the presented key (after checking it out of band)."""
        return trust_commands(self.verdict, self.host, self.port, self.known_hosts)

    def explain(self) -> str:
        """A few lines for the console or the log."""
        where = known_hosts_label(self.host, self.port)
        if self.verdict is HostKeyVerdict.UNKNOWN:
            head = f"host key of {where} is unknown ({self.algorithm} {self.fingerprint})"
        else:
            expected = ", ".join(self.known_fingerprints) or "another key"
            head = (
                f"host key of {where} has CHANGED: it presents {self.algorithm} "
                f"{self.fingerprint}, known_hosts expects {expected}. "
                "This may be a man-in-the-middle; or the peer was reinstalled"
            )
        steps = "; then ".join(self.commands)
        return (
            f"{head}. Refused. Check the fingerprint on the peer's console "
            f"(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub); to trust it run: {steps}"
        )


class LinkState(StrEnum):
    """Where the link to a peer stands."""

    IDLE = "idle"  # not started
    CONNECTING = "connecting"
    UP = "up"
    DOWN = "down"  # lost or failed; a retry is scheduled
    REFUSED = "refused"  # host key unknown or changed: the operator must act
    CLOSED = "closed"  # stopped on purpose


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """A snapshot of the link, for the console's peer panel."""

    node: str
    state: LinkState = LinkState.IDLE
    detail: str = ""
    attempts: int = 0
    retry_in_s: float | None = None
    refusal: HostKeyRefusal | None = None
    since: float = 0.0  # time.time() of the last change
