"""A restarted node's first act: remove its configured VIPs that a kill -9 left on this
machine, before Python imports the rest of the node (about half a second during which the
address would answer beside the peer that took it).

It runs once the state dir is locked (so never while another node runs from it), with
pyroute2's ``IPRoute`` alone. The engine still says it at its start: the addresses removed
here are handed to the runtime as present (``NodeRuntime(stale_removed=...)``), so the
ha-log's WARN "... is on this node before we own it" is written as before and its
removal finds the address already gone.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence

from hbtui.config.model import ClusterConfig
from hbtui.engine.resources import VIP_RESOURCES, parse_vip

GONE = (errno.EADDRNOTAVAIL, errno.ENODEV, errno.ENOENT)


def configured_vips(config: ClusterConfig) -> list[str]:
    """Every IPaddr/IPaddr2 address of haresources."""
    return [
        parse_vip(res.args).ip
        for group in config.haresources.groups
        for res in group.resources
        if res.name in VIP_RESOURCES
    ]


def remove_stale_vips(ips: Sequence[str]) -> tuple[list[str], str | None]:
    """Delete each of ``ips`` found on an interface here; the ones removed, and why the
    sweep stopped early (None: it did not; the engine's own removal follows anyway).
    Blocking, and never on a running event loop (pyroute2's sync ``IPRoute`` refuses one)."""
    from pyroute2 import IPRoute  # type: ignore[import-untyped]
    from pyroute2.netlink.exceptions import NetlinkError  # type: ignore[import-untyped]

    removed: list[str] = []
    try:
        with IPRoute() as ipr:
            for ip in ips:
                for msg in ipr.get_addr(address=ip):
                    try:
                        ipr.addr("del", index=msg["index"], address=ip,
                                 prefixlen=msg["prefixlen"])  # fmt: skip
                    except NetlinkError as exc:
                        if exc.code not in GONE:
                            raise
                    removed.append(ip)
    except (OSError, NetlinkError) as exc:
        return removed, str(exc)
    return removed, None
