"""Ring addresses for Corosync's nodelist, from ha.cf's ``ucast`` lines and name resolution.

Heartbeat lists the peers' addresses (``ucast eth0 192.168.10.2``), not which node each one
belongs to. In order: an address given by the operator (``--ring0 NODE=ADDR``); a ``ucast``
host that is a node's name; the node's name resolved (``resolve``, passed in: /etc/hosts or
DNS in the command, a dict in tests; a loopback answer, like Debian's 127.0.1.1 for the
machine's own name, is ignored); finally, when exactly as many ``ucast`` addresses are
left as nodes, the order of the ``node`` names (the usual identical-ha.cf layout), with a
warning to check it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hbtui.config.model import HaCf

Resolver = Callable[[str], str | None]
"""Host name -> an IPv4 address, or None when it does not resolve."""


@dataclass(frozen=True, slots=True)
class RingAddresses:
    """The address of every node that has one, how each was found, and what went wrong."""

    by_node: dict[str, str]
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    errors: tuple[str, ...]


def is_address(text: str) -> bool:
    """True for a literal IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ring_addresses(
    ha_cf: HaCf, resolve: Resolver, given: Mapping[str, str] | None = None
) -> RingAddresses:
    """Each node's ring0 address; see the module docstring for the order of the rules."""
    by_node: dict[str, str] = {}
    reasons: list[str] = []
    warnings: list[str] = []
    errors: list[str] = []
    for node, address in (given or {}).items():
        if node not in ha_cf.nodes:
            errors.append(f"--ring0 {node}={address}: {node} is not a node of ha.cf")
        elif not is_address(address):
            errors.append(f"--ring0 {node}={address}: not an IP address")
        else:
            by_node[node] = address
            reasons.append(f"{node}: {address} (given on the command line)")

    hosts: list[str] = []  # ucast addresses not yet tied to a node, in ha.cf order
    for medium in ha_cf.ucast_media:
        host = (medium.host or "").lower()
        if not host:
            continue
        if is_address(host):
            if host not in hosts:
                hosts.append(host)
            continue
        if host in by_node:
            continue
        resolved = resolve(host)
        if resolved is None:
            errors.append(f"ha.cf line {medium.line}: ucast host {host} does not resolve")
        elif host in ha_cf.nodes:
            by_node[host] = resolved
            reasons.append(f"{host}: {resolved} (ucast line {medium.line} names the node)")
        elif resolved not in hosts:
            hosts.append(resolved)

    for node in ha_cf.nodes:
        if node in by_node:
            continue
        resolved = resolve(node)
        if resolved is not None and ipaddress.ip_address(resolved).is_loopback:
            warnings.append(
                f"{node} resolves to {resolved} (loopback, as Debian names itself): ignored"
            )
            resolved = None
        if resolved is not None:
            by_node[node] = resolved
            reasons.append(f"{node}: {resolved} (the name resolves to it)")
            if hosts and resolved not in hosts:
                warnings.append(f"{node} resolves to {resolved}, which no ucast line names")

    left = [h for h in hosts if h not in by_node.values()]
    missing = [n for n in ha_cf.nodes if n not in by_node]
    if missing and len(left) == len(missing):
        for node, address in zip(missing, left, strict=True):
            by_node[node] = address
            reasons.append(f"{node}: {address} (ucast addresses taken in the order of the nodes)")
        warnings.append(
            f"{', '.join(missing)}: address taken from the order of the ucast lines; check it, "
            "or give it with --ring0 NODE=ADDRESS"
        )
    elif missing:
        errors += [
            f"no address for node {node}: no ucast line names it and the name does not "
            "resolve; give it with --ring0 NODE=ADDRESS"
            for node in missing
        ]
    return RingAddresses(by_node, tuple(reasons), tuple(warnings), tuple(errors))
