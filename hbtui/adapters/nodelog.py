"""Where a running node's lines go: the files, syslog and stderr of its ``LogPlan``.

The plan (``hbtui.config.logd_cf``) is ha.cf's logfile/debugfile/logfacility, or with
``use_logd`` what logd.cf names, the lines then written as ha_logd writes them. Debug lines go
to the debug file only, every line that passes the debug level goes to syslog at its own
priority (as cl_log does), and stderr gets the non-debug lines in the daemon's own format
(``--quiet``: warnings and worse) whatever the plan says.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from hbtui.adapters.halog import HaLogFiles, format_log_line, format_logd_line
from hbtui.adapters.syslog import DEV_LOG, SyslogSink, syslog_sink
from hbtui.config.logd_cf import LogPlan
from hbtui.config.model import HaCf
from hbtui.engine import hblog
from hbtui.engine.actions import LogLevel, WriteLog


def logging_lines(cf: HaCf, plan: LogPlan) -> list[WriteLog]:
    """What the daemon says of its logging as it starts (heartbeat's config.c; cl_log.c when
    ha_logd is not there), worded as it words it."""
    lines = []
    if cf.use_logd:
        lines.append(hblog.info("Enabling logging daemon"))
        lines.append(
            hblog.info(
                "logfile and debug file are those specified in logd config file "
                "(default /etc/logd.cf)"
            )
        )
    elif cf.use_logd is None and cf.uses_logd:
        lines.append(hblog.info("No log entry found in ha.cf -- use logd"))
    if plan.fallback:
        lines.append(
            hblog.warn(
                "Initializing connection to logging daemon failed. "
                "Logging daemon may not be running"
            )
        )
    return lines


class NodeLog:
    """The node's log destinations, opened at once; ``write`` one entry to all of them."""

    def __init__(
        self,
        plan: LogPlan,
        host: str,
        pid: int,
        echo: TextIO | None,
        syslog_address: Path = DEV_LOG,
    ) -> None:
        self.plan = plan
        self.host = host
        self.pid = pid
        self.echo = echo
        self.files = HaLogFiles(plan.logfile, plan.debugfile, None, plan.logmode)
        self.syslog: SyslogSink | None = syslog_sink(
            plan.facility, syslog_address, plan.syslogprefix
        )

    def write(self, entry: WriteLog, wall_s: float) -> str:
        """Write ``entry`` everywhere it goes; return it in the daemon's own line format."""
        line = format_log_line(entry, wall_s, self.host, self.pid)
        debug = entry.level is LogLevel.DEBUG
        if self.plan.through_logd:
            logd_line = format_logd_line(
                entry, wall_s, self.host, self.pid, self.plan.syslog_format
            )
            self.files.write(logd_line, debug)
        else:
            self.files.write(line, debug)
        if self.syslog is not None:
            self.syslog.send(entry, self.pid, wall_s)
        if self.echo is not None and not debug:
            print(line, file=self.echo, flush=True)
        return line

    def reopen(self) -> None:
        """SIGHUP (logrotate): the files again at their paths."""
        self.files.reopen()

    def close(self) -> None:
        """Close the files and the syslog socket (idempotent)."""
        self.files.close()
        if self.syslog is not None:
            self.syslog.close()
