"""ha-log files: Heartbeat's line format, written to ha.cf's logfile and debugfile.

Daemon lines read ``Mon DD HH:MM:SS <host> heartbeat: [<pid>]: LEVEL: text``; the
resource-script style lines ``YYYY/MM/DD_HH:MM:SS  <source>(default)[<pid>]:    level: text``.
The files are opened line-buffered and appended to (plain writes: small and rare). A file
moved away (logrotate, ``mv ha-log ha-log.1``) is noticed at the next write by its inode, as the
stdlib ``WatchedFileHandler`` does, and a new one is made at the configured path; ``reopen()``
(SIGHUP) does the same at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path
from typing import TextIO

from hbtui.engine.actions import WriteLog

log = logging.getLogger(__name__)

DAEMON_SOURCES = frozenset({"heartbeat", "ipfail"})  # written in the daemon's format


def format_log_line(entry: WriteLog, wall_s: float, host: str, pid: int) -> str:
    """ha-log format: daemon lines, or the resource-script style for other sources."""
    level = entry.level.value
    if entry.source in DAEMON_SOURCES:
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(wall_s))
        return f"{stamp} {host} {entry.source}: [{pid}]: {level}: {entry.text}"
    stamp = time.strftime("%Y/%m/%d_%H:%M:%S", time.localtime(wall_s))
    source = entry.source if "(" in entry.source else f"{entry.source}(default)"
    return f"{stamp}  {source}[{pid}]:    {level}: {entry.text}"


class HaLogFiles:
    """logfile gets info and above, debugfile everything; opened once, line-buffered."""

    def __init__(self, logfile: Path | None, debugfile: Path | None, echo: TextIO | None) -> None:
        self.echo = echo
        self.paths = [(p, d) for p, d in ((logfile, False), (debugfile, True)) if p is not None]
        self.files: list[tuple[TextIO, bool]] = []
        self.reopen()

    def reopen(self) -> None:
        """(Re)open every configured file at its path (SIGHUP, or after a rotation)."""
        self.close()
        for path, with_debug in self.paths:
            try:
                self.files.append((open(path, "a", buffering=1, encoding="utf-8"), with_debug))  # noqa: SIM115
            except OSError as exc:
                log.warning("cannot open %s: %s (not logging there)", path, exc)

    def _moved(self) -> bool:
        """True when a file open here is no longer the one at its path."""
        for handle, _ in self.files:
            try:
                at_path = os.stat(handle.name)
            except OSError:
                return True
            mine = os.fstat(handle.fileno())
            if (at_path.st_dev, at_path.st_ino) != (mine.st_dev, mine.st_ino):
                return True
        return False

    def write(self, line: str, debug: bool) -> None:
        """Append one line (debug lines only to debugfile); echo non-debug lines."""
        if self._moved():
            self.reopen()
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
