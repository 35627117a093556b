"""The other nodes of ha.cf as console sources over SSH, and the rename wizard's runners.

``hbtui console`` on a cluster node adds one ``PeerSource`` per other node (a
``PeerSession`` over a strict-known_hosts ``PeerLink``); the other-nodes pane shows each
link's state (a refused host key with the trust commands). ``h`` runs the hostname
wizard over the same links, with a ``LocalRunner`` for this node.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from hbtui.config.model import ClusterConfig
from hbtui.remote.runner import CommandRunner, LocalRunner
from hbtui.remote.session import PeerSession, targets_for
from hbtui.remote.source import PeerSource
from hbtui.remote.ssh import PeerLink
from hbtui.rename.wizard import Execute, MakePlan, wizard_backend


def peer_sources(
    config: ClusterConfig, us: str, config_dir: Path, state_dir: Path
) -> list[PeerSource]:
    """One source per other node of ha.cf (same directories assumed on every node)."""
    return [
        PeerSource(
            PeerSession(
                PeerLink(target),
                us,
                config_dir=PurePosixPath(config_dir),
                state_dir=PurePosixPath(state_dir),
            )
        )
        for target in targets_for(config)
        if target.node != us
    ]


def rename_backend(
    us: str, peers: Sequence[PeerSource], config_dir: Path, state_dir: Path
) -> tuple[MakePlan, Execute]:
    """The wizard over this node (local commands) and every peer's SSH link."""
    runners: dict[str, CommandRunner] = {us: LocalRunner()}
    for peer in peers:
        runners[peer.node_name] = peer.session.link
    dirs = {"config_dir": PurePosixPath(config_dir), "state_dir": PurePosixPath(state_dir)}
    return wizard_backend(runners, {name: dirs for name in runners})
