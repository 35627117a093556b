"""The drill's preflight: configs agree with the peer's, recent flapping, and saying
what was not checked (issue 17)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hbtui.commands.drill import node_trouble
from hbtui.configdiff import by_impact as compare
from hbtui.drill.driver import plan

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
VIP = "192.168.0.10"


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
    assert "Preflight notes:" in report.to_markdown()


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


def test_the_hbtui_nodes_log_is_read_for_trouble(tmp_path: Path) -> None:
    for name, text in texts().items():
        (tmp_path / name).write_text(text.replace("/var/log/ha-log", str(tmp_path / "ha-log")))
    (tmp_path / "authkeys").chmod(0o600)
    args = argparse.Namespace(config_dir=str(tmp_path), node_name="server1")
    assert node_trouble(args, "server1") is None  # the log is missing: not checked
    (tmp_path / "ha-log").write_text("")
    assert node_trouble(args, "server1") == []
