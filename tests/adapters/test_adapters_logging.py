"""ha-log rotation (a real rename) and syslog datagrams (a real AF_UNIX socket)."""

from __future__ import annotations

import io
import socket
import stat
import time
from pathlib import Path

from hbtui.adapters.halog import HaLogFiles, format_logd_line
from hbtui.adapters.nodelog import NodeLog
from hbtui.adapters.syslog import syslog_datagram, syslog_sink
from hbtui.config.logd_cf import LogPlan
from hbtui.engine.actions import LogLevel, WriteLog


def test_moved_ha_log_is_made_again_at_its_path(tmp_path: Path) -> None:
    path = tmp_path / "ha-log"
    files = HaLogFiles(path, None, None)
    files.write("before", debug=False)
    path.rename(tmp_path / "ha-log.1")
    files.write("after", debug=False)
    files.close()
    assert (tmp_path / "ha-log.1").read_text() == "before\n"
    assert path.read_text() == "after\n"


def test_reopen_makes_a_new_file_after_a_rename(tmp_path: Path) -> None:
    path = tmp_path / "ha-log"
    files = HaLogFiles(path, None, None)
    path.rename(tmp_path / "ha-log.1")
    files.reopen()
    assert path.exists()
    files.close()


def test_syslog_datagram_has_facility_priority_and_heartbeat_tag(tmp_path: Path) -> None:
    address = tmp_path / "log"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(address))
    try:
        sink = syslog_sink("local0", address)
        assert sink is not None
        sink.send(WriteLog(LogLevel.ERROR, "keys differ"), 42, 0.0)
        data = listener.recv(4096).decode()
        sink.close()
    finally:
        listener.close()
    assert data.startswith("<131>")  # local0 (16) * 8 + err (3)
    assert data.endswith(" heartbeat: [42]: ERROR: keys differ")


def test_missing_syslog_drops_without_raising(tmp_path: Path) -> None:
    sink = syslog_sink("daemon", tmp_path / "absent")
    assert sink is not None
    sink.send(WriteLog(LogLevel.INFO, "x"), 1, 0.0)
    assert sink.dropped == 1
    assert syslog_sink("none") is None
    assert syslog_sink(None) is None


def test_ha_logd_line_formats() -> None:
    """issue 15: as ha_logd writes its files (cl_log.c's append_log): the sender's entity and
    pid; script lines come through ha_logger, whose entity is the script's tag and pid."""
    wall = time.mktime((2026, 11, 26, 3, 30, 24, 0, 0, -1))
    daemon = WriteLog(LogLevel.INFO, "Local status now set to: 'up'")
    script = WriteLog(LogLevel.INFO, "Acquiring resource group: server1 x", "ResourceManager")
    assert format_logd_line(daemon, wall, "server1", 9) == (
        "Nov 26 03:30:24 server1 heartbeat: [9]: info: Local status now set to: 'up'"
    )
    assert format_logd_line(script, wall, "server1", 9) == (
        "Nov 26 03:30:24 server1 ResourceManager(default)[9]: [9]: info: "
        "Acquiring resource group: server1 x"
    )
    assert format_logd_line(daemon, wall, "server1", 9, syslog_format=False) == (
        "heartbeat[9]: 2026/11/26_03:30:24 info: Local status now set to: 'up'"
    )


def test_files_made_with_ha_logds_logmode(tmp_path: Path) -> None:
    files = HaLogFiles(tmp_path / "ha-log", tmp_path / "ha-debug", None, mode=0o640)
    files.write("x", debug=False)
    files.close()
    assert stat.S_IMODE((tmp_path / "ha-log").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "ha-debug").stat().st_mode) == 0o640
    (tmp_path / "ha-log").chmod(0o600)  # an existing file keeps its mode
    HaLogFiles(tmp_path / "ha-log", None, None, mode=0o644).close()
    assert stat.S_IMODE((tmp_path / "ha-log").stat().st_mode) == 0o600


def test_syslogprefix_is_the_tag_and_the_sender_follows() -> None:
    entry = WriteLog(LogLevel.WARN, "x")
    data = syslog_datagram(entry, 3, 42, 0.0, prefix="linux-ha").decode()
    assert data.startswith("<28>") and data.endswith(" linux-ha: heartbeat[42]: WARN: x")


def test_node_log_routes_by_level_and_echoes_the_daemon_format(tmp_path: Path) -> None:
    """Debug lines: debug file and syslog (priority debug), never the log file or stderr;
    through ha_logd the files get ha_logd's format, stderr keeps the daemon's."""
    address = tmp_path / "log"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(address))
    echo = io.StringIO()
    plan = LogPlan(
        True, "logd.cf", tmp_path / "ha-log", tmp_path / "ha-debug", "local0",
        syslog_format=False,
    )  # fmt: skip
    try:
        nodelog = NodeLog(plan, "server1", 5, echo, address)
        nodelog.write(WriteLog(LogLevel.DEBUG, "uuid is:x", debug=1), 0.0)
        line = nodelog.write(WriteLog(LogLevel.WARN, "Late heartbeat"), 0.0)
        nodelog.close()
        datagrams = [listener.recv(4096).decode() for _ in range(2)]
    finally:
        listener.close()
    assert line.endswith(" server1 heartbeat: [5]: WARN: Late heartbeat")
    assert echo.getvalue() == line + "\n"
    logfile = (tmp_path / "ha-log").read_text().splitlines()
    debugfile = (tmp_path / "ha-debug").read_text().splitlines()
    assert [x.split(" ", 2)[::2] for x in logfile] == [["heartbeat[5]:", "WARN: Late heartbeat"]]
    assert [x.split(" ", 2)[2] for x in debugfile] == ["debug: uuid is:x", "WARN: Late heartbeat"]
    assert datagrams[0].startswith("<135>") and datagrams[0].endswith("[5]: debug: uuid is:x")
    assert datagrams[1].startswith("<132>")
