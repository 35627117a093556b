"""ha.cf: Heartbeat's main configuration file, directive by directive."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hbtui.config import pingcf, respawncf, tuningcf
from hbtui.config.lines import ConfigFile, ConfigLine, has_nul, shown, split_lines
from hbtui.config.model import (
    AutoFailback,
    Compression,
    CompressionName,
    HaCf,
    Medium,
    MsgFormat,
    PingNode,
    RespawnClient,
)
from hbtui.config.problems import Problem, Severity
from hbtui.config.timeparse import parse_time_ms

DEFAULT_KEEPALIVE_MS = 1000
DEFAULT_DEADTIME_MS = 30000
DEFAULT_UDPPORT = 694  # when /etc/services has no ha-cluster/udp
SERVICE_NAME = "ha-cluster"
MAX_TIME_MS = 24 * 3600 * 1000  # a day: anything longer is a typo, not a timer
MAX_NODE_NAME = 100  # Heartbeat's longest host name

TRUE_WORDS = frozenset({"on", "yes", "true", "y", "1"})
FALSE_WORDS = frozenset({"off", "no", "false", "n", "0"})
CRM_ON_WORDS = frozenset({*TRUE_WORDS, "respawn", "minimal", "manual", "ccm-only", "valgrind"})
AUTOJOIN_VALUES = ("none", "other", "any")
LOG_FACILITIES = frozenset(
    {"auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog"}
    | {"user", "uucp", "none"}
    | {f"local{i}" for i in range(8)}
)

# Directives Heartbeat 3.0.6 accepts that hbtui reads but does not act on: what the real
# daemon would do differently (a note in `hbtui check`, never silence).
HARMLESS: dict[str, str] = {
    "coredumps": "the daemon sets its core-dump limit and directory; hbtui leaves the "
    "process limits to systemd (LimitCORE=)",
    "coreroot": "the daemon dumps core under this directory; hbtui leaves it to systemd",
    "conn_logd_time": "how often the daemon retries a lost ha_logd: hbtui writes where "
    "logd.cf says itself, with no connection to retry",
    "log_badpack": "the daemon logs each bad packet; hbtui counts them (status, console) and "
    "logs the first of each reason and sender",
    "syslogmsgfmt": "syslog message format of the daemon: hbtui's syslog lines keep "
    "Heartbeat's tag and priority",
    "memreserve": "the daemon grows its heap by this much before locking its memory; hbtui "
    "locks what it has (mlockall, with realtime on) and grows on demand",
    "hbgenmethod": "how the daemon makes generations (file or time): hbtui keeps hb_generation "
    "in the state directory as the file method does",
}
# Directives Heartbeat 3.0.6 accepts whose behaviour hbtui does not implement: warned with
# what the real daemon would do that hbtui does not.
_CRM_ONLY = "a Pacemaker (crm) setting: the daemon uses it only with crm on, which hbtui refuses"
UNSUPPORTED: dict[str, str] = {
    "baud": "the daemon also sends heartbeats over serial lines at this speed; hbtui has no "
    "serial media (a second network link, bcast or ucast on another NIC, stands in)",
    "serial": "the daemon also sends heartbeats over this serial port; hbtui has no serial "
    "media, so this path is lost (add a second network link: bcast or ucast on another NIC)",
    "ping6": "the daemon pings this IPv6 node; hbtui counts only IPv4 ping and ping_group nodes",
    "hbaping": "the daemon uses a Fibre Channel HBA as a ping node; hbtui never counts it",
    "apiauth": "the daemon limits which users may use its client API; hbtui has no client "
    "API (its ipfail is built in and needs no line)",
    "stonith": "the daemon fences (power-cycles) a dead peer through STONITH before it takes "
    "over; hbtui takes over without fencing, as the daemon does with no stonith line",
    "stonith_host": "the daemon fences (power-cycles) a dead peer through STONITH before it "
    "takes over; hbtui takes over without fencing, as the daemon does with no stonith line",
    "watchdog": "the daemon feeds this kernel watchdog, so a hung daemon reboots the machine; "
    "hbtui does not (under systemd, WatchdogSec= restarts a hung node: hbtui install-service)",
    "mcast6": "the daemon sends heartbeats to this IPv6 multicast group; hbtui's media are "
    "IPv4 only, so this link is not used",
    "ucast6": "the daemon sends heartbeats to this IPv6 peer; hbtui's media are IPv4 only, "
    "so this link is not used",
    "quorum_server": _CRM_ONLY,
    "record_config_changes": _CRM_ONLY,
    "record_pengine_inputs": _CRM_ONLY,
    "enable_config_writes": _CRM_ONLY,
    "cluster": "the cluster's name, which the daemon hands to its crm and ccm clients; "
    "hbtui has neither",
    "use_apphbd": "the daemon also registers with apphbd, which restarts it when it hangs; "
    "hbtui does not (under systemd, WatchdogSec= does: hbtui install-service)",
    "udp": "the daemon's old name of bcast; hbtui does not read it (write 'bcast DEV')",
}

RTPRIO_MAX = 99  # Linux's highest SCHED_RR priority
DEBUG_MAX = 255  # the daemon's highest debug level in ha.cf
_ATOI = re.compile(r"\s*([+-]?[0-9]+)")
_IFNAME = re.compile(r"[^\s/:]{1,15}")
_DOTTED = re.compile(r"[0-9.]+")


def services_port(services_text: str, name: str = SERVICE_NAME, proto: str = "udp") -> int | None:
    """The port /etc/services gives ``name`` (or an alias) over ``proto``; None if none."""
    for line in services_text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or name not in (fields[0], *fields[2:]):
            continue
        port, _, its_proto = fields[1].partition("/")
        if its_proto == proto and port.isdigit() and 0 < int(port) < 65536:
            return int(port)
    return None


@dataclass
class _Builder:
    """Mutable state while reading ha.cf; frozen into HaCf at the end."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    node_lines: dict[str, int] = field(default_factory=dict)
    media: list[Medium] = field(default_factory=list)
    times: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    udpport: int = DEFAULT_UDPPORT
    auto_failback: AutoFailback = AutoFailback.LEGACY
    ping_nodes: list[PingNode] = field(default_factory=list)
    ipfail_line: int | None = None
    respawn: list[RespawnClient] = field(default_factory=list)

    def error(self, line: ConfigLine, message: str) -> None:
        self.problems.append(Problem(Severity.ERROR, message, self.path, line.number))

    def warn(self, line: ConfigLine, message: str) -> None:
        self.problems.append(Problem(Severity.WARNING, message, self.path, line.number))

    def note_set(self, name: str, line: ConfigLine) -> None:
        """Remember where a single-valued directive was set; warn when it is set twice."""
        earlier = self.lines.get(name)
        if earlier is not None:
            self.warn(line, f"{name} set again (first at line {earlier}); this value wins")
        self.lines[name] = line.number

    def one_arg(self, line: ConfigLine) -> str | None:
        """The directive's single argument, or None after reporting a wrong count."""
        if len(line.tokens) != 2:
            self.error(line, f"{line.tokens[0]} takes exactly one value")
            return None
        return line.tokens[1]


def _time(b: _Builder, line: ConfigLine) -> None:
    name = line.tokens[0].lower()
    value = b.one_arg(line)
    if value is None:
        return
    ms = parse_time_ms(value)
    if ms is None or ms > MAX_TIME_MS:
        if name == "warntime":
            b.error(line, f"Warn time [{shown(value)}] is invalid.")
        else:
            b.error(line, f"invalid {name} [{shown(value)}]: expected seconds, or ms/us")
        return
    b.note_set(name, line)
    b.times[name] = ms


def _node(b: _Builder, line: ConfigLine) -> None:
    if len(line.tokens) < 2:
        b.error(line, "node needs at least one node name")
        return
    for raw in line.tokens[1:]:
        name = raw.lower()
        if len(name) > MAX_NODE_NAME:
            b.error(line, f"Bad nodename [{shown(raw)[:40]}...]: longer than {MAX_NODE_NAME}")
            continue
        if name in b.node_lines:
            b.warn(
                line,
                f"duplicate node [{shown(name)}] (already at line {b.node_lines[name]}); "
                "ignored, as Heartbeat does",
            )
            continue
        b.node_lines[name] = line.number
        b.nodes.append(name)


def _check_device(b: _Builder, line: ConfigLine, device: str) -> bool:
    if _IFNAME.fullmatch(device) is None:
        b.error(line, f"invalid interface name [{shown(device)}]")
        return False
    return True


def _late_udpport(b: _Builder, line: ConfigLine, port: int) -> None:
    """Heartbeat 3.0.6 fixes the port at the first medium: a later udpport is ignored."""
    same = "; harmless here: it is the same port" if port == b.udpport else ""
    b.warn(
        line,
        f"udpport setting must precede media statements: Heartbeat 3.0.6 prints this and "
        f"ignores 'udpport {port}', so every medium uses port {b.udpport} (so does hbtui){same}",
    )


def _resolvable_name(host: str) -> bool:
    """A name the resolver can be asked for (``hbtui node`` resolves it with IDNA)."""
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def _ucast(b: _Builder, line: ConfigLine) -> None:
    if len(line.tokens) < 3:
        b.error(line, "ucast needs an interface and a peer host: ucast DEV HOST")
        return
    device = line.tokens[1]
    if not _check_device(b, line, device):
        return
    host = line.tokens[2]
    if len(line.tokens) > 3:
        extra = " ".join(line.tokens[3:])
        b.warn(
            line,
            f"only the first host of a ucast line is used (Heartbeat 3.0.6 ignores "
            f"[{shown(extra)}]); write one 'ucast {shown(device)} HOST' line per host",
        )
    if _DOTTED.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            b.error(line, f"invalid IPv4 address [{shown(host)}] in ucast")
            return
    if not _resolvable_name(host):
        b.error(line, f"ucast host [{shown(host)}] is not a valid host name (no resolver takes it)")
        return
    _new_medium(b, line, Medium("ucast", device, host, line.number))


def _new_medium(b: _Builder, line: ConfigLine, medium: Medium) -> bool:
    """Add ``medium`` unless the same one was already configured (then warn)."""
    key = (medium.kind, medium.device, medium.host)
    for earlier in b.media:
        if (earlier.kind, earlier.device, earlier.host) == key:
            b.warn(
                line,
                f"{medium.kind} on {shown(medium.device)} already configured at line "
                f"{earlier.line}; this one is ignored",
            )
            return False
    b.media.append(medium)
    return True


def _bcast(b: _Builder, line: ConfigLine) -> None:
    """``bcast DEV [DEV...]``: one broadcast medium per interface, on udpport."""
    if len(line.tokens) < 2:
        b.error(line, "bcast needs at least one interface: bcast DEV [DEV...]")
        return
    for device in line.tokens[1:]:
        if _check_device(b, line, device):
            _new_medium(b, line, Medium("bcast", device, None, line.number))


def _small_int(value: str, low: int, high: int) -> int | None:
    if value.isascii() and value.isdigit() and len(value) <= 5 and low <= int(value) <= high:
        return int(value)
    return None


def _mcast(b: _Builder, line: ConfigLine) -> None:
    """``mcast DEV GROUP PORT TTL LOOP`` (IPv4): ranges as Heartbeat 3.0.6 checks them."""
    if len(line.tokens) != 6:
        b.error(line, "mcast takes five values: mcast DEV GROUP PORT TTL LOOP")
        return
    device, group, port_s, ttl_s, loop_s = line.tokens[1:]
    if not _check_device(b, line, device):
        return
    try:
        is_multicast = ipaddress.IPv4Address(group).is_multicast
    except ValueError:
        is_multicast = False
    if not is_multicast:
        b.error(
            line,
            f"mcast [{shown(device)}] bad addr [{shown(group)}]: "
            "expected an IPv4 multicast group (224.0.0.0 to 239.255.255.255)",
        )
        return
    port = _small_int(port_s, 1, 65535)
    if port is None:
        b.error(line, f"mcast [{shown(device)}] bad port [{shown(port_s)}]: expected 1 to 65535")
        return
    ttl = _small_int(ttl_s, 0, 4)
    if ttl is None:
        b.error(line, f"mcast [{shown(device)}] bad ttl [{shown(ttl_s)}]: expected 0 to 4")
        return
    loop = _small_int(loop_s, 0, 1)
    if loop is None:
        b.error(line, f"mcast [{shown(device)}] bad loop [{shown(loop_s)}]: expected 0 or 1")
        return
    medium = Medium("mcast", device, group, line.number, port=port, ttl=ttl, loop=loop == 1)
    _new_medium(b, line, medium)


def _udpport(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    if not (value.isascii() and value.isdigit() and len(value) <= 5 and 0 < int(value) < 65536):
        b.error(line, f"invalid port [{shown(value)}] specified.")
        return
    if b.media:
        _late_udpport(b, line, int(value))
        return
    b.note_set("udpport", line)
    b.udpport = int(value)


def _auto_failback(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    word = value.lower()
    if word == "legacy":
        choice = AutoFailback.LEGACY
    elif word in TRUE_WORDS:
        choice = AutoFailback.ON
    elif word in FALSE_WORDS:
        choice = AutoFailback.OFF
    else:
        b.error(line, f"invalid auto_failback [{shown(value)}]: use on, off or legacy")
        return
    b.note_set("auto_failback", line)
    b.auto_failback = choice


def _nice_failback(b: _Builder, line: ConfigLine) -> None:
    """The obsolete directive, read as the daemon reads it: whatever its value, it becomes
    ``auto_failback off`` after an ``auto_failback on|off`` line, else ``legacy``."""
    value = b.one_arg(line)
    if value is None:
        return
    if value.lower() not in TRUE_WORDS | FALSE_WORDS:
        b.error(line, f"invalid nice_failback [{shown(value)}]: use on or off")
        return
    boolean_before = b.auto_failback is not AutoFailback.LEGACY  # the daemon's nice_failback flag
    choice = AutoFailback.OFF if boolean_before else AutoFailback.LEGACY
    b.warn(
        line,
        f"nice_failback is obsolete: the daemon reads this line as 'auto_failback "
        f"{choice.value}' (whatever its value) and so does hbtui; write auto_failback on|off",
    )
    b.note_set("auto_failback", line)
    b.auto_failback = choice


def _crm(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    word = value.lower()
    if word in CRM_ON_WORDS:
        b.error(
            line,
            f"{line.tokens[0]} {shown(value)}: hbtui runs haresources (R1) clusters only; "
            "crm/pacemaker must be off",
        )
    elif word not in FALSE_WORDS:
        b.error(line, f"invalid {line.tokens[0]} value [{shown(value)}]: use off")
        return
    b.note_set("crm", line)
    b.values["crm"] = "off" if word in FALSE_WORDS else word


def _autojoin(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    word = value.lower()
    if word not in AUTOJOIN_VALUES:
        b.error(line, f"Invalid autojoin directive [{shown(value)}]: use none, other or any")
        return
    if word != "none":
        whom = "any host" if word == "any" else "any host but this one, which must be listed,"
        b.warn(
            line,
            f"autojoin {word}: {whom} that signs with the authkeys key joins without a 'node' "
            "line and is counted as a member (remembered in hostcache): a wrong host given the "
            "key (a clone, a test machine) becomes a member too; joined nodes hold no "
            "haresources group and never take one over. The real Heartbeat 3.0.6 refuses to "
            "start with autojoin and haresources ('R1 style resource management conflicts "
            "with autojoin set'): real daemons in this cluster keep autojoin none and list "
            "every node",
        )
    b.note_set("autojoin", line)
    b.values["autojoin"] = word


def _path_value(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is not None:
        name = line.tokens[0].lower()
        b.note_set(name, line)
        b.values[name] = value


def _logfacility(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    if value.lower() not in LOG_FACILITIES:
        b.warn(line, f"Log facility({shown(value)}) not valid")
    b.note_set("logfacility", line)
    b.values["logfacility"] = value


def _switch(b: _Builder, line: ConfigLine, on: str, off: str) -> None:
    """A yes/no directive (the daemon's cl_str_to_boolean words), kept as ``on``/``off``."""
    value = b.one_arg(line)
    if value is None:
        return
    name, word = line.tokens[0].lower(), value.lower()
    if word not in TRUE_WORDS and word not in FALSE_WORDS:
        b.error(line, f"invalid {name} [{shown(value)}]: use {on} or {off}")
        return
    b.note_set(name, line)
    b.values[name] = on if word in TRUE_WORDS else off


def _realtime(b: _Builder, line: ConfigLine) -> None:
    _switch(b, line, "on", "off")


def _rtprio(b: _Builder, line: ConfigLine) -> None:
    value = b.one_arg(line)
    if value is None:
        return
    if not value.isdigit() or not 1 <= int(value) <= RTPRIO_MAX:
        b.error(line, f"invalid rtprio [{shown(value)}]: a SCHED_RR priority, 1 to {RTPRIO_MAX}")
        return
    b.note_set("rtprio", line)
    b.values["rtprio"] = value


def _debug(b: _Builder, line: ConfigLine) -> None:
    """``debug N``: the daemon reads N as C's atoi does and refuses it outside 0..255."""
    value = b.one_arg(line)
    if value is None:
        return
    digits = _ATOI.match(value)
    level = int(digits.group(1)) if digits else 0
    if not 0 <= level <= DEBUG_MAX:
        b.error(line, f"invalid debug level [{shown(value)}]: 0 to {DEBUG_MAX}")
        return
    if digits is None or digits.end() != len(value):
        b.warn(
            line,
            f"debug [{shown(value)}] is not a number: Heartbeat reads it as {level} "
            f"(so does hbtui); write 0 to {DEBUG_MAX}",
        )
    b.note_set("debug", line)
    b.values["debug"] = str(level)


def _use_logd(b: _Builder, line: ConfigLine) -> None:
    _switch(b, line, "yes", "no")


def _check_logging(b: _Builder) -> None:
    """What the daemon says of ha.cf's logging once it is read (heartbeat's config.c)."""
    line = b.lines.get("use_logd")
    if line is None:
        return
    facility = b.values.get("logfacility", "none").lower()
    direct: list[str] = [name for name in ("logfile", "debugfile") if name in b.values]
    direct += ["logfacility"] if facility != "none" else []
    if b.values["use_logd"] == "no" and not direct:
        text = (
            "No log entry found in ha.cf and use_logd is set to off: Heartbeat refuses to "
            "start; set logfile, debugfile or logfacility, or use_logd yes"
        )
        b.problems.append(Problem(Severity.ERROR, text, b.path, line))
    elif b.values["use_logd"] == "yes" and direct:
        text = (
            f"logd is enabled but {'/'.join(direct)} is still configured in ha.cf: the lines "
            "go where logd.cf says, as ha_logd writes them (ha.cf's only if logd.cf is refused)"
        )
        b.problems.append(Problem(Severity.WARNING, text, b.path, line))


def _msgfmt(b: _Builder, line: ConfigLine) -> None:
    """``msgfmt classic|netstring``, spelled exactly so: the daemon compares with strcmp."""
    value = b.one_arg(line)
    if value is None:
        return
    if value not in tuple(MsgFormat):
        b.error(
            line,
            f"invalid msgfmt [{shown(value)}]: use classic or netstring (in lower case; "
            "Heartbeat refuses the file)",
        )
        return
    b.note_set("msgfmt", line)
    b.values["msgfmt"] = value


def _traditional_compression(b: _Builder, line: ConfigLine) -> None:
    _switch(b, line, "yes", "no")


def _compression(b: _Builder) -> Compression:
    """ha.cf's compression directives, with the daemon's defaults (zlib, 2 KB, no)."""
    return Compression(
        algorithm=CompressionName(b.values.get("compression", CompressionName.ZLIB)),
        threshold=int(b.values.get("compression_threshold", "2")) * 1024,
        traditional=b.values.get("traditional_compression", "no") == "yes",
    )


Handler = Callable[[_Builder, ConfigLine], None]

HANDLERS: dict[str, Handler] = {
    "keepalive": _time,
    "deadtime": _time,
    "warntime": _time,
    "initdead": _time,
    "deadping": _time,
    "ping": pingcf.ping,
    "ping_group": pingcf.ping_group,
    "respawn": respawncf.respawn,
    "node": _node,
    "ucast": _ucast,
    "bcast": _bcast,
    "mcast": _mcast,
    "udpport": _udpport,
    "auto_failback": _auto_failback,
    "nice_failback": _nice_failback,
    "crm": _crm,
    "pacemaker": _crm,
    "autojoin": _autojoin,
    "logfile": _path_value,
    "debugfile": _path_value,
    "logfacility": _logfacility,
    "realtime": _realtime,
    "rtprio": _rtprio,
    "debug": _debug,
    "use_logd": _use_logd,
    "msgfmt": _msgfmt,
    "compression": tuningcf.compression,
    "compression_threshold": tuningcf.compression_threshold,
    "traditional_compression": _traditional_compression,
    "max_rexmit_delay": tuningcf.max_rexmit_delay,
    "hopfudge": tuningcf.hopfudge,
    "uuidfrom": tuningcf.uuidfrom,
}

KNOWN_DIRECTIVES = frozenset(HANDLERS) | frozenset(HARMLESS) | frozenset(UNSUPPORTED)


def default_initdead_ms(deadtime_ms: int) -> int:
    """Heartbeat's initdead when ha.cf does not set it (docs/protocol.md §6)."""
    if deadtime_ms > 10_000:
        return deadtime_ms
    if deadtime_ms < 6_000:
        return 12_000
    return 2 * deadtime_ms


def _unknown(b: _Builder, line: ConfigLine) -> None:
    name = line.tokens[0]
    close = difflib.get_close_matches(name.lower(), sorted(KNOWN_DIRECTIVES), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    b.error(
        line,
        f"unknown directive '{shown(name)}'{hint}: Heartbeat refuses this file (Illegal "
        "directive) and so does hbtui",
    )


def _read_line(b: _Builder, line: ConfigLine) -> None:
    if has_nul(line):
        b.error(line, "line contains a NUL byte")
        return
    name = line.tokens[0].lower()
    handler = HANDLERS.get(name)
    if handler is not None:
        handler(b, line)
    elif name in UNSUPPORTED:
        b.warn(line, f"{name} is not implemented, ignored: {UNSUPPORTED[name]}")
    elif name in HARMLESS:
        b.warn(line, f"{name}: {HARMLESS[name]}")
    else:
        _unknown(b, line)


def parse_ha_cf(
    source: ConfigFile, default_udpport: int = DEFAULT_UDPPORT
) -> tuple[HaCf, list[Problem]]:
    """ha.cf with Heartbeat's defaults filled in, and every problem found line by line.

    ``default_udpport`` is the port without ``udpport`` (Heartbeat: ha-cluster/udp from
    /etc/services, else 694; the loader reads that file).
    """
    b = _Builder(source.path, udpport=default_udpport)
    for line in split_lines(source.text, continuation=False):
        _read_line(b, line)
    keepalive = b.times.get("keepalive", DEFAULT_KEEPALIVE_MS)
    deadtime = b.times.get("deadtime", DEFAULT_DEADTIME_MS)
    warntime = b.times.get("warntime", deadtime // 2)
    initdead = b.times.get("initdead", default_initdead_ms(deadtime))
    deadping = b.times.get("deadping", deadtime)
    for number, text, is_error in pingcf.check(
        b, b.lines, keepalive, deadping, b.auto_failback, b.nodes
    ):
        severity = Severity.ERROR if is_error else Severity.WARNING
        b.problems.append(Problem(severity, text, b.path, number))
    _check_logging(b)
    logfile = b.values.get("logfile")
    debugfile = b.values.get("debugfile")
    ha_cf = HaCf(
        path=source.path,
        nodes=tuple(b.nodes),
        media=tuple(b.media),
        udpport=b.udpport,
        keepalive_ms=keepalive,
        deadtime_ms=deadtime,
        warntime_ms=warntime,
        initdead_ms=initdead,
        auto_failback=b.auto_failback,
        logfile=Path(logfile) if logfile else None,
        debugfile=Path(debugfile) if debugfile else None,
        logfacility=b.values.get("logfacility"),
        autojoin=b.values.get("autojoin", "none"),
        crm=b.values.get("crm", "off"),
        ping_nodes=tuple(b.ping_nodes),
        deadping_ms=deadping,
        ipfail=b.ipfail_line is not None,
        respawn=tuple(b.respawn),
        realtime=b.values.get("realtime", "on") == "on",
        rtprio=int(b.values["rtprio"]) if "rtprio" in b.values else None,
        debug=int(b.values.get("debug", "0")),
        use_logd=None if "use_logd" not in b.values else b.values["use_logd"] == "yes",
        msgfmt=MsgFormat(b.values.get("msgfmt", MsgFormat.CLASSIC)),
        compression=_compression(b),
        max_rexmit_delay_ms=int(b.values.get("max_rexmit_delay", "250")),
        hopfudge=int(b.values.get("hopfudge", "1")),
        uuid_from_name=b.values.get("uuidfrom") == "nodename",
        lines=dict(b.lines),
        node_lines=dict(b.node_lines),
    )
    return ha_cf, b.problems
