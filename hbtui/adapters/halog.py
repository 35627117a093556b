"""ha-log files: Heartbeat's line format, written to ha.cf's logfile and debugfile (or
ha_logd's format, to logd.cf's files, with ``use_logd``: ``format_logd_line``).

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
    return f"{stamp}  {script_tag(entry)}[{pid}]:    {level}: {entry.text}"


def script_tag(entry: WriteLog) -> str:
    """``ResourceManager(default)``: the tag of a resource-script style line."""
    return entry.source if "(" in entry.source else f"{entry.source}(default)"


def format_logd_line(
    entry: WriteLog, wall_s: float, host: str, pid: int, syslog_format: bool = True
) -> str:
    """A line as ha_logd writes it to its files (cluster-glue's cl_log.c): the sender's
    entity and pid after syslog's date and host; script lines arrive through ha_logger,
    whose entity is the script's tag with its pid. ``syslog_format=False`` (logd.cf
    ``syslogmsgfmt no``): ``entity[pid]: YYYY/MM/DD_HH:MM:SS level: text``."""
    entity = entry.source
    if entity not in DAEMON_SOURCES:
        entity = f"{script_tag(entry)}[{pid}]"
    if not syslog_format:
        stamp = time.strftime("%Y/%m/%d_%H:%M:%S", time.localtime(wall_s))
        return f"{entity}[{pid}]: {stamp} {entry.level.value}: {entry.text}"
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(wall_s))
    return f"{stamp} {host} {entity}: [{pid}]: {entry.level.value}: {entry.text}"


class HaLogFiles:
    """logfile gets info and above, debugfile everything; opened once, line-buffered.

    ``mode``: the permissions of a file made here (ha_logd's ``logmode``); None leaves them
    to the process's umask.
    """

    def __init__(
        self,
        logfile: Path | None,
        debugfile: Path | None,
        echo: TextIO | None,
        mode: int | None = None,
    ) -> None:
        self.echo = echo
        self.mode = mode
        self.paths = [(p, d) for p, d in ((logfile, False), (debugfile, True)) if p is not None]
        self.files: list[tuple[TextIO, bool, Path]] = []
        self.reopen()

    def reopen(self) -> None:
        """(Re)open every configured file at its path (SIGHUP, or after a rotation)."""
        self.close()
        for path, with_debug in self.paths:
            try:
                self.files.append((self._open(path), with_debug, path))
            except OSError as exc:
                log.warning("cannot open %s: %s (not logging there)", path, exc)

    def _open(self, path: Path) -> TextIO:
        if self.mode is None:
            return open(path, "a", buffering=1, encoding="utf-8")
        made = not os.path.lexists(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, self.mode & 0o666)
        if made:  # as ha_logd's umask makes it, whatever ours is
            with contextlib.suppress(OSError):
                os.fchmod(fd, self.mode & 0o666)
        return open(fd, "a", buffering=1, encoding="utf-8")

    def _moved(self) -> bool:
        """True when a file open here is no longer the one at its path."""
        for handle, _, path in self.files:
            try:
                at_path = os.stat(path)
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
        for handle, with_debug, path in self.files:
            if with_debug or not debug:
                try:
                    handle.write(line + "\n")
                except OSError as exc:
                    log.warning("cannot write %s: %s", path, exc)
        if self.echo is not None and not debug:
            print(line, file=self.echo, flush=True)

    def close(self) -> None:
        """Close the files (idempotent)."""
        for handle, _, _ in self.files:
            with contextlib.suppress(OSError):
                handle.close()
        self.files.clear()
