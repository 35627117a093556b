"""The migrated configuration as a complete CIB document (``cibadmin --replace --xml-file``).

Comments before the root element carry the reasoning; Pacemaker keeps only the elements.
The ``<status>`` section is empty: Pacemaker fills it in.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from hbtui.migrate.model import AgentClass, PacemakerConfig, Primitive

VALIDATE_WITH = "pacemaker-3.0"  # Pacemaker 2.0 and later read it (and upgrade it)
# A running cluster refuses a CIB older than its own (admin_epoch, epoch, num_updates); a new
# cluster's is (0, a few, ...). admin_epoch 1 makes this one newer, so --replace takes it.
ADMIN_EPOCH = "1"


def _nvset(parent: ET.Element, tag: str, set_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    """``<tag id=set_id>`` holding one ``<nvpair>`` per (name, value)."""
    nvset = ET.SubElement(parent, tag, id=set_id)
    for name, value in pairs:
        ET.SubElement(nvset, "nvpair", id=f"{set_id}-{name}", name=name, value=value)


def _primitive(parent: ET.Element, primitive: Primitive) -> None:
    attrs = {"id": primitive.id, "class": primitive.agent_class.value}
    if primitive.agent_class is AgentClass.OCF:
        attrs["provider"] = primitive.provider
    attrs["type"] = primitive.agent_type
    element = ET.SubElement(parent, "primitive", attrs)
    if primitive.params:
        _nvset(
            element, "instance_attributes", f"{primitive.id}-instance_attributes", primitive.params
        )
    ops = ET.SubElement(element, "operations")
    for op in primitive.operations:
        ET.SubElement(
            ops,
            "op",
            id=f"{primitive.id}-{op.op_id_suffix}",
            name=op.name,
            interval=f"{op.interval_s}s",
            timeout=f"{op.timeout_s}s",
        )


def comment_text(lines: Sequence[str]) -> str:
    """An XML comment block; ``--`` (not allowed inside a comment) becomes ``- -``."""
    body = "\n".join(f"  {line}".rstrip() for line in lines).replace("--", "- -")
    return f"<!--\n{body}\n-->\n"


def cib_element(config: PacemakerConfig) -> ET.Element:
    """The ``<cib>`` element of the configuration."""
    cib = ET.Element(
        "cib",
        {
            "validate-with": VALIDATE_WITH,
            "admin_epoch": ADMIN_EPOCH,
            "epoch": "1",
            "num_updates": "0",
        },
    )
    configuration = ET.SubElement(cib, "configuration")
    crm_config = ET.SubElement(configuration, "crm_config")
    _nvset(crm_config, "cluster_property_set", "cib-bootstrap-options", config.properties)
    ET.SubElement(configuration, "nodes")
    resources = ET.SubElement(configuration, "resources")
    for group in config.groups:
        element = ET.SubElement(resources, "group", id=group.id)
        for primitive in group.primitives:
            _primitive(element, primitive)
    constraints = ET.SubElement(configuration, "constraints")
    for location in config.locations:
        ET.SubElement(
            constraints,
            "rsc_location",
            id=location.id,
            rsc=location.group_id,
            node=location.node,
            score=str(location.score),
        )
    rsc_defaults = ET.SubElement(configuration, "rsc_defaults")
    _nvset(rsc_defaults, "meta_attributes", "rsc-options", config.resource_defaults)
    ET.SubElement(cib, "status")
    return cib


def cib_xml(config: PacemakerConfig, header: Sequence[str] = ()) -> str:
    """The CIB as text: XML declaration, the ``header`` as a comment, then ``<cib>``."""
    root = cib_element(config)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    head = comment_text(header) if header else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}{body}\n'
