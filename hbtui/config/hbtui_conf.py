"""``hbtui.conf`` beside ha.cf: hbtui's own settings, which the real daemon never reads.

One ``key = value`` a line (``#`` comments)::

    stop_failure = hold          # hold (default) | reboot: self-fence when a stop fails
    fence_command = reboot -nf   # what self-fence runs (no shell)
    start_probe = yes            # yes (default) | no: stop resources left running at start
    split_brain_probe = 5        # off (default) | a time: ARP-probe every VIP this often
    control_group = monitoring   # a group whose members may read status (actions: root)
    metrics_textfile = /var/lib/prometheus/node-exporter/hbtui.prom  # off when absent
    metrics_interval = 5         # how often that file is rewritten (at least 1 s)
    script_timeout = start 60, stop 60, status 20      # every resource script (the defaults)
    script_timeout.slow.sh = stop 300                  # one resource, by its haresources name

A missing file means the defaults. Problems carry ``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hbtui.config.lines import read_config_file, shown, split_lines
from hbtui.config.problems import ConfigError, Problem, Severity
from hbtui.config.timeparse import parse_time_ms

FILE_NAME = "hbtui.conf"
STOP_FAILURES = ("hold", "reboot")
MIN_PROBE_MS = 1000
MIN_METRICS_MS = 1000
DEFAULT_METRICS_MS = 5000
SCRIPT_OPS = ("start", "stop", "status")
DEFAULT_SCRIPT_TIMEOUTS_MS = {"start": 60_000, "stop": 60_000, "status": 20_000}
BOOLEANS = {"yes": True, "on": True, "true": True, "no": False, "off": False, "false": False}


@dataclass(frozen=True, slots=True)
class HbtuiSettings:
    """What ``hbtui.conf`` sets (the defaults when it is absent)."""

    stop_failure: str = "hold"
    fence_command: tuple[str, ...] = ("reboot", "-nf")
    start_probe: bool = True
    split_brain_probe_ms: int | None = None  # None: off
    control_group: str | None = None  # may read the control socket (status), not act
    metrics_textfile: Path | None = None  # node_exporter textfile; None: not written
    metrics_interval_ms: int = DEFAULT_METRICS_MS
    # resource name ("" for every resource) -> op -> ms; hbtui's built-in defaults fill the rest
    script_timeouts: dict[str, dict[str, int]] = field(default_factory=dict, hash=False)

    def script_timeout_ms(self, resource: str, op: str) -> int:
        """The timeout of ``resource``'s ``op`` (start/stop/status): its own line, else the
        ``script_timeout`` line, else the built-in default."""
        for key in (resource, ""):
            if op in self.script_timeouts.get(key, {}):
                return self.script_timeouts[key][op]
        return DEFAULT_SCRIPT_TIMEOUTS_MS.get(op, DEFAULT_SCRIPT_TIMEOUTS_MS["start"])


def load_settings(config_dir: Path) -> HbtuiSettings:
    """``config_dir/hbtui.conf``, or the defaults; ``ConfigError`` on any problem."""
    path = config_dir / FILE_NAME
    if not path.exists():
        return HbtuiSettings()
    read, problem = read_config_file(path)
    if read is None:
        raise ConfigError([problem] if problem else [])
    values: dict[str, object] = {}
    problems: list[Problem] = []

    def bad(number: int, message: str) -> None:
        problems.append(Problem(Severity.ERROR, message, path, number))

    for line in split_lines(read.text, continuation=False):
        key, sep, value = line.text.partition("=")
        key, value = key.strip(), value.split("#", 1)[0].strip()
        if not sep or not value:
            bad(line.number, f"expected 'key = value', got {shown(line.text.strip())!r}")
        elif key == "stop_failure" and value in STOP_FAILURES:
            values[key] = value
        elif key == "stop_failure":
            bad(line.number, f"stop_failure is hold or reboot, not {shown(value)!r}")
        elif key == "fence_command":
            values[key] = tuple(value.split())
        elif key == "start_probe" and value.lower() in BOOLEANS:
            values[key] = BOOLEANS[value.lower()]
        elif key == "start_probe":
            bad(line.number, f"start_probe is yes or no, not {shown(value)!r}")
        elif key == "split_brain_probe" and value.lower() in ("off", "no"):
            values["split_brain_probe_ms"] = None
        elif key == "split_brain_probe":
            every = parse_time_ms(value)
            if every is None or every < MIN_PROBE_MS:
                bad(
                    line.number,
                    "split_brain_probe is off or a time of at least 1 s (as in ha.cf: 5, "
                    f"2500ms), not {shown(value)!r}",
                )
            else:
                values["split_brain_probe_ms"] = every
        elif key == "control_group" and re.fullmatch(r"[a-z_][a-z0-9_.-]*[$]?", value):
            values[key] = value
        elif key == "control_group":
            bad(line.number, f"control_group is a group name, not {shown(value)!r}")
        elif key == "metrics_textfile" and value.startswith("/") and value.endswith(".prom"):
            values[key] = Path(value)
        elif key == "metrics_textfile":
            bad(
                line.number,
                "metrics_textfile is an absolute path ending in .prom (node_exporter's textfile "
                f"collector reads only those), not {shown(value)!r}",
            )
        elif key == "metrics_interval":
            every = parse_time_ms(value)
            if every is None or every < MIN_METRICS_MS:
                bad(
                    line.number, f"metrics_interval is a time of at least 1 s, not {shown(value)!r}"
                )
            else:
                values["metrics_interval_ms"] = every
        elif key == "script_timeout" or key.startswith("script_timeout."):
            resource = key.removeprefix("script_timeout").removeprefix(".")
            parsed, why = _timeouts(value)
            if why:
                bad(line.number, f"{key}: {why}")
            else:
                timeouts: dict[str, dict[str, int]] = values.setdefault("script_timeouts", {})  # type: ignore[assignment]
                timeouts.setdefault(resource, {}).update(parsed)
        else:
            bad(line.number, f"unknown setting {shown(key)!r}")
    if problems:
        raise ConfigError(problems)
    return HbtuiSettings(**values)  # type: ignore[arg-type]


def _timeouts(value: str) -> tuple[dict[str, int], str]:
    """``start 60, stop 300`` -> {op: ms}, or an explanation of what is wrong."""
    out: dict[str, int] = {}
    for part in value.split(","):
        words = part.split()
        if len(words) != 2 or words[0] not in SCRIPT_OPS:
            return {}, f"expected 'start|stop|status TIME, ...', got {shown(part.strip())!r}"
        ms = parse_time_ms(words[1])
        if ms is None or ms < 1000:
            return {}, f"{words[0]} timeout must be a time of at least 1 s, not {shown(words[1])!r}"
        out[words[0]] = ms
    return out, ""
