"""A two-node cluster in a dict: answers the cutover's commands as the machines would, so
the plan and its rollback run end to end without machines. ``fail`` makes commands fail
(changing nothing)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from hbtui.remote.ssh import CommandResult

VIP = "192.168.10.10"


@dataclass
class Machine:
    """One node's files and daemons."""

    name: str
    files: dict[str, str] = field(default_factory=dict)
    heartbeat: bool = True
    stack: bool = False
    log: list[str] = field(default_factory=list)


@dataclass
class FakeCluster:
    """Both machines and the CIB they share once the stack runs."""

    machines: dict[str, Machine]
    fail: list[tuple[str, str]] = field(default_factory=list)  # (node, command line start)
    cib_loaded: bool = False
    home: str = "server1"

    def runner(self, name: str) -> FakeRunner:
        return FakeRunner(self, self.machines[name])


class FakeRunner:
    """A CommandRunner for one machine of a FakeCluster."""

    def __init__(self, cluster: FakeCluster, machine: Machine) -> None:
        self.cluster, self.machine = cluster, machine

    async def close(self) -> None:
        """As a PeerLink closes."""

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        line = " ".join(argv)
        self.machine.log.append(line)
        for node, start in self.cluster.fail:
            if node == self.machine.name and line.startswith(start):
                return CommandResult(tuple(argv), 1, "", "injected failure\n")
        status, out = self._answer(list(argv), input_text)
        return CommandResult(tuple(argv), status, out, "")

    def _answer(self, argv: list[str], text: str | None) -> tuple[int, str]:
        m, c = self.machine, self.cluster
        up = all(x.stack for x in c.machines.values())
        if argv[0] == "cat":
            return (0, m.files[argv[2]]) if argv[2] in m.files else (1, "")
        if argv[0] == "sh" and "base64 -d" in argv[2]:
            m.files[argv[4]] = base64.decodebytes((text or "").encode()).decode("latin-1")
            return 0, ""
        if argv[0] == "sh" and 'cat > "$new"' in argv[2]:
            m.files[argv[4]] = text or ""
            return 0, ""
        if argv[0] == "base64":
            raw = m.files.get(argv[1], "").encode("latin-1")
            return 0, base64.encodebytes(raw).decode()
        if argv[0] == "sh" and "$1$2" in argv[2] and "mv -f" in argv[2]:  # put back
            m.files.pop(argv[4], None)
            return 0, ""
        if argv[0] == "test" and argv[1] == "-d":
            return 0, ""
        if argv[:2] == ["/etc/init.d/hbtui", "stop"]:
            m.heartbeat = False
            return 0, ""
        if argv[:2] == ["/etc/init.d/hbtui", "start"]:
            m.heartbeat = not m.stack  # the init script refuses nothing; the test checks order
            return 0, ""
        if argv[:2] == ["/etc/init.d/hbtui", "status"]:
            return (0 if m.heartbeat else 3), ""
        if argv[0] == "stack-start":
            m.stack = True
            return 0, ""
        if argv[0] == "stack-stop":
            m.stack = False
            return 0, ""
        if argv[0] == "stack-stopped":
            return (1 if m.stack else 0), ""
        if argv[0] == "crm_mon":
            names = " ".join(f'<node name="{x}" id="{i}"/>' for i, x in enumerate(c.machines, 1))
            dc = '<current_dc present="true" name="server1"/>' if up else ""
            return (0, dc + names) if m.stack else (102, "")
        if argv[0] == "cibadmin":
            c.cib_loaded = argv[1] == "--replace"
            return (0 if m.stack else 1), ""
        if argv[0] == "crm_verify":
            return (0 if c.cib_loaded else 1), ""
        if argv[0] == "crm_resource":
            where = c.home if up and c.cib_loaded else None
            return 0, f"resource {argv[3]} is running on: {where}" if where else "NOT running"
        if argv[:2] == ["ip", "-j"]:
            held = up and c.cib_loaded and m.name == c.home
            return 0, json.dumps(
                [{"addr_info": [{"local": VIP}] if held else []}], separators=(",", ":")
            )
        return 0, ""  # mkdir, chmod, cp: done
