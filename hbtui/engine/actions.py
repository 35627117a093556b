"""What the engine asks the runtime to do: plain data, executed in order.

The runtime performs each action and, for the ones carrying a ``request_id``, later
feeds the outcome back with ``Node.script_done`` / ``Node.vip_done``. Actions never
carry callbacks; the engine keeps its own bookkeeping by ``request_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ScriptOp(StrEnum):
    """The last argument of a resource script call."""

    START = "start"
    STOP = "stop"
    STATUS = "status"


class LogLevel(StrEnum):
    """ha-log level words, as the real daemon writes them."""

    DEBUG = "debug"
    INFO = "info"
    WARN = "WARN"
    ERROR = "ERROR"
    CRIT = "CRIT"


@dataclass(frozen=True, slots=True)
class Send:
    """Send one datagram. ``dest`` None = once to every ucast host of ha.cf."""

    datagram: bytes
    dest: tuple[str, int] | None = None
    kind: str = ""  # the message type (``t``), for traces; the runtime ignores it


@dataclass(frozen=True, slots=True)
class AddVip:
    """Put an IPaddr/IPaddr2 address up and announce it (gratuitous ARP when ``arp``).

    ``device``/``label``/``prefix``/``broadcast`` are None when haresources left them
    to the runtime (interface with a route to ``ip``, first free ``dev:N`` label,
    the prefix of that route). Answer with ``Node.vip_done(request_id, ...)``.
    """

    request_id: int
    resource: str
    ip: str
    prefix: int | None = None
    device: str | None = None
    label: str | None = None
    broadcast: str | None = None
    arp: bool = True


@dataclass(frozen=True, slots=True)
class DelVip:
    """Take an address off its interface. Answer with ``Node.vip_done``."""

    request_id: int
    resource: str
    ip: str
    prefix: int | None = None
    device: str | None = None


@dataclass(frozen=True, slots=True)
class RunScript:
    """Run ``argv`` (never through a shell). Answer with ``Node.script_done``."""

    request_id: int
    resource: str
    argv: tuple[str, ...]
    op: ScriptOp


@dataclass(frozen=True, slots=True)
class WriteLog:
    """One log line. ``text`` is what follows ``heartbeat: [pid]: LEVEL: `` in ha-log.

    ``source`` is the program name ha-log shows: ``heartbeat`` for daemon lines, or
    ``ResourceManager`` / ``mach_down`` for the resource-script style lines. ``debug`` is
    the ha.cf ``debug`` level from which the line is written (0: always), as the daemon's
    ANYDEBUG (1), DEBUGDETAILS (2), DEBUGAUTH (3), DEBUGPKT (4) and DEBUGPKTCONT (5); it is
    separate from ``level``: some lines written only at ``debug 1`` are ``info``.
    """

    level: LogLevel
    text: str
    source: str = "heartbeat"
    debug: int = 0


@dataclass(frozen=True, slots=True)
class Exit:
    """The graceful stop is complete: the runtime may exit after sending what it has."""

    reason: str


@dataclass(frozen=True, slots=True)
class SelfFence:
    """Reboot this machine now (Heartbeat's answer to a resource that will not stop).

    Only with ``stop_failure = reboot`` or the operator's ``self-fence`` command; the
    runtime runs its configured fence command (``reboot -nf`` by default).
    """

    reason: str


@dataclass(frozen=True, slots=True)
class Ping:
    """Send one ICMP echo to each of ``hosts`` (ping nodes); answers come back through
    ``Node.ping_reply`` (docs/protocol.md §12)."""

    hosts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StopClients:
    """The resources are released: stop the ha.cf ``respawn`` clients, last first, and carry
    out what follows this action only once they are gone (Heartbeat 3.0.6 kills its client
    children between "All HA resources relinquished." and "shutdown complete.")."""


@dataclass(frozen=True, slots=True)
class WriteHostcache:
    """Rewrite ``hostcache`` in the state directory: one ``(name, 16-byte uuid)`` per node
    (a uuid of zeros: not heard yet). Only with ``autojoin other|any`` (docs/protocol.md §8.1)."""

    nodes: tuple[tuple[str, bytes], ...]


Action = (
    Send
    | AddVip
    | DelVip
    | RunScript
    | WriteLog
    | Exit
    | SelfFence
    | Ping
    | StopClients
    | WriteHostcache
)


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """The runtime's answer to a ``RunScript``: exit code and captured stdout."""

    rc: int
    output: str = ""
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class VipResult:
    """The runtime's answer to ``AddVip``/``DelVip``; ``detail`` says what went wrong."""

    ok: bool
    detail: str = ""
    device: str | None = None  # where the address went (or came off), e.g. "eth0"
    label: str | None = None  # e.g. "eth0:0"
