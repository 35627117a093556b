"""Strict known_hosts: which files to trust (the refusal itself is ``hbtui.stream.link``)."""

from __future__ import annotations

from pathlib import Path

USER_KNOWN_HOSTS = Path("~/.ssh/known_hosts")
GLOBAL_KNOWN_HOSTS = Path("/etc/ssh/ssh_known_hosts")


def default_known_hosts() -> list[Path]:
    """The user's and the system's known_hosts files that exist (never none-means-off)."""
    found = []
    for path in (USER_KNOWN_HOSTS.expanduser(), GLOBAL_KNOWN_HOSTS):
        if path.is_file():
            found.append(path)
    return found
