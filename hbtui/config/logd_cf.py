"""/etc/logd.cf, ha_logd's configuration, and where a node's log lines go.

With ``use_logd yes`` (or no log entry at all in ha.cf) Heartbeat hands every line to
cluster-glue's ha_logd, which writes it where /etc/logd.cf says; ha.cf's logfile, debugfile
and logfacility are then used only while ha_logd is not running. hbtui runs no ha_logd: it
reads logd.cf as ha_logd does and writes the lines there itself, in ha_logd's format.

ha_logd's rules, as read in cluster-glue (logd/ha_logd.c, lib/clplumbing/cl_log.c): no file
means its built-in defaults (no log file, no debug file, syslog facility ``daemon``, the
commented values in the shipped sample are not its defaults); a file it cannot open is said
and the defaults kept; an unknown directive or a bad value makes it refuse the whole file
and not start, and Heartbeat then logs by itself to ha.cf's destinations. Directive names
are matched without case, the value is the first word after it (``,`` also separates), a
``#`` starts a comment anywhere, and ``/dev/null`` as a file means none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from hbtui.config.ha_cf import FALSE_WORDS, LOG_FACILITIES, TRUE_WORDS
from hbtui.config.lines import ConfigFile, ConfigLine, read_config_file, shown, split_lines
from hbtui.config.model import ClusterConfig, HaCf, LogdCf, LogdStatus
from hbtui.config.problems import Problem, Severity

LOGD_CF = Path("/etc/logd.cf")
MAXENTITY = 64  # entity and syslogprefix keep 63 characters
DEV_NULL = "/dev/null"
# cl_syslog.c's names, compared with case ("security" is its old name for auth)
SYSLOG_FACILITIES = LOG_FACILITIES - {"none"}
_VALUE_DELIMS = re.compile(r"[ ,\t\f\r\v]+")
_OCTAL = re.compile(r"[0-7]*")
REFUSED = "ha_logd refuses this file and does not start, so Heartbeat logs to ha.cf's "
REFUSED += "logfile/debugfile/logfacility itself; so does hbtui until this is fixed"


@dataclass
class _Reading:
    """Mutable state while reading logd.cf."""

    path: Path
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    refused: bool = False

    def refuse(self, line: ConfigLine, message: str) -> None:
        self.refused = True
        self.problems.append(
            Problem(Severity.WARNING, f"{message}: {REFUSED}", self.path, line.number)
        )

    def warn(self, line: ConfigLine, message: str) -> None:
        self.problems.append(Problem(Severity.WARNING, message, self.path, line.number))


def _file(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    r.values[name] = None if not value or value.lower() == DEV_NULL else Path(value)


def _facility(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    if value == "none":
        r.values[name] = None
    elif value in SYSLOG_FACILITIES or value == "security":
        r.values[name] = "auth" if value == "security" else value
    else:
        r.refuse(line, f"invalid logfacility [{shown(value)}] (names are lower case)")


def _tag(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    if len(value) >= MAXENTITY:
        kept = value[: MAXENTITY - 1]
        r.warn(line, f"setting {name} to {shown(kept)} (truncated from {shown(value)})")
        value = kept
    r.values[name] = value


def _queue(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    """sendqlen/recvqlen size ha_logd's queues between its two processes: nothing to size
    here, but a negative length is refused as ha_logd refuses it."""
    number = re.match(r"\s*([+-]?[0-9]+)", value)
    if number is not None and int(number.group(1)) < 0:
        r.refuse(line, f"negative {name} [{shown(value)}]")


def _logmode(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    if _OCTAL.fullmatch(value) is None:
        r.refuse(line, f"Invalid log mode [{shown(value)}]: an octal file mode such as 0640")
        return
    if not value.startswith("0"):
        r.warn(line, f"Log mode [{shown(value)}] assumed to be octal")
    r.values[name] = int(value or "0", 8) & 0o7777


def _boolean(r: _Reading, line: ConfigLine, name: str, value: str) -> None:
    word = value.lower()
    if word not in TRUE_WORDS and word not in FALSE_WORDS:
        r.refuse(line, f"invalid {name} [{shown(value)}]: use yes or no")
        return
    r.values[name] = word in TRUE_WORDS


DIRECTIVES: dict[str, Callable[[_Reading, ConfigLine, str, str], None]] = {
    "debugfile": _file,
    "logfile": _file,
    "logfacility": _facility,
    "entity": _tag,
    "syslogprefix": _tag,
    "sendqlen": _queue,
    "recvqlen": _queue,
    "logmode": _logmode,
    "syslogmsgfmt": _boolean,
}


def parse_logd_cf(source: ConfigFile) -> tuple[LogdCf, list[Problem]]:
    """logd.cf as ha_logd reads it, and every problem at its line."""
    r = _Reading(source.path)
    for line in split_lines(source.text, continuation=False):
        directive = line.tokens[0]
        handler = DIRECTIVES.get(directive.lower())
        if handler is None:
            r.refuse(line, f"Illegal directive [{shown(directive)}]")
            continue
        words = [w for w in _VALUE_DELIMS.split(line.text[len(directive) :]) if w]
        if len(words) > 1:
            extra = " ".join(words[1:])
            r.warn(line, f"only the first value is used (ha_logd ignores [{shown(extra)}])")
        handler(r, line, directive.lower(), words[0] if words else "")
    status = LogdStatus.REFUSED if r.refused else LogdStatus.READ
    logd = LogdCf(source.path, status)
    return replace(logd, **r.values), r.problems  # type: ignore[arg-type]


def read_logd_cf(path: Path = LOGD_CF) -> tuple[LogdCf, list[Problem]]:
    """``path`` read as ha_logd reads it at its start; never raises."""
    source, problem = read_config_file(path)
    if source is not None:
        return parse_logd_cf(source)
    if not (path.exists() or path.is_symlink()):
        return LogdCf(path, LogdStatus.ABSENT), []
    reason = problem.message if problem is not None else "cannot read it"
    text = (
        f"Cannot open config file ({reason}): ha_logd keeps its defaults (no log files, syslog "
        "facility daemon); so does hbtui"
    )
    return LogdCf(path, LogdStatus.UNREADABLE), [Problem(Severity.WARNING, text, path)]


@dataclass(frozen=True, slots=True)
class LogPlan:
    """Where a node's lines go: files, syslog, and in which format."""

    through_logd: bool  # written as ha_logd would write them
    origin: str  # the settings used, for people: "ha.cf", "/etc/logd.cf", ...
    logfile: Path | None = None
    debugfile: Path | None = None
    facility: str | None = None  # syslog facility; None: no syslog
    syslogprefix: str = ""
    logmode: int | None = None  # mode of files made here; None: the process's umask
    syslog_format: bool = True  # file lines in syslog's format
    fallback: bool = False  # logd.cf refused: Heartbeat's own logging to ha.cf's destinations

    @property
    def silent(self) -> bool:
        """No file and no syslog: the lines reach stderr only."""
        return self.logfile is None and self.debugfile is None and self.facility is None


def _direct(cf: HaCf, origin: str, fallback: bool = False) -> LogPlan:
    facility = (cf.logfacility or "none").lower()
    syslog = facility if facility in SYSLOG_FACILITIES else None
    return LogPlan(False, origin, cf.logfile, cf.debugfile, syslog, fallback=fallback)


def log_plan(config: ClusterConfig) -> LogPlan:
    """Where this node writes its lines, as the daemon and ha_logd would."""
    cf = config.ha_cf
    if not cf.uses_logd:
        return _direct(cf, str(cf.path))
    logd = config.logd
    if logd is None:  # a configuration made in memory, or another host's: nothing known
        return LogPlan(True, "logd.cf (not read)")
    if logd.status is LogdStatus.REFUSED:
        return _direct(cf, f"{cf.path} ({logd.path} refused)", fallback=True)
    origin = str(logd.path) if logd.status is LogdStatus.READ else "ha_logd's defaults"
    if logd.status is LogdStatus.ABSENT:
        origin += f" ({logd.path} absent)"
    elif logd.status is LogdStatus.UNREADABLE:
        origin += f" ({logd.path} unreadable)"
    return LogPlan(
        True, origin, logd.logfile, logd.debugfile, logd.logfacility, logd.syslogprefix,
        logd.logmode, logd.syslogmsgfmt,
    )  # fmt: skip


def describe_plan(plan: LogPlan, debug: int) -> str:
    """One line for ``hbtui check``: where the lines go and which debug lines are written."""
    places = [
        f"logfile {plan.logfile}" if plan.logfile else "",
        f"debugfile {plan.debugfile}" if plan.debugfile else "",
        f"syslog {plan.facility}" if plan.facility else "",
    ]
    where = ", ".join(p for p in places if p) or "stderr only"
    if plan.syslogprefix and plan.facility:
        where += f" (tag {plan.syslogprefix})"
    how = "as ha_logd with " if plan.through_logd else "from "
    if plan.fallback:
        how = "ha_logd would not start, so from "
    shown_debug = f"debug {debug}" + (" (no debug lines)" if debug == 0 else "")
    return f"{shown(where)}; {how}{shown(plan.origin)}; {shown_debug}"
