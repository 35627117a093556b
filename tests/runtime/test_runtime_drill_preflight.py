"""The drill's preflight: configs agree with the peer's, recent flapping, and saying
what was not checked (issue 17); ``with_reads`` reads both nodes' files and the ha-log
through each node's runner (here real commands on per-node directories)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from hbtui.adapters.halog import format_log_line
from hbtui.configdiff import by_impact as compare
from hbtui.drill.driver import plan
from hbtui.engine import hblog
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import CommandResult, LinkError
from hbtui.sources.drill_reads import with_reads

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
VIP = "192.168.0.10"
ETC = PurePosixPath("/etc/ha.d")


def texts() -> dict[str, str]:
    return {n: (HOWTO / n).read_text() for n in ("ha.cf", "haresources", "authkeys")}


def snap(**extra: Any) -> dict[str, Any]:
    """A cluster fit for a drill: server1 active holding the VIP, server2 up."""
    nodes = {"server1": {"self": True, "status": "active"}, "server2": {"status": "active"}}
    base = {"node": "server1", "status": "active", "nodes": nodes,
            "vips": [{"ip": VIP, "owner": "server1"}], "trouble": []}  # fmt: skip
    return {**base, **extra}


def test_a_different_deadtime_refuses_the_drill_naming_it() -> None:
    right = texts()
    right["ha.cf"] = right["ha.cf"].replace("deadtime 5", "deadtime 10")
    report = plan(snap(configs=compare("server1", texts(), "server2", right)), "now")
    assert report.result == "refused"
    assert any("deadtime" in why and "server2 10 s" in why for why in report.refused)


def test_a_different_haresources_refuses_the_drill() -> None:
    right = texts()
    right["haresources"] = right["haresources"].replace("192.168.10.10", "192.168.10.11")
    report = plan(snap(configs=compare("server1", texts(), "server2", right)), "now")
    assert report.result == "refused" and any("haresources" in w for w in report.refused)


def test_a_harmless_difference_is_a_note_and_the_drill_goes() -> None:
    right = texts()
    right["ha.cf"] = right["ha.cf"].replace("logfile", "logfile /var/log/other.log\n#", 1)
    report = plan(snap(configs=compare("server1", texts(), "server2", right)), "now")
    assert report.refused == []
    assert any("logfile" in n for n in report.notes)
    assert "Notes:" in report.to_markdown()


def test_agreeing_configs_leave_no_note() -> None:
    report = plan(snap(configs=compare("server1", texts(), "server2", texts())), "now")
    assert report.refused == [] and report.notes == []


def test_without_a_link_the_report_says_configs_were_not_compared() -> None:
    report = plan(snap(), "now")
    assert report.refused == []
    assert report.notes == ["configs not compared (no link to server2)"]
    assert "- configs not compared (no link to server2)" in report.to_markdown()


def test_an_unread_log_is_no_refusal_but_a_note() -> None:
    report = plan(snap(trouble=None, configs={}), "now")
    assert report.refused == []
    assert report.notes == ["flapping not checked (the ha-log could not be read)"]


def test_recent_trouble_refuses() -> None:
    report = plan(snap(trouble=["server1 failed over 3 times"], configs={}), "now")
    assert report.refused == ["server1 failed over 3 times"]


class NodeDirRunner:
    """A node's runner in a test: real commands, with /etc/ha.d under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root, self.local = root, LocalRunner()

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        moved = [a.replace(str(ETC), str(self.root), 1) for a in argv]
        return await self.local.run(moved, input_text=input_text, timeout=timeout)


class DeadLink:
    async def run(self, argv: Sequence[str], **_: Any) -> CommandResult:
        raise LinkError("connection lost")


def node_dir(root: Path, name: str, **changes: str) -> Path:
    """A node's /etc/ha.d: the HOWTO's files (the ha-log ``root/ha-log``, as both nodes
    name the same path), ``changes`` replaced (old=new, in ha.cf)."""
    where = root / name
    where.mkdir()
    for file, text in texts().items():
        text = text.replace("/var/log/ha-log", str(root / "ha-log"))
        for old, new in changes.items():
            text = text.replace(old.replace("_", " "), new)
        (where / file).write_text(text)
    (where / "authkeys").chmod(0o600)
    return where


def read(snapshot: dict[str, Any], runners: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(with_reads(snapshot, runners, ETC))


def test_the_peers_files_read_over_its_runner_are_compared(tmp_path: Path) -> None:
    ours, theirs = (
        node_dir(tmp_path, "server1"),
        node_dir(tmp_path, "server2", deadtime_5="deadtime 10"),
    )
    (tmp_path / "ha-log").write_text("")
    base = snap()
    del base["trouble"]  # an hbtui node's snapshot: its ha-log is read here
    got = read(base, {"server1": NodeDirRunner(ours), "server2": NodeDirRunner(theirs)})
    assert got["trouble"] == []
    report = plan(got, "now")
    assert report.result == "refused"
    assert any("deadtime" in why and "server2 10 s" in why for why in report.refused)


def test_agreeing_nodes_go_without_a_note(tmp_path: Path) -> None:
    ours, theirs = node_dir(tmp_path, "server1"), node_dir(tmp_path, "server2")
    (tmp_path / "ha-log").write_text("")
    runners = {"server1": NodeDirRunner(ours), "server2": NodeDirRunner(theirs)}
    report = plan(read({k: v for k, v in snap().items() if k != "trouble"}, runners), "now")
    assert report.refused == [] and report.notes == []


def test_a_file_missing_on_the_peer_breaks_and_an_unreadable_one_is_a_note(
    tmp_path: Path,
) -> None:
    ours, theirs = node_dir(tmp_path, "server1"), node_dir(tmp_path, "server2")
    runners = {"server1": NodeDirRunner(ours), "server2": NodeDirRunner(theirs)}
    (theirs / "haresources").unlink()
    report = plan(read(snap(), runners), "now")
    assert any("haresources file" in why for why in report.refused), report.refused
    (theirs / "haresources").write_text(texts()["haresources"])
    (theirs / "authkeys").unlink()
    (theirs / "authkeys").mkdir()  # cat fails with something other than "missing"
    report = plan(read(snap(), runners), "now")
    assert report.refused == []
    assert len(report.notes) == 1 and report.notes[0].startswith("authkeys not compared (server2:")


def test_a_lost_link_and_a_missing_log_are_said_not_taken_as_agreement(tmp_path: Path) -> None:
    ours = node_dir(tmp_path, "server1")
    base = {k: v for k, v in snap().items() if k != "trouble"}
    report = plan(read(base, {"server1": NodeDirRunner(ours), "server2": DeadLink()}), "now")
    assert report.refused == []
    log = tmp_path / "ha-log"
    assert report.notes == [
        f"flapping not checked ({log}: tail: cannot open '{log}' for reading: "
        "No such file or directory)",
        "ha.cf, haresources, authkeys not compared (server2: connection lost)",
    ]


def test_without_the_peers_runner_configs_are_not_compared(tmp_path: Path) -> None:
    ours = node_dir(tmp_path, "server1")
    report = plan(read(snap(), {"server1": NodeDirRunner(ours)}), "now")
    assert report.notes == ["configs not compared (no link to server2)"]


def test_recent_flapping_in_the_hbtui_log_refuses(tmp_path: Path) -> None:
    ours, theirs = node_dir(tmp_path, "server1"), node_dir(tmp_path, "server2")
    now = datetime.now()
    lines = []
    for minutes in (6, 3):
        at = (now - timedelta(minutes=minutes)).timestamp()
        for entry in (hblog.warn("node server2: is dead"),
                      hblog.taking_over("IPaddr::192.168.10.10/24"),
                      hblog.info("mach_down takeover complete.")):  # fmt: skip
            lines.append(format_log_line(entry, at, "server1", 4242))
    (tmp_path / "ha-log").write_text("\n".join(lines) + "\n")
    base = {k: v for k, v in snap().items() if k != "trouble"}
    got = read(base, {"server1": NodeDirRunner(ours), "server2": NodeDirRunner(theirs)})
    assert any("failed over 2 times" in why for why in plan(got, "now").refused), got
