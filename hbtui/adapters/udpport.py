"""Who holds a UDP port in this network namespace, and this machine's IPv4 addresses.

Both read the kernel (psutil scans /proc): blocking, so call them from an executor.
"""

from __future__ import annotations

import contextlib
import logging
import socket

import psutil  # type: ignore[import-untyped,unused-ignore]

log = logging.getLogger(__name__)


def port_holders(port: int) -> list[tuple[int | None, str]]:
    """(PID, process name) of every UDP socket bound to ``port`` in this network namespace.

    Blocking (scans /proc): call it through an executor from the event loop. psutil can
    trip over processes that exit during its scan, so it is retried, and the kernel's own
    socket table (/proc/net/udp) is the fallback that still sees the port taken.
    """
    for _ in range(3):
        try:
            connections = psutil.net_connections(kind="udp4")
            break
        except (psutil.Error, OSError) as exc:
            log.warning("cannot list UDP sockets (retrying): %s", exc)
    else:
        connections = []
    holders: list[tuple[int | None, str]] = []
    for conn in connections:
        if conn.laddr and conn.laddr.port == port:
            name = "?"
            if conn.pid is not None:
                with contextlib.suppress(psutil.Error):
                    name = psutil.Process(conn.pid).name()
            entry = (conn.pid, name)
            if entry not in holders:
                holders.append(entry)
    if not holders and _kernel_has_udp_port(port):
        holders.append((None, "PID not visible"))
    return holders


def _kernel_has_udp_port(port: int) -> bool:
    """Whether any IPv4 UDP socket in this namespace is bound to ``port``."""
    try:
        with open("/proc/net/udp", encoding="ascii") as table:
            next(table, None)
            for row in table:
                local = row.split()[1]  # "0100007F:02B6"
                if int(local.rsplit(":", 1)[1], 16) == port:
                    return True
    except (OSError, ValueError, IndexError):
        return False
    return False


def local_addresses() -> set[str]:
    """Every IPv4 address on this machine's (namespace's) interfaces."""
    return {
        addr.address
        for addrs in psutil.net_if_addrs().values()
        for addr in addrs
        if addr.family == socket.AF_INET
    }


def device_for(ip: str, default: str = "eth0") -> str:
    """The interface whose IPv4 subnet holds ``ip`` (where an IPaddr VIP goes), else
    ``default``."""
    import ipaddress

    target = ipaddress.IPv4Address(ip)
    for name, addrs in psutil.net_if_addrs().items():
        for addr in addrs:
            if addr.family != socket.AF_INET or not addr.netmask or addr.address == ip:
                continue
            network = ipaddress.IPv4Network(f"{addr.address}/{addr.netmask}", strict=False)
            if target in network and network.prefixlen < 32:
                return str(name)
    return default
