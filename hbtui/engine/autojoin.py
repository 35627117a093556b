"""ha.cf ``autojoin``: who may become a member without a ``node`` line (docs/protocol.md §8.1).

Rules (Heartbeat 3.0.6's membership layer; hbtui's additions marked):

- ``none`` (the default): the node list is the membership; a packet from another name is
  rejected (the acceptor's UNKNOWN_SENDER) and counted.
- ``other``: this node must be listed; any other name whose packet authenticates joins.
- ``any``: as ``other``, and this node may be missing from the list too (it adds itself).
- The packet that makes a node join is consumed by the join (the daemon does the same:
  the node is added and its uuid learned, the message goes no further); the next one is
  handled as from any member.
- Joined nodes are remembered in ``hostcache`` (every node with its uuid) and come back
  as members at the next start, still only with ``other``/``any``.
- hbtui: a joined node takes no part in haresources: it holds no group, is never a
  taker, and its resource messages are ignored (the real daemon refuses to start with
  autojoin and haresources at all: "R1 style resource management conflicts with
  autojoin set").
- hbtui: a name must look like a host name (letters, digits, ``.``, ``-``, ``_``, at most
  ``HOST_MAX`` characters) and the cluster stays within ``MAX_NODES`` (the daemon's
  MAXNODE); other names stay rejected as unknown senders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

JOIN_MODES = ("other", "any")
MAX_NODES = 100  # Heartbeat's MAXNODE
HOST_MAX = 64  # HOSTLENG - 1
NULL_UUID = bytes(16)
_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def joins(mode: str) -> bool:
    """Whether ``autojoin mode`` lets unlisted nodes in."""
    return mode in JOIN_MODES


class Joiner:
    """The membership beyond the node list: who joined, and who may."""

    def __init__(self, mode: str, listed: Iterable[str], us: str) -> None:
        self.enabled = joins(mode)
        self.listed = tuple(listed)
        self.us = us
        self.joined: list[str] = []  # in the order they joined
        self.self_added = self.enabled and mode == "any" and us not in self.listed

    def known(self, name: str) -> bool:
        """Listed, joined, or us."""
        return name == self.us or name in self.listed or name in self.joined

    def refusal(self, name: str) -> str | None:
        """Why ``name`` may not join now; None when it may."""
        if not self.enabled:
            return "autojoin none"
        if self.known(name):
            return "already a member"
        if len(name) > HOST_MAX or not _HOST.fullmatch(name):
            return "not a host name"
        if len(self.nodes()) >= MAX_NODES:
            return f"the cluster has {MAX_NODES} nodes already"
        return None

    def add(self, name: str) -> None:
        """``name`` is a member from now on."""
        if not self.known(name):
            self.joined.append(name)

    def nodes(self) -> tuple[str, ...]:
        """Every member, listed first, as a node list answer names them."""
        extra = [self.us] if self.self_added else []
        return (*self.listed, *extra, *self.joined)

    def takes_part(self, name: str) -> bool:
        """Whether ``name`` is a haresources node (listed); joined ones are not (hbtui)."""
        return name in self.listed
