"""ha-log files: Heartbeat's line format, written to ha.cf's logfile and debugfile.

Daemon lines read ``Mon DD HH:MM:SS <host> heartbeat: [<pid>]: LEVEL: text``; the
resource-script style lines ``YYYY/MM/DD_HH:MM:SS  <source>(default)[<pid>]:    level: text``.
The files are opened once, line-buffered, and appended to (plain writes: small and rare).
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import TextIO

from hbtui.engine.actions import WriteLog

log = logging.getLogger(__name__)


def format_log_line(entry: WriteLog, wall_s: float, host: str, pid: int) -> str:
    """ha-log format: daemon lines, or the resource-script style for other sources."""
    level = entry.level.value
    if entry.source == "heartbeat":
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(wall_s))
        return f"{stamp} {host} heartbeat: [{pid}]: {level}: {entry.text}"
    stamp = time.strftime("%Y/%m/%d_%H:%M:%S", time.localtime(wall_s))
    source = entry.source if "(" in entry.source else f"{entry.source}(default)"
    return f"{stamp}  {source}[{pid}]:    {level}: {entry.text}"


class HaLogFiles:
    """logfile gets info and above, debugfile everything; opened once, line-buffered."""

    def __init__(self, logfile: Path | None, debugfile: Path | None, echo: TextIO | None) -> None:
        self.echo = echo
        self.files: list[tuple[TextIO, bool]] = []
        for path, with_debug in ((logfile, False), (debugfile, True)):
            if path is None:
                continue
            try:
                self.files.append((open(path, "a", buffering=1, encoding="utf-8"), with_debug))  # noqa: SIM115
            except OSError as exc:
                log.warning("cannot open %s: %s (not logging there)", path, exc)

    def write(self, line: str, debug: bool) -> None:
        """Append one line (debug lines only to debugfile); echo non-debug lines."""
        for handle, with_debug in self.files:
            if with_debug or not debug:
                try:
                    handle.write(line + "\n")
                except OSError as exc:
                    log.warning("cannot write %s: %s", handle.name, exc)
        if self.echo is not None and not debug:
            print(line, file=self.echo, flush=True)

    def close(self) -> None:
        """Close the files (idempotent)."""
        for handle, _ in self.files:
            with contextlib.suppress(OSError):
                handle.close()
        self.files.clear()
