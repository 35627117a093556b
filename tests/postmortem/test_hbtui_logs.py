"""``hbtui postmortem`` on logs in hbtui's own wording (hbtui/engine/hblog.py), written here
with the ha-log formatter hbtui's node uses, and on bad input."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hbtui.adapters.halog import format_log_line
from hbtui.cli import main
from hbtui.engine import hblog
from hbtui.engine.actions import WriteLog
from hbtui.postmortem.files import read_log
from hbtui.postmortem.model import Kind
from hbtui.postmortem.timeline import Settings, analyse

T0 = datetime(2026, 3, 1, 10, 41, 0)


def write_log(path: Path, host: str, lines: list[tuple[float, WriteLog]]) -> Path:
    """An ha-log as hbtui's node writes it, each line at T0 + seconds."""
    text = "".join(
        format_log_line(entry, (T0 + timedelta(seconds=s)).timestamp(), host, 4242) + "\n"
        for s, entry in lines
    )
    path.write_text(text)
    return path


def test_hbtui_failover_and_partition_heal(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "ha-log",
        "server2",
        [
            (0, hblog.local_status("up")),
            (1, hblog.status_update("server1", "active")),
            (12, hblog.warn("node server1: is dead")),
            *[(12, line) for line in hblog.no_stonith("server1")],
            (12, hblog.taking_over("IPaddr::192.168.10.10/24")),
            (12, hblog.acquiring("server1 IPaddr::192.168.10.10/24 failback.sh")),
            (12, hblog.running(("/etc/ha.d/resource.d/failback.sh", "start"))),
            (13, hblog.info("mach_down takeover complete.")),
            (30, hblog.partition("server1")),
            (30, WriteLog(hblog.CRIT, "server1 still holds its resources: giving back [foreign]")),
        ],
    )
    r = analyse([read_log(log)], Settings(deadtime_s=5, nodes=("server1", "server2")))
    assert [(e.kind, e.from_node, e.to_node) for e in r.entries] == [
        (Kind.FAILOVER, "server1", "server2"),
        (Kind.HEAL, "server1", "server2"),
    ]
    failover = r.entries[0]
    assert failover.phases["declared_dead"] == T0 + timedelta(seconds=12)
    assert failover.phases["last_heard"] == T0 + timedelta(seconds=7)
    assert failover.phases["scripts_done"] == T0 + timedelta(seconds=13)
    assert "vip_added" not in failover.phases  # no "added <ip> on <dev>" line in this log
    assert "server1 stopped sending at 10:41:07; no packet for 5.0 s (deadtime 5)" in failover.why
    assert r.entries[1].phases["decided"] == T0 + timedelta(seconds=30)


def test_hbtui_stop_failure_keys_differ_and_script_exit(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "ha-log",
        "server1",
        [
            (0, hblog.running(("/etc/ha.d/resource.d/failback.sh", "start"))),
            (1, WriteLog(hblog.ERROR, "failback.sh: start returned 3")),
            (2, hblog.auth_failed("192.168.10.2", "bad signature")),
            (3, hblog.auth_alive("server2", 1, "sha1")),
            (5, hblog.stop_failed("failback.sh", "returned 1")),
        ],
    )
    r = analyse([read_log(log)])
    (call,) = r.scripts
    assert (call.op, call.failed, call.exit_status) == ("start", True, 3)
    kinds = [p.kind for p in r.problems]
    assert kinds == ["script_failure", "keys_differ", "keys_differ", "stop_failure"]
    assert (
        "server2's packets fail authentication at server1 with key 1 (sha1)" in r.problems[2].text
    )


def test_restart_loop_is_a_problem(tmp_path: Path) -> None:
    lines = [(s, hblog.local_status("up")) for s in (0, 60, 120, 180)]
    r = analyse([read_log(write_log(tmp_path / "ha-log", "server1", lines))])
    (loop,) = r.problems
    assert loop.kind == "restart_loop"
    said = "server1 started 4 times between 10:41:00 and 10:44:00, with no graceful stop in"
    assert said in loop.text


def test_millisecond_stamps_and_a_clock_offset_between_nodes(tmp_path: Path) -> None:
    one = tmp_path / "one.log"
    two = tmp_path / "two.log"
    one.write_text(
        "2026-03-01T10:41:00.250+00:00 server1 heartbeat: [9]: info: Heartbeat shutdown in"
        " progress. (9)\n"
    )
    two.write_text(
        "2026-03-01T10:41:04.300+00:00 server2 heartbeat: [9]: info: Received shutdown notice"
        " from 'server1'.\n"
    )
    r = analyse([read_log(one), read_log(two)])
    (stop,) = r.entries
    assert stop.phases["decided"].microsecond == 300000  # the taker's time first
    assert "server2's clock looks 4 s ahead of server1's" in r.notes[0]


def test_syslog_year_turns(tmp_path: Path) -> None:
    log = tmp_path / "ha-log"
    log.write_text(
        "2025/12/31_23:59:59  harc(default)[1]:    info: Running /etc/ha.d//rc.d/status status\n"
        "Jan  1 00:00:03 server2 heartbeat: [9]: WARN: node server1: is dead\n"
    )
    (entry,) = analyse([read_log(log)]).entries
    assert entry.phases["declared_dead"] == datetime(2026, 1, 1, 0, 0, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\nworld\n", "no ha-log line found"),
        (b"\x1f\x8b\x08\x00garbage", "damaged gzip file"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "ha-log"
    bad.write_bytes(content)
    assert main(["postmortem", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hbtui postmortem: {bad}: ") and message in err
    assert "Traceback" not in err


def test_missing_unreadable_and_empty_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["postmortem"]) == 2
    assert "give the ha-log files" in capsys.readouterr().err
    assert main(["postmortem", str(tmp_path / "nope")]) == 2
    assert f"{tmp_path / 'nope'}: no such file or directory" in capsys.readouterr().err
    assert main(["postmortem", str(tmp_path)]) == 2
    assert "no ha-log, ha-debug or syslog file" in capsys.readouterr().err
    assert main(["postmortem", "--config-dir", str(tmp_path / "etc"), str(tmp_path)]) == 2
    assert "configuration directory not found" in capsys.readouterr().err


def test_gzipped_log_with_config_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.lab.haconfig import HaSetup  # the HOWTO config writer

    etc = tmp_path / "etc"
    etc.mkdir()
    HaSetup().write(etc)
    vector = Path(__file__).resolve().parent.parent / "wire" / "vectors"
    src = (vector / "ha-log-b-node-dead-takeover-server2.txt").read_bytes()
    with gzip.open(tmp_path / "ha-log.1.gz", "wb") as gz:
        gz.write(src)
    assert (
        main(["postmortem", "--json", "--config-dir", str(etc), str(tmp_path / "ha-log.1.gz")]) == 0
    )
    (obj,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert obj["last_heard"].split("T")[1][:12] == "03:30:19.000"


def test_moves_dated_the_same_second_keep_the_logs_order() -> None:
    """Two hbtui nodes recorded in the lab (tests/wire/vectors ``ha-log-i-flap-hbtui-*``):
    each failover and the failback after it are logged in the same second. Sorting by time
    alone put server1's failback (its log dates it first) before server2's failover."""
    vectors = Path(__file__).resolve().parent.parent / "wire" / "vectors"
    nodes = ("server1", "server2")
    logs = [read_log(vectors / f"ha-log-i-flap-hbtui-{n}.txt", nodes) for n in nodes]
    moves = [(e.kind, e.from_node, e.to_node) for e in analyse(logs).entries]
    there, back = (Kind.FAILOVER, "server1", "server2"), (Kind.FAILBACK, "server2", "server1")
    assert moves == [there, back, there, back, (Kind.STOP, "server1", "server2")]
