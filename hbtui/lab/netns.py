"""`Lab`: a bridge in its own network namespace and N nodes wired to it (HOWTO addresses).

    with Lab(["server1", "server2"]) as lab:
        lab["server1"].run(["uname", "-n"])

Every namespace name carries a per-run suffix (`hbl<pid><random>-...`) so parallel runs and
leftovers never collide. The root namespace gets no address or route on 192.168.10.0/24. Teardown
kills each node's PID 1 by PID, waits for it, then deletes the namespaces, even after a failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

from hbtui.lab.commands import LabError, run
from hbtui.lab.node import Node

BRIDGE = "br0"
SUBNET = "192.168.10.0/24"
NETNS_PREFIX = "hbl"
NO_IPV6 = ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]


STALE_NAME = re.compile(rf"^{NETNS_PREFIX}([0-9a-f]+)-[0-9a-f]{{4}}-(br|\d+)$")


def new_run_id() -> str:
    """A short id unique per run: our PID (hex) plus randomness, e.g. `1f2a-9c3e`."""
    return f"{os.getpid():x}-{secrets.token_hex(2)}"


def sweep_stale_netns() -> list[str]:
    """Delete lab namespaces whose creating process is gone (a run killed before teardown).

    Only names this module makes are touched, and only when the PID in the name is dead.
    """
    removed = []
    for name in sorted(existing_netns()):
        match = STALE_NAME.match(name)
        if not match or os.path.exists(f"/proc/{int(match.group(1), 16)}"):
            continue
        if run(["ip", "netns", "del", name], check=False).returncode == 0:
            removed.append(name)
    return removed


def existing_netns() -> set[str]:
    """Names of the network namespaces under /run/netns."""
    done = run(["ip", "-j", "netns", "list"], check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return set()
    return {entry["name"] for entry in json.loads(done.stdout)}


def mac_for(index: int) -> str:
    """A readable locally administered MAC for node `index` (02:00:c0:a8:0a:<index>)."""
    return f"02:00:c0:a8:0a:{index:02x}"


class Lab:
    """Bridge namespace + nodes; a context manager, also usable from a pytest fixture."""

    def __init__(
        self,
        names: Sequence[str] = ("server1", "server2"),
        base_dir: Path | None = None,
        die_with_parent: bool = True,
    ) -> None:
        """`die_with_parent`: the nodes die with the creating thread (pass False from a worker
        thread that ends before the lab should)."""
        if not 1 <= len(names) <= 200:
            raise ValueError("between 1 and 200 nodes")
        self.run_id = new_run_id()
        self.names = list(names)
        self._own_dir = base_dir is None
        self.directory = Path(base_dir or tempfile.mkdtemp(prefix=f"hbtui-lab-{self.run_id}-"))
        self.bridge_netns = f"{NETNS_PREFIX}{self.run_id}-br"
        self.nodes: dict[str, Node] = {}
        self._created_netns: list[str] = []
        self.keep_dir = False
        self.die_with_parent = die_with_parent

    def __enter__(self) -> Lab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    @property
    def netns_names(self) -> list[str]:
        """Every network namespace this lab created (and will delete)."""
        return list(self._created_netns)

    def hosts_text(self) -> str:
        """/etc/hosts for every node: localhost plus the HOWTO names."""
        lines = ["127.0.0.1 localhost"]
        lines += [f"192.168.10.{i} {name}" for i, name in enumerate(self.names, start=1)]
        return "\n".join(lines) + "\n"

    def _add_netns(self, name: str) -> None:
        run(["ip", "netns", "add", name])
        self._created_netns.append(name)
        run(["ip", "netns", "exec", name, "sysctl", "-q", "-w", *NO_IPV6], check=False)
        run(["ip", "-n", name, "link", "set", "lo", "up"])

    def start(self) -> None:
        """Create the bridge, the nodes and their anchors; undo everything if any step fails."""
        try:
            self._add_netns(self.bridge_netns)
            run(["ip", "-n", self.bridge_netns, "link", "add", BRIDGE, "type", "bridge"])
            run(["ip", "-n", self.bridge_netns, "link", "set", BRIDGE, "up"])
            for index, name in enumerate(self.names, start=1):
                self._add_node(index, name)
        except BaseException:
            self.close()
            raise

    def _add_node(self, index: int, name: str) -> None:
        netns = f"{NETNS_PREFIX}{self.run_id}-{index}"
        node = Node(name, index, netns, self.directory / name)
        self.nodes[name] = node
        self._add_netns(netns)
        port = f"v{index}"
        veth = ["type", "veth", "peer", "name", "eth0", "netns", netns]
        run(["ip", "-n", self.bridge_netns, "link", "add", port, *veth])
        run(["ip", "-n", netns, "link", "set", "eth0", "address", mac_for(index)])
        # with its broadcast address, as distributions configure it: Heartbeat's bcast
        # medium sends to the interface's configured broadcast (SIOCGIFBRDADDR)
        run(["ip", "-n", netns, "addr", "add", f"{node.ip}/24", "brd", "+", "dev", "eth0"])
        run(["ip", "-n", netns, "link", "set", "eth0", "up"])
        run(["ip", "-n", self.bridge_netns, "link", "set", port, "master", BRIDGE, "up"])
        node.start_anchor(self.hosts_text(), die_with_parent=self.die_with_parent)

    def close(self) -> None:
        """Kill every node (by PID), delete every namespace we made. Safe to call twice."""
        errors: list[str] = []
        for node in self.nodes.values():
            try:
                node.destroy()
            except Exception as exc:  # keep tearing down the rest
                errors.append(f"{node.name}: {exc}")
        for name in reversed(self._created_netns):
            done = run(["ip", "netns", "del", name], check=False)
            if done.returncode != 0 and name in existing_netns():
                errors.append(f"ip netns del {name}: {done.stderr.strip()}")
        self._created_netns.clear()
        if self._own_dir and not self.keep_dir:
            shutil.rmtree(self.directory, ignore_errors=True)
        if errors:
            raise LabError("lab teardown: " + "; ".join(errors))

    def vip_holders(self, ip: str) -> list[str]:
        """Names of the nodes that have `ip` configured right now."""
        return [node.name for node in self if node.has_address(ip)]
