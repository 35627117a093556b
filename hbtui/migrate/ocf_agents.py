"""Heartbeat's resource.d wrappers and the OCF agents they run, with their ``::`` arguments.

Heartbeat 3.0.6's ``/etc/ha.d/resource.d`` scripts (IPaddr, Filesystem, MailTo, ...) are thin
shims: each takes its haresources ``::`` arguments by position, exports them as OCF parameters
and runs ``/usr/lib/ocf/resource.d/heartbeat/<agent>``. Pacemaker runs that same agent directly,
so the migration only has to name the parameters. A token whose arguments do not fit its
agent's table returns None here and becomes a generated LSB wrapper instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OcfMatch:
    """The OCF agent for a token, its parameters, and one sentence on how they were mapped."""

    agent: str
    params: Params
    mapping: str


@dataclass(frozen=True, slots=True)
class Positional:
    """``Name::a1::a2`` -> ``agent`` with a1, a2 as ``names`` (at least ``needed`` of them)."""

    agent: str
    names: tuple[str, ...]
    needed: int
    when_none: Params = ()  # what the shim sets when no argument is given

    def match(self, args: tuple[str, ...]) -> OcfMatch | None:
        if not self.needed <= len(args) <= len(self.names):
            return None
        if not args and self.when_none:
            shown = ", ".join(f"{k}={v}" for k, v in self.when_none)
            return OcfMatch(self.agent, self.when_none, f"no arguments: {shown} as the shim sets")
        params = tuple(zip(self.names, args, strict=False))
        if not params:
            return OcfMatch(self.agent, (), "no arguments, no parameters")
        words = ", ".join(f"argument {i} -> {name}" for i, (name, _) in enumerate(params, 1))
        return OcfMatch(self.agent, params, words)


def _prefix_length(mask: str) -> str | None:
    """``24`` or ``255.255.255.0`` -> ``24``; None when it is neither."""
    if mask.isdigit():
        return mask if int(mask) <= 32 else None
    try:
        return str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
    except ValueError:
        return None


def match_ipaddr(args: tuple[str, ...]) -> OcfMatch | None:
    """``IPaddr[2]::ip[/mask[/nic[:label]][/broadcast]]`` -> IPaddr2 ip, cidr_netmask, nic, ..."""
    if len(args) != 1:
        return None
    parts = args[0].split("/")
    if len(parts) > 4:
        return None
    try:
        ipaddress.IPv4Address(parts[0])
    except ValueError:
        return None
    params: list[tuple[str, str]] = [("ip", parts[0])]
    if len(parts) > 1 and parts[1]:
        prefix = _prefix_length(parts[1])
        if prefix is None:
            return None
        params.append(("cidr_netmask", prefix))
    rest = [part for part in parts[2:] if part]
    # the shim reads a third part starting with a digit as the broadcast (no interface)
    if rest and rest[0][0].isdigit():
        rest = ["", *rest]
    nic = rest[0] if rest else ""
    if nic:
        device, _, label = nic.partition(":")
        params.append(("nic", device))
        if label:
            params.append(("iflabel", label))
    if len(rest) > 1 and rest[1]:
        params.append(("broadcast", rest[1]))
    if len(rest) > 2:
        return None
    return OcfMatch("IPaddr2", tuple(params), "ip/mask/nic[:label]/broadcast -> " + _named(params))


def match_ipv6(args: tuple[str, ...]) -> OcfMatch | None:
    """``IPv6addr::addr[/prefix[/nic]]`` -> IPv6addr ipv6addr, cidr_netmask, nic."""
    if len(args) != 1:
        return None
    parts = args[0].split("/")
    names = ("ipv6addr", "cidr_netmask", "nic")
    if len(parts) > len(names):
        return None
    params = tuple((name, part) for name, part in zip(names, parts, strict=False) if part)
    return OcfMatch("IPv6addr", params, "addr/prefix/nic -> " + _named(params))


def match_sendarp(args: tuple[str, ...]) -> OcfMatch | None:
    """``SendArp::ip/nic`` -> SendArp ip, nic."""
    if len(args) != 1 or args[0].count("/") != 1:
        return None
    ip, nic = args[0].split("/")
    params = (("ip", ip), ("nic", nic))
    return OcfMatch("SendArp", params, "ip/nic -> " + _named(params))


def match_was(args: tuple[str, ...]) -> OcfMatch | None:
    """``WAS[::config-file|::port]``: a number is the port, anything else the config file."""
    if len(args) > 1:
        return None
    if not args:
        return OcfMatch("WAS", (), "no arguments, no parameters")
    name = "port" if args[0].isdigit() else "config"
    return OcfMatch("WAS", ((name, args[0]),), f"argument 1 -> {name}")


def match_audible_alarm(args: tuple[str, ...]) -> OcfMatch | None:
    """``AudibleAlarm::node1::node2`` -> AudibleAlarm nodelist="node1 node2"."""
    if not args:
        return OcfMatch("AudibleAlarm", (), "no arguments, no parameters")
    return OcfMatch("AudibleAlarm", (("nodelist", " ".join(args)),), "arguments -> nodelist")


def _named(params: list[tuple[str, str]] | Params) -> str:
    return ", ".join(f"{name}={value}" for name, value in params)


POSITIONAL: dict[str, Positional] = {
    "Filesystem": Positional("Filesystem", ("device", "directory", "fstype", "options"), 2),
    "MailTo": Positional("MailTo", ("email", "subject"), 1),
    "IPsrcaddr": Positional("IPsrcaddr", ("ipaddress",), 1),
    "LVM": Positional("LVM", ("volgrpname",), 1),
    "Delay": Positional("Delay", ("startdelay", "stopdelay"), 0, (("startdelay", "10"),)),
    "apache": Positional("apache", ("configfile",), 0),
    "Xinetd": Positional("Xinetd", ("service",), 1),
    "portblock": Positional("portblock", ("protocol", "portno", "action"), 3),
    "ICP": Positional("ICP", ("driveid", "device"), 2),
    "LinuxSCSI": Positional("LinuxSCSI", ("scsi",), 1),
    "Raid1": Positional("Raid1", ("raidconf", "raiddev"), 2),
    "ServeRAID": Positional("ServeRAID", ("serveraid", "mergegroup"), 2),
    "WinPopup": Positional("WinPopup", ("hostfile",), 0),
    "db2": Positional("db2", ("instance",), 1),
}

SPECIAL: dict[str, Callable[[tuple[str, ...]], OcfMatch | None]] = {
    "IPaddr": match_ipaddr,
    "IPaddr2": match_ipaddr,
    "IPv6addr": match_ipv6,
    "SendArp": match_sendarp,
    "WAS": match_was,
    "AudibleAlarm": match_audible_alarm,
}


def match_ids(args: tuple[str, ...]) -> OcfMatch | None:
    """``ids`` takes none or all three of informixdir, informixserver, onconfig."""
    if len(args) not in (0, 3):
        return None
    return Positional("ids", ("informixdir", "informixserver", "onconfig"), 0).match(args)


SPECIAL["ids"] = match_ids

# Every Heartbeat resource.d name this table knows (OCF:: is not here: its parameters live in
# /etc/ha.d/conf/OCF/..., which the migration does not read; it gets an LSB wrapper).
KNOWN = frozenset(POSITIONAL) | frozenset(SPECIAL)


def ocf_match(name: str, args: tuple[str, ...]) -> OcfMatch | None:
    """The OCF agent running what Heartbeat's ``name`` shim runs with ``args``, or None."""
    if name in SPECIAL:
        return SPECIAL[name](args)
    if name in POSITIONAL:
        return POSITIONAL[name].match(args)
    return None
