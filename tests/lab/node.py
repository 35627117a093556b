"""One lab node: moved to :mod:`hbtui.lab.node`; re-exported for the tests."""

from hbtui.lab.node import (
    ANCHOR_SCRIPT,
    POWER_COMMANDS,
    PRIVATE_DIRS,
    STANDIN_LOG,
    STANDIN_SCRIPT,
    Address,
    Node,
    parse_addresses,
)

__all__ = [
    "ANCHOR_SCRIPT",
    "POWER_COMMANDS",
    "PRIVATE_DIRS",
    "STANDIN_LOG",
    "STANDIN_SCRIPT",
    "Address",
    "Node",
    "parse_addresses",
]
