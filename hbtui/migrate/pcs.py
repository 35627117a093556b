"""The migrated configuration as a ``pcs`` script (pcs 0.10 and later).

Every change goes into a file copy of the CIB (``pcs -f``) and is pushed at once at the end,
so the cluster never runs half a configuration.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from hbtui.migrate.model import Operation, PacemakerConfig, Primitive

CIB_FILE = "hbtui-migrate.cib.xml"


def _ops(operations: Sequence[Operation]) -> str:
    words = []
    for op in operations:
        interval = f" interval={op.interval_s}s" if op.interval_s else ""
        words.append(f"{op.name}{interval} timeout={op.timeout_s}s")
    return "op " + " ".join(words)


def _params(pairs: Sequence[tuple[str, str]]) -> str:
    return " ".join(shlex.quote(f"{name}={value}") for name, value in pairs)


def _create(primitive: Primitive, group_id: str) -> str:
    params = _params(primitive.params)
    words = ["resource create", shlex.quote(primitive.id), primitive.agent]
    words += [params] if params else []
    words += [_ops(primitive.operations), "--group", shlex.quote(group_id)]
    return " ".join(words)


def pcs_script(config: PacemakerConfig, header: Sequence[str] = ()) -> str:
    """A POSIX shell script of pcs commands; run it on one node once the cluster is up."""
    pcs = f"pcs -f {CIB_FILE}"
    out = ["#!/bin/sh", *(f"# {line}".rstrip() for line in header), "set -e", ""]
    out.append(f"pcs cluster cib {CIB_FILE}")
    for name, value in config.properties:
        out.append(f"{pcs} property set {_params([(name, value)])}")
    out.append("# pcs 0.10.0-0.10.6: 'resource defaults NAME=VALUE' (without 'update')")
    out.append(f"{pcs} resource defaults update {_params(config.resource_defaults)}")
    for group in config.groups:
        out.append(
            f"# haresources line {group.line}: {group.home_node} "
            + " ".join(p.token for p in group.primitives)
        )
        out += [f"{pcs} {_create(p, group.id)}" for p in group.primitives]
    for loc in config.locations:
        out.append(
            f"{pcs} constraint location {shlex.quote(loc.group_id)} prefers "
            f"{shlex.quote(f'{loc.node}={loc.score}')}"
        )
    out += [f"pcs cluster cib-push {CIB_FILE} --config", f"rm -f {CIB_FILE}"]
    return "\n".join(out) + "\n"
