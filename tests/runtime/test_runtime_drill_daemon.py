"""The drill on the real heartbeat daemon, without one: ``DaemonTarget`` over a fake
runner that answers cl_status, ip, hb_standby / hb_takeover and writes the ha-log lines
the real daemon writes (tests/wire/vectors' wording); ``DaemonLog``, ``phases`` and
``trouble`` on those lines."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest
from drillfake import FakeClock

from hbtui.commands import drill as command
from hbtui.drill.driver import Drill, Relay, plan
from hbtui.drill.halog import DaemonLog, phases, trouble
from hbtui.engine.events import PeerDead, ScriptExited, ScriptOutput, ScriptStarted, StopFailed
from hbtui.remote import commands
from hbtui.remote.detect import PeerDaemon, PeerFacts
from hbtui.remote.ssh import CommandResult
from hbtui.sources.daemon_target import DaemonTarget, peer_target
from hbtui.sources.peer import PeerSource
from hbtui.stream.items import LogLine, SourceItem

VIP = "192.168.10.10"
VECTORS = Path(__file__).resolve().parent.parent / "wire" / "vectors"
STARTED = "2026-11-26T03:30:00.000Z"


def hb(at: str, text: str) -> str:
    """A line as heartbeat writes its own logfile."""
    return f"heartbeat[120]: 2026/11/26_{at} info: {text}"


def rm(at: str, text: str, tag: str = "ResourceManager(default)[511]") -> str:
    """A resource script's line (ResourceManager, IPaddr)."""
    return f"2026/11/26_{at}  {tag}:    info: {text}"


GIVE = [  # server1 goes standby: it releases, server2 takes
    hb("03:31:14", "server1 wants to go standby [all]"),
    hb("03:31:15", "standby: server2 can take our all resources"),
    rm("03:31:15", "Releasing resource group: server1 IPaddr::192.168.10.10/24 failback.sh"),
    rm("03:31:15", "Running /etc/ha.d/resource.d/failback.sh  stop"),
    rm("03:31:15", "Running /etc/ha.d/resource.d/IPaddr 192.168.10.10/24 stop"),
    rm("03:31:15", "ifconfig eth0:0 down", "IPaddr(IPaddr_192.168.10.10)[581]"),
    hb("03:31:16", "Other node completed standby takeover of all resources."),
]
TAKE = [  # server1 takes over: server2 goes standby, server1 acquires
    hb("03:31:20", "server2 wants to go standby [all]"),
    hb("03:31:20", "standby: acquire [all] resources from server2"),
    rm("03:31:20", "Acquiring resource group: server1 IPaddr::192.168.10.10/24 failback.sh"),
    rm("03:31:21", "Running /etc/ha.d/resource.d/IPaddr 192.168.10.10/24 start"),
    rm("03:31:21", "Running /etc/ha.d/resource.d/failback.sh  start"),
    hb("03:31:22", "Standby resource acquisition done [all]."),
]


class FakeDaemon:
    """server1's tools: the VIP is here while ``holder`` is server1; hb_standby and
    hb_takeover move it at once and write ``GIVE`` / ``TAKE`` into the followed log
    (``fail`` replaces a line). ``recent`` is what ``tail -n`` finds."""

    def __init__(self, holder: str = "server1", recent: Sequence[str] = ()) -> None:
        self.holder, self.recent = holder, list(recent)
        self.peer_status, self.running, self.rscstatus = "active", True, "local"
        self.asked: list[tuple[str, ...]] = []
        self.log: asyncio.Queue[str] = asyncio.Queue()
        self.give, self.take = list(GIVE), list(TAKE)

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        args = tuple(argv)
        out, rc = "", 0
        if args == commands.cl_status("hbstatus"):
            rc = 0 if self.running else 1
        elif args[:2] == ("cl_status", "nodestatus"):
            out = "active\n" if args[2] == "server1" else f"{self.peer_status}\n"
        elif args == commands.cl_status("rscstatus"):
            out = f"{self.rscstatus}\n"
        elif args[:2] == ("ip", "-o"):
            vip = f"3: eth0    inet {VIP}/24 scope global secondary eth0\\" * (
                self.holder == "server1"
            )
            out = f"2: eth0    inet 192.168.10.1/24 brd + scope global eth0\\\n{vip}\n"
        elif args[0] == "tail":
            out = "\n".join(self.recent)
        elif args in (commands.hb_standby(), commands.hb_takeover()):
            self.asked.append(args)
            standby = args == commands.hb_standby()
            self.holder = "server2" if standby else "server1"
            for line in self.give if standby else self.take:
                self.log.put_nowait(line)
        return CommandResult(args, rc, out, "")

    async def stream(self, argv: Sequence[str]) -> AsyncIterator[str]:
        assert argv == commands.tail_follow(PurePosixPath("/var/log/ha-log"), 0)
        yield commands.LIVE_MARK
        yield hb("03:31:00", "Status update for node server2: status active")
        while True:
            yield await self.log.get()


def target(daemon: FakeDaemon) -> DaemonTarget:
    vips = [{"resource": f"IPaddr::{VIP}/24", "ip": VIP}]
    nodes = ("server1", "server2")
    return DaemonTarget(daemon, "server1", nodes, vips, Path("/var/log/ha-log"), poll_every_s=0)


async def test_the_snapshot_says_who_holds_the_vip_from_cl_status_and_the_interface() -> None:
    daemon = FakeDaemon()
    snap = await target(daemon).snapshot()
    assert snap["status"] == "active" and snap["vips"][0]["owner"] == "server1"
    assert snap["nodes"]["server2"] == {"self": False, "status": "active"}
    assert plan(snap, STARTED).refused == []
    daemon.holder = "server2"
    assert (await target(daemon).snapshot())["vips"][0]["owner"] == "server2"
    daemon.rscstatus = "transition"  # a move under way: the VIP is nobody's yet
    snap = await target(daemon).snapshot()
    assert snap["vips"][0]["owner"] is None and snap["busy"]
    daemon.running = False
    assert await target(daemon).snapshot() == {}


async def test_the_preflight_refuses_a_dead_peer_and_recent_trouble() -> None:
    daemon = FakeDaemon()
    daemon.peer_status = "dead"
    found = plan(await target(daemon).snapshot(), STARTED).refused
    assert any("server2 is dead" in why for why in found), found
    now = datetime.now().strftime("%Y/%m/%d_%H:%M:%S")
    failing = f"heartbeat[120]: {now} ERROR: Resource STOP failure: IPaddr"
    found = plan(await target(FakeDaemon(recent=[failing])).snapshot(), STARTED).refused
    assert any("stop failure" in why for why in found), found


async def test_a_drill_on_the_real_daemon_moves_with_its_tools_and_dates_the_phases() -> None:
    daemon, clock = FakeDaemon(), FakeClock()
    node = target(daemon)
    report = plan(await node.snapshot(), STARTED)
    await Drill(node, report, clock=clock, timeout_s=30).run()
    assert report.result == "passed", report.anomaly
    assert daemon.asked == [commands.hb_standby(), commands.hb_takeover()]
    assert daemon.holder == "server1"
    away, back = report.moves
    assert (away.command, away.to_node, back.command, back.to_node) == (
        "standby", "server2", "takeover", "server1",
    )  # fmt: skip
    assert away.logged_at == "03:31:14" and away.phases == {"decided": 1.0, "scripts_done": 2.0}
    assert back.logged_at == "03:31:20" and back.phases["scripts_done"] == 2.0
    assert [(s.resource, s.op, s.rc) for s in report.scripts] == [
        ("failback.sh", "stop", 0),
        ("IPaddr 192.168.10.10/24", "stop", 0),
        ("IPaddr 192.168.10.10/24", "start", 0),
        ("failback.sh", "start", 0),
    ]
    assert report.scripts[1].output == ["ifconfig eth0:0 down"]
    assert "Phases in server1's ha-log" in report.to_markdown()


async def test_a_move_waits_for_the_log_to_say_the_peer_finished() -> None:
    """Without the daemon's "completed" line the VIP gone from here is no move done."""
    daemon = FakeDaemon()
    daemon.give = GIVE[:-1]
    node = target(daemon)
    report = plan(await node.snapshot(), STARTED)
    await Drill(node, report, clock=FakeClock(), timeout_s=3).run()
    assert report.result == "aborted"
    assert report.anomaly == "away: not done within 3 s"
    assert report.moves[-1].name == "restore" and daemon.holder == "server1"


async def test_without_a_logfile_the_vip_and_cl_status_alone_end_a_move() -> None:
    daemon = FakeDaemon()
    node = target(daemon)
    node.logfile = None  # ha.cf logs to syslog only: no lines to wait for
    report = plan(await node.snapshot(), STARTED)
    await Drill(node, report, clock=FakeClock(), timeout_s=3).run()
    assert report.result == "passed" and report.scripts == []
    assert [m.phases for m in report.moves] == [{}, {}]


async def test_a_script_failure_in_the_log_aborts_and_the_group_is_put_back() -> None:
    daemon = FakeDaemon()
    daemon.take = [*TAKE[:4], rm("03:31:21", "Return code 1 from /etc/ha.d/resource.d/IPaddr")]
    daemon.take += TAKE[4:]
    node = target(daemon)
    report = plan(await node.snapshot(), STARTED)
    await Drill(node, report, clock=FakeClock(), timeout_s=30).run()
    assert report.result == "aborted"
    assert report.anomaly == "back: a resource script failed with exit status 1"
    assert any(s.rc == 1 for s in report.scripts)


async def test_a_refused_tool_is_said() -> None:
    daemon = FakeDaemon()

    async def refuse(argv: Sequence[str], **_: object) -> CommandResult:
        return CommandResult(tuple(argv), 1, "", "hb_standby: not running\n")

    node = target(daemon)
    node.runner = type("R", (), {"run": staticmethod(refuse), "stream": daemon.stream})()
    outcome = await node.standby()
    assert not outcome.ok and "exit 1 hb_standby: not running" in outcome.text


def test_the_daemon_log_reads_the_recorded_failback() -> None:
    lines = (VECTORS / "ha-log-c-failback-server2.txt").read_text().splitlines()
    log = DaemonLog("server2")
    items: list[SourceItem] = []
    for text in lines:
        items += log.read(text, 0)
        if "wants to go standby" in text:
            assert log.handshake == "server2"
    assert log.handshake is None and log.ended == 1
    started = [i for i in items if isinstance(i, ScriptStarted)]
    assert [(s.resource, s.argv[-1]) for s in started] == [
        ("failback.sh", "stop"),
        ("IPaddr 192.168.10.10/24", "stop"),
    ]
    assert ScriptOutput(0, 2, "stdout", "ifconfig eth0:0 down") in items
    assert [i for i in items if isinstance(i, ScriptExited)] == [
        ScriptExited(0, 1, 0, False),
        ScriptExited(0, 2, 0, False),
    ]


def test_the_daemon_log_names_what_stops_a_drill() -> None:
    log = DaemonLog("server1")
    assert log.read(hb("03:40:00", "WARN: node server2: is dead").replace("info: ", ""), 5) == [
        PeerDead(5, "server2", None, 0, False)
    ]
    failure = "heartbeat[120]: 2026/11/26_03:40:01 ERROR: Resource STOP failure: IPaddr"
    (stop,) = log.read(failure, 6)
    assert isinstance(stop, StopFailed) and stop.resource == "IPaddr"
    timed = rm("03:40:02", "failback.sh: stop timed out")
    assert [type(i).__name__ for i in log.read(timed, 7)] == ["ScriptStarted", "ScriptExited"]
    assert log.read("not a log line", 8) == []


def test_phases_come_from_the_recorded_taker_log() -> None:
    lines = (VECTORS / "ha-log-c-failback-server1.txt").read_text().splitlines()
    (found,) = phases("server1", lines, ["server1"])
    assert found is not None
    at, seconds = found
    assert at == "03:31:15" and "scripts_done" in seconds
    assert phases("server1", [], ["server2"]) == [None]


def test_trouble_is_recent_failovers_and_problems_only() -> None:
    now = datetime(2026, 11, 26, 4, 0, 0)

    def dead(at: str) -> str:
        return f"heartbeat[120]: 2026/11/26_{at} WARN: node server2: is dead"

    flapping = [dead("03:55:00"), dead("03:58:00")]
    (why,) = trouble("server1", flapping, now)
    assert "failed over 2 times" in why
    assert trouble("server1", [dead("03:10:00"), dead("03:20:00")], now) == []  # long ago
    assert trouble("server1", [], now) == []


async def test_the_console_relay_uses_the_watch_sources_drill_target() -> None:
    daemon = FakeDaemon()
    node = target(daemon)

    class Watch:
        mode, read_only, node_name = "watch", True, "server1"

        def drill_target(self) -> DaemonTarget:
            return node

    relay = Relay(Watch())  # type: ignore[arg-type]
    assert (await relay.snapshot())["vips"][0]["owner"] == "server1"
    events = relay.events()
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    relay.feed(LogLine(1, "info", GIVE[0]))
    assert await first == LogLine(1, "info", GIVE[0])
    assert node.log.handshake == "server1"
    assert (await relay.standby()).ok and daemon.asked == [commands.hb_standby()]
    relay.close()


def cli_args(tmp_path: Path, daemon: str) -> argparse.Namespace:
    return argparse.Namespace(control_socket=str(tmp_path / "c.sock"), timeout=20.0,
                              reports_dir=str(tmp_path / "drills"), daemon=daemon,
                              state_dir=str(tmp_path), config_dir=str(tmp_path),
                              node_name="server1", peer=None, no_peer=True)  # fmt: skip


def test_the_cli_with_no_node_and_no_daemon_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(command, "find_heartbeat", lambda: None)
    assert command.run(cli_args(tmp_path, "auto")) == command.EXIT_NO_NODE
    assert "no heartbeat daemon runs here" in capsys.readouterr().err


def test_the_cli_drills_the_real_daemon_when_no_hbtui_node_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    daemon = FakeDaemon()
    monkeypatch.setattr(command, "find_heartbeat", lambda: 4242)
    monkeypatch.setattr(command, "daemon_target", lambda args: target(daemon))
    assert command.run(cli_args(tmp_path, "auto")) == command.EXIT_PASSED
    assert "Result: **passed**" in capsys.readouterr().out
    assert daemon.asked == [commands.hb_standby(), commands.hb_takeover()]
    (kept,) = (tmp_path / "drills").glob("drill-*.json")
    moves = json.loads(kept.read_text())["moves"]
    assert [m["phases"]["scripts_done"] for m in moves] == [2.0, 2.0]


def test_the_cli_asked_for_the_real_daemon_needs_it_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    daemon = FakeDaemon()
    daemon.running = False
    monkeypatch.setattr(command, "daemon_target", lambda args: target(daemon))
    assert command.run(cli_args(tmp_path, "heartbeat")) == command.EXIT_NO_NODE
    assert "heartbeat does not run here" in capsys.readouterr().err


HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


def test_a_peer_over_ssh_running_the_daemon_is_drilled_from_its_own_config() -> None:
    texts = {name: (HOWTO / name).read_text() for name in ("ha.cf", "haresources")}
    node = peer_target(FakeDaemon(), "server2", texts)
    assert node is not None
    assert (node.node, node.nodes, node.logfile) == (
        "server2", ("server1", "server2"), Path("/var/log/ha-log"),
    )  # fmt: skip
    assert node.vips == [{"resource": "IPaddr::192.168.10.10/24", "ip": VIP}]
    assert peer_target(FakeDaemon(), "server2", {}) is None


def test_the_peer_source_offers_a_target_only_for_the_real_daemon() -> None:
    texts = {"ha.cf": (HOWTO / "ha.cf").read_text()}

    class Session:
        node, link = "server2", FakeDaemon()
        facts = PeerFacts(daemon=PeerDaemon.HEARTBEAT, config_texts=texts)
        on_item = None

    source = PeerSource(Session())  # type: ignore[arg-type]
    assert isinstance(source.drill_target(), DaemonTarget)
    Session.facts = PeerFacts(daemon=PeerDaemon.HBTUI, config_texts=texts)
    assert source.drill_target() is None
