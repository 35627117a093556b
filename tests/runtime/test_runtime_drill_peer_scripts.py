"""The peer's resource scripts in a drill's report (issue 17): read after the drill from
its ha-log (ha.cf ``logfile``) through its runner, in the real daemon's wording and in
hbtui's; without a link the report says they were not read."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from test_runtime_drill_preflight import DeadLink, NodeDirRunner, node_dir

from hbtui.adapters.halog import format_log_line
from hbtui.drill.driver import plan
from hbtui.drill.halog import script_runs
from hbtui.drill.report import DrillReport, Move, ScriptRun
from hbtui.engine import hblog
from hbtui.engine.actions import LogLevel, WriteLog
from hbtui.remote.ssh import CommandResult
from hbtui.sources.drill_reads import parse_clock, read_peer_scripts
from hbtui.stream.codec import rfc3339

ETC = PurePosixPath("/etc/ha.d")
START = datetime(2026, 11, 26, 3, 30, 0)  # the drill's start on the peer's clock


def hb(at: str, text: str) -> str:
    return f"heartbeat[120]: 2026/11/26_{at} info: {text}"


def rm(at: str, text: str, tag: str = "ResourceManager(default)[511]") -> str:
    return f"2026/11/26_{at}  {tag}:    info: {text}"


DAEMON = [  # server2's own log while server1 drills: it takes, then gives back
    rm("03:20:00", "Running /etc/ha.d/resource.d/failback.sh  status"),  # before the drill
    hb("03:30:14", "server1 wants to go standby [all]"),
    hb("03:30:15", "standby: acquire [all] resources from server1"),
    rm("03:30:15", "Acquiring resource group: server1 IPaddr::192.168.10.10/24 failback.sh"),
    rm("03:30:16", "Running /etc/ha.d/resource.d/IPaddr 192.168.10.10/24 start"),
    rm("03:30:16", "ifconfig eth0:0 192.168.10.10 up", "IPaddr(IPaddr_192.168.10.10)[581]"),
    rm("03:30:16", "Running /etc/ha.d/resource.d/failback.sh  start"),
    hb("03:30:17", "Standby resource acquisition done [all]."),
    hb("03:30:20", "standby: server1 can take our all resources"),
    rm("03:30:20", "Releasing resource group: server1 IPaddr::192.168.10.10/24 failback.sh"),
    rm("03:30:20", "Running /etc/ha.d/resource.d/failback.sh  stop"),
    rm("03:30:21", "Return code 1 from /etc/ha.d/resource.d/failback.sh"),
]


def ops(runs: list) -> list[tuple[str, str, int | None, list[str]]]:  # type: ignore[type-arg]
    return [(r.resource, r.op, r.rc, r.output) for r in runs]


def test_the_real_daemons_lines_give_each_call_its_exit_and_output() -> None:
    assert ops(script_runs("server2", DAEMON, START)) == [
        ("IPaddr 192.168.10.10/24", "start", 0, ["ifconfig eth0:0 192.168.10.10 up"]),
        ("failback.sh", "start", 0, []),
        ("failback.sh", "stop", 1, []),
    ]


def hbtui_log(at: datetime) -> list[str]:
    """server2 as hbtui writes its ha-log: a start with its output, a failed stop."""
    wall = at.timestamp()
    script = ("/etc/ha.d/resource.d/failback.sh",)
    entries = [
        hblog.running((*script, "start")),
        WriteLog(LogLevel.INFO, "failback.sh: start", "failback.sh(failback.sh)"),
        hblog.info("Standby resource acquisition done [all]."),
        hblog.running((*script, "stop")),
        WriteLog(LogLevel.WARN, "failback.sh: cannot stop", "failback.sh(failback.sh)"),
        WriteLog(LogLevel.ERROR, "failback.sh: stop returned 1"),
    ]
    return [format_log_line(e, wall + n, "server2", 4242) for n, e in enumerate(entries)]


def test_hbtuis_own_lines_read_the_same() -> None:
    old = hbtui_log(datetime(2026, 11, 26, 3, 10))
    assert ops(script_runs("server2", old + hbtui_log(START), START)) == [
        ("failback.sh", "start", 0, ["failback.sh: start"]),
        ("failback.sh", "stop", 1, ["failback.sh: cannot stop"]),
    ]


def report() -> DrillReport:
    return DrillReport(rfc3339(START.timestamp()), "server1", "server2", "server1",
                       peer_unread="no link to server2")  # fmt: skip


def test_the_peers_log_is_read_through_its_runner_into_the_report(tmp_path: Path) -> None:
    theirs = node_dir(tmp_path, "server2")
    (tmp_path / "ha-log").write_text("\n".join(hbtui_log(START)) + "\n")
    done = report()
    asyncio.run(read_peer_scripts(done, {"server2": NodeDirRunner(theirs)}, ETC))
    assert done.peer_unread is None and done.peer_scripts is not None
    assert [(r.op, r.rc) for r in done.peer_scripts] == [("start", 0), ("stop", 1)]
    text = done.to_markdown()
    assert "Scripts run on server2 (its ha-log):" in text
    assert "- `failback.sh stop`: exit 1\n  - failback.sh: cannot stop" in text
    kept = json.loads(done.to_json())
    assert kept["peer_scripts"][0]["output"] == ["failback.sh: start"]


def test_without_a_link_the_report_says_the_peers_scripts_were_not_read() -> None:
    done = report()
    asyncio.run(read_peer_scripts(done, {}, ETC))
    assert done.peer_scripts is None and done.peer_unread == "no link to server2"
    assert "Scripts run on server2" not in done.to_markdown()  # no move: nothing to say
    done.moves = [Move("away", "standby", "server2", 1.5, True)]
    assert "Scripts run on server2: not read (no link to server2)." in done.to_markdown()


def test_a_lost_link_is_said(tmp_path: Path) -> None:
    done = report()
    asyncio.run(read_peer_scripts(done, {"server2": DeadLink()}, ETC))
    assert done.peer_unread == "server2: /etc/ha.d/ha.cf: connection lost"
    assert json.loads(done.to_json())["peer_scripts"] is None


def test_a_refused_drill_reads_nothing_and_says_nothing_of_the_peers_scripts() -> None:
    snap = {"node": "server1", "status": "active", "nodes": {"server2": {"status": "dead"}}}
    refused = plan(snap, "now")
    assert refused.result == "refused" and refused.peer_unread is None
    assert "Scripts run on server2" not in refused.to_markdown()


class OtherClock(NodeDirRunner):
    """A peer whose clock is ``ahead_s`` off ours, in the time zone ``zone`` (+hhmm)."""

    def __init__(self, root: Path, ahead_s: float, zone: str) -> None:
        super().__init__(root)
        self.ahead_s, self.zone = ahead_s, zone

    async def run(self, argv: Sequence[str], **kw: Any) -> CommandResult:
        if argv[0] == "date":
            return CommandResult(
                tuple(argv), 0, f"{time.time() + self.ahead_s:.9f} {self.zone}\n", ""
            )
        return await super().run(argv, **kw)


def test_the_peers_window_is_on_its_own_clock(tmp_path: Path) -> None:
    """The peer is 30 s behind and an hour east: its calls of the drill are the ones 30 s
    "before" our start, in its zone's time; a status an hour and a bit before, on our
    clock's reading of its naive times within the window, is not the drill's."""
    east = timezone(timedelta(hours=1))
    begun = datetime.fromtimestamp(START.timestamp() - 30, east).replace(tzinfo=None)

    def at(seconds: float) -> str:
        return f"{begun + timedelta(seconds=seconds):%H:%M:%S}"

    (tmp_path / "ha-log").write_text("\n".join([
        rm(at(-600), "Running /etc/ha.d/resource.d/failback.sh  status"),
        rm(at(1), "Running /etc/ha.d/resource.d/failback.sh  start"),
        rm(at(5), "Running /etc/ha.d/resource.d/failback.sh  stop"),
        rm(at(6), "Return code 1 from /etc/ha.d/resource.d/failback.sh"),
    ]) + "\n")  # fmt: skip
    done = report()
    peer = OtherClock(node_dir(tmp_path, "server2"), -30.0, "+0100")
    asyncio.run(read_peer_scripts(done, {"server2": peer}, ETC))
    assert done.peer_scripts is not None
    assert [(r.op, r.rc) for r in done.peer_scripts] == [("start", None), ("stop", 1)]
    (note,) = done.notes
    assert note.startswith("server2's clock is 30.0 s behind server1's: its ha-log was read")


def test_a_clock_reading_is_parsed_or_refused() -> None:
    clock = parse_clock("1000.5 -0230\n", 990.0, 991.0)
    assert clock is not None and clock.ahead_s == 10.0
    assert clock.utc_offset == -timedelta(hours=2, minutes=30)
    assert parse_clock("Sat Dec  5 10:00:00 UTC 2026", 0, 1) is None
    assert parse_clock("", 0, 1) is None


def test_the_dialog_line_names_what_failed_on_either_node() -> None:
    done = report()
    done.scripts = [ScriptRun("failback.sh", "stop", 0), ScriptRun("failback.sh", "start", 0)]
    assert done.scripts_line() == (
        "Scripts: server1 2 run, none failed; server2 not read (no link to server2)"
    )
    done.peer_scripts = [ScriptRun("IPaddr", "start"), ScriptRun("failback.sh", "stop", 1),
                         ScriptRun("slow.sh", "stop", None, timed_out=True)]  # fmt: skip
    assert done.scripts_line().endswith(
        "; server2 3 run: failback.sh stop exit 1, slow.sh stop timed out (its ha-log)"
    )
    done.scripts = []
    assert done.scripts_line().startswith("Scripts: server1 none run; ")
