"""The HOWTO's two-node cluster on this machine, for ``hbtui demo``: a ``Lab`` plus one
``hbtui node`` per lab node, each with the bundled HOWTO config and its own state.

Everything a node writes lives under the lab's temporary directory: the config
(``<node dir>/etc-ha.d``, authkeys 0600), the state (``<node dir>/var-lib-heartbeat``),
the control socket (``/run/hbtui/control.sock`` in the node's private /run, so
``<node dir>/run/hbtui/control.sock`` from the host: a path, not an address) and the
node's output (``<node dir>/hbtui-node.out``). The nodes run with those host paths, so
the demo needs no /etc/ha.d on the machine; their name is ``uname -n`` in their UTS
namespace (so the hostname wizard can change it).
Stop = SIGTERM, kill = SIGKILL, both by host PID; closing the lab kills the rest.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import hbtui
from hbtui.adapters.state import StateError
from hbtui.adapters.state import delete_uuid as delete_uuid_file
from hbtui.lab.commands import LabError
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node
from hbtui.lab.nodeproc import CONTROL_SOCKET, HbtuiProcess

HOWTO_DIR = Path(hbtui.__file__).resolve().parent / "data" / "howto"
NAMES = ("server1", "server2")
VIP = "192.168.10.10"


def why_not() -> str | None:
    """None when this user can build the demo here, else the reason (for the message)."""
    if os.geteuid() != 0:
        return (
            "hbtui demo needs root: it creates network namespaces (`ip netns add`), a bridge "
            "with veth pairs, and UTS/mount/PID namespaces for server1 and server2, and each "
            "node adds the virtual IP 192.168.10.10 to its interface. Run it with sudo "
            "(everything it makes is removed when you quit)."
        )
    missing = [tool for tool in ("ip", "unshare", "nsenter", "setpriv") if not shutil.which(tool)]
    if missing:
        return f"hbtui demo needs {', '.join(missing)} (Debian: iproute2, util-linux)"
    return None


def install_config(target: Path, source: Path = HOWTO_DIR) -> None:
    """The bundled HOWTO config (or ``source``) into ``target`` (authkeys 0600, scripts
    executable)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    (target / "authkeys").chmod(0o600)  # a checkout or a wheel gives 0644
    for script in (target / "resource.d").iterdir():
        script.chmod(0o755)


class DemoNode:
    """One ``hbtui node`` inside one lab node."""

    def __init__(self, node: Node) -> None:
        self.lab_node = node
        self.name = node.name
        self.config_dir = node.etc_dir
        self.state_dir = node.state_dir
        self.control_socket = node.host_path(CONTROL_SOCKET)
        self.process = HbtuiProcess(node)
        self.output_path = self.process.output_path

    def argv(self) -> list[str]:
        """The command line run inside the node (host paths: the node sees the host's files)."""
        return [
            *(sys.executable, "-m", "hbtui.cli", "node"),
            *("--config-dir", str(self.config_dir), "--state-dir", str(self.state_dir)),
            *("--control-socket", CONTROL_SOCKET),
            "--quiet",
        ]

    def start(self) -> None:
        """Start the node (no-op when it runs)."""
        if not self.running():
            self.process.launch(self.argv())

    def pids(self) -> list[int]:
        """Host PIDs of the hbtui node process(es) of this lab node."""
        return self.process.pids()

    def running(self) -> bool:
        """Whether the node process lives (or is being started: nsenter has not exec'd yet)."""
        return self.process.launching() or bool(self.pids())

    def stop(self, timeout: float = 30.0) -> list[int]:
        """Graceful stop: SIGTERM (the node releases its resources and says goodbye)."""
        return self.process.signal(signal.SIGTERM, timeout)

    def kill(self) -> list[int]:
        """Crash drill: SIGKILL, nothing released (the VIP stays on the interface)."""
        return self.process.signal(signal.SIGKILL, 5.0)

    def delete_uuid(self) -> str:
        """Remove the node's hb_uuid (refused while it runs); what happened."""
        if self.running():
            raise LabError(f"{self.name} runs: stop it before deleting hb_uuid")
        try:
            return delete_uuid_file(self.state_dir)
        except StateError as exc:
            raise LabError(str(exc)) from exc

    def has_vip(self) -> bool:
        """True when the VIP is on this node's interface."""
        return self.lab_node.has_address(VIP)


class DemoCluster:
    """The lab and its two nodes; a context manager that always tears everything down."""

    def __init__(
        self,
        names: tuple[str, ...] = NAMES,
        base_dir: Path | None = None,
        config_source: Path = HOWTO_DIR,
    ) -> None:
        self.lab = Lab(list(names), base_dir=base_dir)
        self.config_source = config_source  # the HOWTO, or a rehearsal's config
        self.nodes: dict[str, DemoNode] = {}

    def __enter__(self) -> DemoCluster:
        self.lab.start()
        try:
            for node in self.lab:
                demo = DemoNode(node)
                install_config(demo.config_dir, self.config_source)
                self.nodes[node.name] = demo
        except BaseException:
            self.lab.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getitem__(self, name: str) -> DemoNode:
        return self.nodes[name]

    def start_all(self) -> None:
        """Start every node."""
        for node in self.nodes.values():
            node.start()

    def close(self) -> None:
        """Kill every process (by PID) and delete every namespace and file made."""
        self.lab.close()
