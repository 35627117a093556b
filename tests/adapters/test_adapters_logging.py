"""ha-log rotation (a real rename) and syslog datagrams (a real AF_UNIX socket)."""

from __future__ import annotations

import socket
from pathlib import Path

from hbtui.adapters.halog import HaLogFiles
from hbtui.adapters.syslog import syslog_sink
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
