"""The typed, immutable picture of a Heartbeat cluster configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class AutoFailback(StrEnum):
    """ha.cf ``auto_failback``: where a group goes when its home node returns."""

    ON = "on"
    OFF = "off"
    LEGACY = "legacy"


class MsgFormat(StrEnum):
    """ha.cf ``msgfmt`` (docs/protocol.md §2): both send the netstring form with its trailer;
    ``classic`` (the daemon's default) adds the legacy ``auth`` field, ``netstring`` does not."""

    CLASSIC = "classic"
    NETSTRING = "netstring"


class CompressionName(StrEnum):
    """ha.cf ``compression``: the compression plugins cluster-glue ships."""

    ZLIB = "zlib"
    BZ2 = "bz2"


@dataclass(frozen=True, slots=True)
class Compression:
    """ha.cf ``compression``, ``compression_threshold`` (kept in bytes) and
    ``traditional_compression``, with the daemon's defaults (docs/protocol.md §2.4)."""

    algorithm: CompressionName = CompressionName.ZLIB
    threshold: int = 2 * 1024
    traditional: bool = False

    def wants(self, wire_length: int) -> bool:
        """Whether the daemon sends a message this long (unsigned form) compressed."""
        return self.traditional and wire_length > self.threshold


class AuthMethod(StrEnum):
    """authkeys methods that Heartbeat 3.0.6 ships."""

    SHA1 = "sha1"
    MD5 = "md5"
    CRC = "crc"


@dataclass(frozen=True, slots=True)
class Medium:
    """One medium of ha.cf: ``ucast DEV HOST``, one DEV of ``bcast DEV...`` or
    ``mcast DEV GROUP PORT TTL LOOP`` (docs/protocol.md §1.1)."""

    kind: str  # "ucast", "bcast" or "mcast"
    device: str
    host: str | None = None  # ucast peer (name or dotted quad), mcast group; None for bcast
    line: int = 0
    port: int | None = None  # mcast only: its own port (ucast and bcast use udpport)
    ttl: int = 1  # mcast only: IP_MULTICAST_TTL
    loop: bool = False  # mcast only: IP_MULTICAST_LOOP


@dataclass(frozen=True, slots=True)
class PingNode:
    """``ping HOST`` (one node per host, named after it) or ``ping_group NAME HOST...``
    (one node, alive while any of its hosts answers) (docs/protocol.md §12)."""

    name: str
    hosts: tuple[str, ...]
    line: int = 0
    group: bool = False


@dataclass(frozen=True, slots=True)
class RespawnClient:
    """``respawn USER /path/prog [args]``: a program the node runs as USER from the time it
    goes active and restarts when it exits, as Heartbeat runs its client children (ipfail is
    built in and never one of these)."""

    user: str
    command: str  # the program and its arguments as written; run as ``/bin/sh -c "exec ..."``
    line: int = field(default=0, compare=False)

    @property
    def path(self) -> str:
        """The program's absolute path (the command's first word)."""
        return self.command.split(None, 1)[0]

    @property
    def name(self) -> str:
        """The program's file name, for log sources."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class HaCf:
    """ha.cf after parsing; times are integer milliseconds."""

    path: Path
    nodes: tuple[str, ...]
    media: tuple[Medium, ...] = ()
    udpport: int = 694
    keepalive_ms: int = 1000
    deadtime_ms: int = 30000
    warntime_ms: int = 15000
    initdead_ms: int = 30000
    auto_failback: AutoFailback = AutoFailback.LEGACY
    logfile: Path | None = None
    debugfile: Path | None = None
    logfacility: str | None = None
    autojoin: str = "none"
    crm: str = "off"
    ping_nodes: tuple[PingNode, ...] = ()
    deadping_ms: int = 30000  # deadtime when not set, as Heartbeat does
    ipfail: bool = False  # a ``respawn USER .../ipfail`` line: hbtui does what it decides
    respawn: tuple[RespawnClient, ...] = ()  # every other ``respawn`` line, in order
    realtime: bool = True  # SCHED_RR and locked memory, as the daemon (its default: on)
    rtprio: int | None = None  # SCHED_RR priority; None: the lowest (1), as the daemon
    debug: int = 0  # which debug lines are written (0: none); SIGUSR1/SIGUSR2 move it
    use_logd: bool | None = None  # as written; None: not set (see ``uses_logd``)
    msgfmt: MsgFormat = MsgFormat.CLASSIC  # the daemon's default
    compression: Compression = Compression()
    max_rexmit_delay_ms: int = 250  # the daemon's default
    hopfudge: int = 1  # the daemon's default: messages carry ttl = nodes + hopfudge
    uuid_from_name: bool = False  # ``uuidfrom nodename``: no hb_uuid, derived from the name
    # directive -> line where it was set, for messages that need to point at it
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    # node name -> line of ha.cf that declared it
    node_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def uses_logd(self) -> bool:
        """Whether the daemon logs through ha_logd: ``use_logd yes``, or no ``use_logd`` and
        no logfile, debugfile or logfacility (other than ``none``) in ha.cf."""
        if self.use_logd is not None:
            return self.use_logd
        facility = (self.logfacility or "none").lower()
        return self.logfile is None and self.debugfile is None and facility == "none"

    @property
    def ucast_media(self) -> tuple[Medium, ...]:
        """Every ``ucast`` line (their hosts are the peer addresses hbtui knows)."""
        return tuple(m for m in self.media if m.kind == "ucast")


@dataclass(frozen=True, slots=True)
class Resource:
    """One haresources token: ``Type::arg1::arg2`` (a bare IP is ``IPaddr::IP``)."""

    token: str
    name: str
    args: tuple[str, ...]
    script: Path | None = None  # resolved: resource.d/ then /etc/init.d/


@dataclass(frozen=True, slots=True)
class ResourceGroup:
    """One haresources line: the preferred node and its resources, left to right."""

    node: str
    resources: tuple[Resource, ...]
    line: int = 0

    @property
    def key(self) -> str:
        """The group's name as Heartbeat logs it: its first resource token."""
        return self.resources[0].token if self.resources else self.node


@dataclass(frozen=True, slots=True)
class Haresources:
    """haresources after parsing."""

    path: Path
    groups: tuple[ResourceGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class AuthKey:
    """One ``N METHOD [KEY]`` line of authkeys."""

    index: int
    method: AuthMethod
    key: bytes = b""


@dataclass(frozen=True, slots=True)
class AuthKeys:
    """authkeys after parsing: the outbound index and every configured key."""

    path: Path
    active: int
    keys: dict[int, AuthKey] = field(default_factory=dict, hash=False)

    @property
    def active_key(self) -> AuthKey:
        """The key that signs outgoing messages (``auth N``)."""
        return self.keys[self.active]


class LogdStatus(StrEnum):
    """What became of ha_logd's configuration file."""

    ABSENT = "absent"  # no file: ha_logd runs with its built-in defaults
    READ = "read"
    UNREADABLE = "unreadable"  # ha_logd says it cannot open it and keeps its defaults
    REFUSED = "refused"  # a bad line: ha_logd does not start; Heartbeat logs by itself


@dataclass(frozen=True, slots=True)
class LogdCf:
    """/etc/logd.cf after parsing, with ha_logd's defaults (cluster-glue's ha_logd.c) where
    it is silent: no files, syslog facility daemon."""

    path: Path
    status: LogdStatus = LogdStatus.ABSENT
    logfile: Path | None = None
    debugfile: Path | None = None
    logfacility: str | None = "daemon"  # None: ``logfacility none`` (no syslog)
    entity: str = "logd"  # the tag of ha_logd's own lines
    syslogprefix: str = ""  # when set: the syslog tag of every line, the sender after it
    logmode: int = 0o644  # mode of the log files ha_logd creates
    syslogmsgfmt: bool = True  # files in syslog's line format (else entity[pid]: date ...)


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Everything a node needs from /etc/ha.d, plus who this node is."""

    config_dir: Path
    node_name: str
    ha_cf: HaCf
    haresources: Haresources
    authkeys: AuthKeys
    logd: LogdCf | None = None  # read when ha.cf logs through ha_logd (and on this host)

    @property
    def peers(self) -> tuple[str, ...]:
        """Every configured node but this one."""
        return tuple(n for n in self.ha_cf.nodes if n != self.node_name)
