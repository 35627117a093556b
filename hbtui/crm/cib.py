"""What crm_mon does not print but the console shows: the address of each VIP resource,
read from the CIB's resources section (``cibadmin --query --scope resources``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hbtui.crm.state import CrmParseError

VIP_TYPES = frozenset({"IPaddr2", "IPaddr"})


def vip_addresses(resources_xml: str) -> dict[str, str]:
    """Resource id -> the ``ip`` parameter of every IPaddr/IPaddr2 primitive (any depth:
    groups, clones); CrmParseError when the text is not XML."""
    try:
        root = ET.fromstring(resources_xml)
    except ET.ParseError as exc:
        raise CrmParseError(f"cibadmin printed no valid XML: {exc}") from exc
    found: dict[str, str] = {}
    for primitive in root.iter("primitive"):
        if primitive.get("type") not in VIP_TYPES:
            continue
        for nvpair in primitive.iterfind("instance_attributes/nvpair"):
            if nvpair.get("name") == "ip" and nvpair.get("value"):
                found[primitive.get("id", "")] = nvpair.get("value", "")
    return found
