"""ha.cf ``logfacility`` (or logd.cf's with ``use_logd``): ha-log lines sent to syslog through
``/dev/log``, as Heartbeat (or ha_logd, whose ``syslogprefix`` becomes the tag) does.

Each datagram is ``<PRI>Mon DD HH:MM:SS heartbeat: [pid]: LEVEL: text`` (RFC 3164, tag
``heartbeat``), PRI = facility * 8 + severity. The socket is non-blocking: a full or absent
syslog drops the line (counted) rather than stalling the event loop. The stdlib
``SysLogHandler`` is not used because it blocks on a full socket and reformats the tag.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from hbtui.engine.actions import LogLevel, WriteLog

DEV_LOG = Path("/dev/log")

FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
    "news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
    **{f"local{i}": 16 + i for i in range(8)},
}  # fmt: skip

SEVERITIES = {
    LogLevel.CRIT: 2,
    LogLevel.ERROR: 3,
    LogLevel.WARN: 4,
    LogLevel.INFO: 6,
    LogLevel.DEBUG: 7,
}


def syslog_datagram(
    entry: WriteLog, facility: int, pid: int, wall_s: float, prefix: str = ""
) -> bytes:
    """One RFC 3164 datagram with Heartbeat's tag and message layout; with ``prefix``
    (ha_logd's ``syslogprefix``) that is the tag and the sender's stands before its pid."""
    pri = facility * 8 + SEVERITIES[entry.level]
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(wall_s))
    tag = entry.source.split("(")[0] or "heartbeat"
    sender = ""
    if prefix:
        tag, sender = prefix, tag
    return f"<{pri}>{stamp} {tag}: {sender}[{pid}]: {entry.level.value}: {entry.text}".encode()


class SyslogSink:
    """Sends ha-log entries to a syslog socket; never blocks, reconnects when it went away."""

    def __init__(self, facility_name: str, address: Path = DEV_LOG, prefix: str = "") -> None:
        self.facility = FACILITIES[facility_name.lower()]
        self.address = address
        self.prefix = prefix
        self.dropped = 0
        self._sock: socket.socket | None = None

    def send(self, entry: WriteLog, pid: int, wall_s: float) -> None:
        """Send one entry; a missing or full syslog drops it."""
        data = syslog_datagram(entry, self.facility, pid, wall_s, self.prefix)
        for _ in range(2):
            try:
                if self._sock is None:
                    self._sock = self._connect()
                self._sock.send(data)
                return
            except BlockingIOError:
                break
            except OSError:
                self.close()
        self.dropped += 1

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        try:
            sock.connect(str(self.address))
        except OSError:
            sock.close()
            raise
        return sock

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def syslog_sink(
    facility: str | None, address: Path = DEV_LOG, prefix: str = ""
) -> SyslogSink | None:
    """The sink for ha.cf's logfacility, or None when it is unset, ``none`` or unknown."""
    if facility is None or facility.lower() not in FACILITIES:
        return None
    return SyslogSink(facility, address, prefix)
