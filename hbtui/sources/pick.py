"""Which source ``hbtui console`` reads on this machine (see ``hbtui.commands.console``).

Order: a real ``heartbeat`` daemon (watch, read-only) -> an ``hbtui node`` answering on
the control socket (attach) -> a node that could run here (embedded), which the console
only offers to start (``--embedded`` starts it at once). The console never starts a second
node where one already runs, and never starts one without being asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hbtui.config.loader import load_config
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import Severity
from hbtui.stream.source import NodeSource


@dataclass
class Picked:
    """The chosen source and how the app should treat it."""

    source: NodeSource
    autostart: bool = False
    stop_on_quit: bool = False
    udpport: int = 694


def _same_netns(pid: int) -> bool:
    """Whether ``pid`` shares our network namespace (unreadable: assume it does)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net")
    except OSError:
        return True


def find_heartbeat() -> int | None:
    """The pid of the real heartbeat daemon's master process on this node, if one runs.

    A daemon in another network namespace (a lab, a container) is another node.
    """
    import psutil  # type: ignore[import-untyped]

    found: list[tuple[bool, int]] = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        name = proc.info.get("name") or ""
        argv = " ".join(proc.info.get("cmdline") or [])
        if (name == "heartbeat" or argv.startswith("heartbeat:")) and _same_netns(proc.pid):
            found.append(("master control process" not in argv, proc.pid))
    return min(found)[1] if found else None


def _extras(config: ClusterConfig | None) -> dict[str, Any]:
    from hbtui.sources.embedded import config_extras

    return config_extras(config) if config is not None else {}


def pick_source(
    config_dir: Path,
    state_dir: Path,
    control_socket: Path,
    node_name: str | None = None,
    mode: str = "auto",
) -> Picked | str:
    """The source to read, or a sentence saying why none can be opened.

    ``mode`` other than ``auto`` skips the detection (the operator knows better);
    embedded still refuses when a node answers on the control socket.
    """
    from hbtui.control import client

    config, problems = load_config(config_dir, node_name)
    pid = find_heartbeat() if mode in ("auto", "watch") else None
    if mode == "watch" and pid is None:
        return "no heartbeat daemon runs on this node (in this network namespace)"
    if pid is not None:
        from hbtui.sources.loader_watch import watch_source

        return Picked(watch_source(config_dir, config, node_name, pid))
    try:
        snap = client.request(control_socket, "snapshot", timeout_s=2.0)
    except client.NoNodeRunning:
        snap = None
    except client.ControlError as exc:
        return f"the hbtui node's control socket {control_socket} refused us: {exc}"
    if mode == "attach" and snap is None:
        return f"no hbtui node answers on {control_socket}"
    if snap is not None:
        from hbtui.sources.attach import AttachedSource

        udpport = int(snap.get("runtime", {}).get("udpport", 694))
        return Picked(AttachedSource(control_socket, snap, _extras(config)), udpport=udpport)
    if config is None:
        errors = [str(p) for p in problems if p.severity is Severity.ERROR]
        return "no node runs here and the configuration has errors:\n  " + "\n  ".join(errors)
    from hbtui.sources.embedded import EmbeddedSource

    source = EmbeddedSource(config, state_dir, control_socket=control_socket)
    start = mode == "embedded"  # asked for on the command line; auto only offers it
    return Picked(source, autostart=start, stop_on_quit=True, udpport=config.ha_cf.udpport)
