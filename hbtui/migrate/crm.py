"""The migrated configuration in crmsh syntax: ``crm configure load update crm.txt``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hbtui.migrate.model import Operation, PacemakerConfig, Primitive

_PLAIN = re.compile(r"[A-Za-z0-9_.,:/@%+=-]+")


def crm_value(value: str) -> str:
    """A parameter value as crmsh reads it: bare when plain, else double-quoted."""
    if _PLAIN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return " ".join(f"{name}={crm_value(value)}" for name, value in pairs)


def _op(op: Operation) -> str:
    interval = f" interval={op.interval_s}s" if op.interval_s else ""
    return f"op {op.name}{interval} timeout={op.timeout_s}s"


def _primitive(primitive: Primitive) -> list[str]:
    lines = [f"primitive {primitive.id} {primitive.agent}"]
    if primitive.params:
        lines.append(f"    params {_pairs(primitive.params)}")
    lines += [f"    {_op(op)}" for op in primitive.operations]
    return [line + " \\" for line in lines[:-1]] + [lines[-1]]


def crm_text(config: PacemakerConfig, header: Sequence[str] = ()) -> str:
    """The whole configuration as crm configure commands, comments first."""
    out = [f"# {line}".rstrip() for line in header]
    out.append(f"property cib-bootstrap-options: {_pairs(config.properties)}")
    out.append(f"rsc_defaults rsc-options: {_pairs(config.resource_defaults)}")
    for group in config.groups:
        out.append(
            f"# haresources line {group.line}: {group.home_node} "
            + " ".join(p.token for p in group.primitives)
        )
        for primitive in group.primitives:
            out += _primitive(primitive)
        out.append(f"group {group.id} " + " ".join(p.id for p in group.primitives))
    for loc in config.locations:
        out.append(f"location {loc.id} {loc.group_id} {loc.score}: {loc.node}")
    return "\n".join(out) + "\n"
