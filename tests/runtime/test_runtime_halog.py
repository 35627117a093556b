"""ha-log line format against the real daemon's captured lines."""

from __future__ import annotations

import time
from pathlib import Path

from hbtui.adapters.halog import HaLogFiles, format_log_line
from hbtui.engine.actions import LogLevel, WriteLog

WALL = time.mktime((2026, 11, 26, 3, 30, 24, 0, 0, -1))


def test_daemon_line_matches_the_vector() -> None:
    line = format_log_line(WriteLog(LogLevel.WARN, "node server1: is dead"), WALL, "server2", 120)
    assert line == "Nov 26 03:30:24 server2 heartbeat: [120]: WARN: node server1: is dead"


def test_resource_style_line_matches_the_vector() -> None:
    text = "Taking over resource group IPaddr::192.168.10.10/24"
    line = format_log_line(WriteLog(LogLevel.INFO, text, "mach_down"), WALL, "server2", 201)
    assert line == f"2026/11/26_03:30:24  mach_down(default)[201]:    info: {text}"


def test_debug_lines_only_in_debugfile(tmp_path: Path) -> None:
    files = HaLogFiles(tmp_path / "ha-log", tmp_path / "ha-debug", None)
    files.write("an info line", debug=False)
    files.write("a debug line", debug=True)
    files.close()
    assert (tmp_path / "ha-log").read_text() == "an info line\n"
    assert (tmp_path / "ha-debug").read_text() == "an info line\na debug line\n"
    HaLogFiles(tmp_path / "missing-dir" / "ha-log", None, None).close()  # warns, no crash
