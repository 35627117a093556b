"""The other nodes of ha.cf as console sources over SSH, and the rename wizard's runners.

``hbtui console`` on a cluster node adds one ``PeerSource`` per other node (a
``PeerSession`` over a strict-known_hosts ``PeerLink``); the other-nodes pane shows each
link's state (a refused host key with the trust commands). ``h`` runs the hostname
wizard over the same links, with ``PeerOptions.local_runner`` for this node (a
``LocalRunner``; a lab test enters the node's namespaces instead). After a rename the
console calls :func:`peers_for` again with the new config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from hbtui.config.model import ClusterConfig
from hbtui.remote import commands
from hbtui.remote.runner import CommandRunner, LocalRunner
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink, PeerTarget
from hbtui.rename.wizard import Execute, MakePlan, wizard_backend
from hbtui.sources.peer import PeerSource

RenameBackend = tuple[MakePlan, Execute]


@dataclass(frozen=True)
class PeerOptions:
    """How this console reaches the other nodes and what the wizard assumes on each.

    ``config_dir``/``state_dir`` are paths on every node (the same everywhere);
    ``target_for(name)`` says how to reach a node (default: by its name, ssh_config may
    map it); ``rename_options`` go to ``read_rename_node`` for every node and
    ``local_rename_options`` on top for this node (e.g. its service manager).
    ``probe_every_s``/``probe_on``: the split-brain probe from each peer's side
    (``peer_arp``; off by default, as ``split_brain_probe`` in hbtui.conf).
    """

    config_dir: PurePosixPath = commands.ETC_HA_D
    state_dir: PurePosixPath = commands.STATE_DIR
    target_for: Callable[[str], PeerTarget] = PeerTarget
    hbtui_program: commands.Argv = commands.HBTUI
    local_runner: CommandRunner = field(default_factory=LocalRunner)
    rename_options: Mapping[str, Any] = field(default_factory=dict)
    local_rename_options: Mapping[str, Any] = field(default_factory=dict)
    probe_every_s: float | None = None
    probe_on: tuple[tuple[str, str], ...] = ()


def peer_sources(config: ClusterConfig, us: str, options: PeerOptions) -> list[PeerSource]:
    """One source per other node of ha.cf."""
    return [
        PeerSource(
            PeerSession(
                PeerLink(options.target_for(name)),
                us,
                config_dir=options.config_dir,
                state_dir=options.state_dir,
                hbtui_program=options.hbtui_program,
            ),
            options.probe_every_s,
            options.probe_on,
        )
        for name in config.peers
        if name != us
    ]


def rename_backend(us: str, peers: Sequence[PeerSource], options: PeerOptions) -> RenameBackend:
    """The wizard over this node (``options.local_runner``) and every peer's SSH link."""
    runners: dict[str, CommandRunner] = {us: options.local_runner}
    for peer in peers:
        runners[peer.node_name] = peer.session.link
    per_node = {
        "config_dir": options.config_dir,
        "state_dir": options.state_dir,
        **options.rename_options,
    }
    options_by_node = {name: per_node for name in runners}
    options_by_node[us] = {**per_node, **options.local_rename_options}
    return wizard_backend(runners, options_by_node)


def peers_for(
    config: ClusterConfig, us: str, options: PeerOptions
) -> tuple[list[PeerSource], RenameBackend]:
    """The other nodes' sources and the wizard over them, for one config."""
    peers = peer_sources(config, us, options)
    return peers, rename_backend(us, peers, options)


def options_for_dirs(config_dir: Path, state_dir: Path) -> PeerOptions:
    """The options of ``hbtui console``: the same directories assumed on every node."""
    return PeerOptions(config_dir=PurePosixPath(config_dir), state_dir=PurePosixPath(state_dir))
