"""Run ``hbtui postmortem --json`` on the ha-logs of lab nodes, and read times for comparing.

`postmortem_of` writes each node's log to ``<tmp>/logs/<node>/ha-log`` (the layout an operator
collects), runs the CLI as a subprocess and returns its JSON entries. `line_time` dates a log
line here, independently of the code under test; `wall` turns a monotonic netlink time into a
Unix time to compare with an entry's phase (`phase_time`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

STAMP = re.compile(
    r"(\d{4}/\d\d/\d\d_\d\d:\d\d:\d\d(?:\.\d+)?)|^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)"
)


def wall(monotonic_s: float) -> float:
    """A ``time.monotonic()`` instant as a Unix time."""
    return time.time() - (time.monotonic() - monotonic_s)


def line_times(log: str, needle: str) -> list[float]:
    """The Unix times of the ha-log lines holding ``needle``, in order (either form:
    ``2026/12/05_12:00:01[.123]`` or syslog's ``Dec  5 12:00:01``)."""
    found: list[float] = []
    for line in log.splitlines():
        if needle not in line:
            continue
        stamp = STAMP.search(line)
        assert stamp, f"no time in {line!r}"
        if stamp.group(1):
            fmt = "%Y/%m/%d_%H:%M:%S.%f" if "." in stamp.group(1) else "%Y/%m/%d_%H:%M:%S"
            found.append(datetime.strptime(stamp.group(1), fmt).timestamp())
        else:
            year = datetime.now().year
            text = f"{year} {stamp.group(2)}"
            found.append(datetime.strptime(text, "%Y %b %d %H:%M:%S").timestamp())
    return found


def line_time(log: str, needle: str) -> float:
    """The Unix time of the first line of an ha-log holding ``needle``."""
    found = line_times(log, needle)
    assert found, f"{needle!r} not in the log"
    return found[0]


def phase_time(entry: dict[str, Any], phase: str) -> float:
    """An entry's phase as a Unix time."""
    assert phase in entry, (phase, entry)
    return datetime.fromisoformat(entry[phase]).timestamp()


def postmortem_of(
    logs: dict[str, str], tmp: Path, config: Path | None = None, pcap: Path | None = None
) -> list[dict[str, Any]]:
    """``hbtui postmortem --json`` of these nodes' ha-log texts; its entries, in order."""
    where = tmp / "logs"
    for name, text in logs.items():
        (where / name).mkdir(parents=True, exist_ok=True)
        (where / name / "ha-log").write_text(text)
    argv = [sys.executable, "-m", "hbtui", "postmortem", "--json"]
    argv += ["--config-dir", str(config)] if config else []
    argv += ["--pcap", str(pcap)] if pcap else []
    done = subprocess.run(
        [*argv, str(where)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]
