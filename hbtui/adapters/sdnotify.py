"""systemd's sd_notify protocol: one datagram per message to ``$NOTIFY_SOCKET``.

Written with the stdlib socket: the protocol is one non-blocking ``sendto`` on an AF_UNIX
datagram socket, so a dependency (python-systemd needs libsystemd and a compiler; sdnotify
is unmaintained) buys nothing. A missing or full socket drops the message: it must never
block the event loop.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class Notifier:
    """Sends ``READY=1``, ``STATUS=...`` and friends when systemd asked for them."""

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        path = environ.get("NOTIFY_SOCKET", "")
        self.address = "\0" + path[1:] if path.startswith("@") else path
        usec = environ.get("WATCHDOG_USEC", "")
        self.watchdog_s = int(usec) / 2e6 if usec.isdigit() and int(usec) > 0 else None
        self.dropped = 0

    def send(self, *lines: str) -> None:
        """Send one message (lines joined by newlines); a no-op outside systemd."""
        if not self.address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            try:
                sock.sendto("\n".join(lines).encode(), self.address)
            except OSError:
                self.dropped += 1
