"""`Lab` (bridge namespace + nodes): moved to :mod:`hbtui.lab.netns`; re-exported for the tests."""

from hbtui.lab.netns import (
    BRIDGE,
    NETNS_PREFIX,
    NO_IPV6,
    STALE_NAME,
    SUBNET,
    Lab,
    existing_netns,
    mac_for,
    new_run_id,
    sweep_stale_netns,
)

__all__ = [
    "BRIDGE",
    "NETNS_PREFIX",
    "NO_IPV6",
    "STALE_NAME",
    "SUBNET",
    "Lab",
    "existing_netns",
    "mac_for",
    "new_run_id",
    "sweep_stale_netns",
]
