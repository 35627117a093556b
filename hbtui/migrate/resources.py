"""haresources -> Pacemaker groups: each token an OCF or LSB primitive, each line a group.

How a token is chosen (``Name::a1::a2``; a bare address is ``IPaddr::address``):

1. Heartbeat's own resource.d shims (IPaddr, IPaddr2, Filesystem, ...; see ``ocf_agents``):
   the OCF agent the shim runs, arguments mapped to its parameters by position.
2. A script without arguments that is not in resource.d (so Heartbeat ran /etc/init.d/NAME):
   ``lsb:NAME``, the same script. Pacemaker reads its exit codes, so its ``status`` must
   exit 3 when stopped (Heartbeat only read the words ``running``/``OK``).
3. Anything else (a resource.d script of your own, or any script with arguments): a generated
   LSB wrapper ``/etc/init.d/hb-<token>`` that calls the script with the same arguments, the
   way Heartbeat did (``script a1 a2 start``), and answers ``status`` with LSB exit codes.
"""

from __future__ import annotations

import re
from pathlib import Path

from hbtui.config.model import Resource, ResourceGroup
from hbtui.migrate.model import AgentClass, Group, LsbWrapper, Operation, Primitive
from hbtui.migrate.ocf_agents import ocf_match

# Monitor/start/stop operations per kind of primitive (seconds)
VIP_OPS = (Operation("monitor", 10, 20), Operation("start", 0, 20), Operation("stop", 0, 20))
OCF_OPS = (Operation("monitor", 20, 40), Operation("start", 0, 60), Operation("stop", 0, 60))
# hbtui gives a script 60 s to start or stop, Heartbeat waited for ever; 60 s keeps hbtui's
LSB_OPS = (Operation("monitor", 15, 15), Operation("start", 0, 60), Operation("stop", 0, 60))
WRAPPER_PREFIX = "hb-"
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def xml_id(text: str, prefix: str = "r-") -> str:
    """A valid XML ID from any text: other characters become ``-``; must not start with a digit."""
    cleaned = _NOT_ID.sub("-", text.replace("::", "-")).strip("-.") or "resource"
    if not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = prefix + cleaned
    return cleaned


class IdAllocator:
    """Hands out unique IDs: the second ``x`` becomes ``x-2``."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}-{n}"
        self.used.add(candidate)
        return candidate


def in_resource_d(resource: Resource, config_dir: Path) -> bool:
    """True when Heartbeat found the script in resource.d (or nowhere, for a name with args)."""
    if resource.script is None:
        return False
    return resource.script.parent == config_dir / "resource.d"


def primitive_for(resource: Resource, config_dir: Path, ids: IdAllocator) -> Primitive:
    """The Pacemaker primitive doing what Heartbeat did with ``resource``."""
    # a bare address is named like the IPaddr::address it stands for
    rid = ids.take(xml_id("::".join([resource.name, *resource.args])))
    match = ocf_match(resource.name, resource.args)
    if match is not None:
        ops = VIP_OPS if match.agent == "IPaddr2" else OCF_OPS
        return Primitive(
            rid, AgentClass.OCF, match.agent, match.params, ops, resource.token, match.mapping
        )
    if not resource.args and not in_resource_d(resource, config_dir):
        where = "" if resource.script is not None else " (not found on this machine)"
        mapping = f"/etc/init.d/{resource.name}{where}, run as it is"
        return Primitive(rid, AgentClass.LSB, resource.name, (), LSB_OPS, resource.token, mapping)
    wrapper = LsbWrapper(xml_id(WRAPPER_PREFIX + resource.token), resource.name, resource.args)
    shown = " ".join([resource.name, *resource.args]) if resource.args else resource.name
    mapping = f"generated /etc/init.d/{wrapper.name} runs `{shown} start|stop|status`"
    return Primitive(
        rid, AgentClass.LSB, wrapper.name, (), LSB_OPS, resource.token, mapping, wrapper=wrapper
    )


def group_for(group: ResourceGroup, config_dir: Path, ids: IdAllocator) -> Group:
    """One haresources line as a group, its resources in order."""
    primitives = tuple(primitive_for(r, config_dir, ids) for r in group.resources)
    first = primitives[0].id if primitives else group.node
    return Group(ids.take(f"grp-{first}"), group.node, primitives, group.line)


def groups_for(groups: tuple[ResourceGroup, ...], config_dir: Path) -> tuple[Group, ...]:
    """Every haresources line that has resources, as a group (IDs unique across them)."""
    ids = IdAllocator()
    return tuple(group_for(g, config_dir, ids) for g in groups if g.resources)
