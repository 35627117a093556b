"""``hbtui check``: output, JSON and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hbtui.cli import main

Capture = pytest.CaptureFixture[str]


def check(capsys: Capture, *args: str) -> tuple[int, str]:
    status = main(["check", *args])
    return status, capsys.readouterr().out


def test_howto_summary_as_server1(howto: Path, capsys: Capture) -> None:
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 0
    assert f"{howto}/ha.cf:8: warning: udpport setting must precede media statements" in out
    assert "nodes server1 server2; this node server1" in out
    assert "keepalive 1 s, warntime 3 s, deadtime 5 s, initdead 10 s" in out
    assert "udpport 694; ucast eth0 192.168.10.1, ucast eth0 192.168.10.2" in out
    assert "auto_failback on" in out
    assert "server1 owns IPaddr::192.168.10.10/24 (built in), failback.sh (" in out
    assert str(howto / "resource.d" / "failback.sh") in out
    assert "method sha1" in out
    assert "PutYourSuperSecretKeyHere" not in out
    assert "configuration OK (0 error(s)" in out


def test_howto_json(howto: Path, capsys: Capture) -> None:
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["ok"] is True
    assert {p["severity"] for p in report["problems"]} <= {"warning"}
    assert report["problems"][0] == {
        "severity": "warning",
        "file": str(howto / "ha.cf"),
        "line": 8,
        "message": report["problems"][0]["message"],
    }
    cluster = report["cluster"]
    assert cluster["nodes"] == ["server1", "server2"]
    assert cluster["this_node"] == "server1"
    assert (cluster["keepalive_s"], cluster["warntime_s"]) == (1, 3)
    assert (cluster["deadtime_s"], cluster["initdead_s"]) == (5, 10)
    assert cluster["udpport"] == 694
    assert cluster["media"][0] == {"kind": "ucast", "device": "eth0", "host": "192.168.10.1"}
    assert cluster["auto_failback"] == "on"
    (group,) = cluster["resources"]
    assert group["node"] == "server1"
    assert [r["token"] for r in group["resources"]] == ["IPaddr::192.168.10.10/24", "failback.sh"]
    assert group["resources"][1]["script"] == str(howto / "resource.d" / "failback.sh")
    assert [r["builtin"] for r in group["resources"]] == [True, False]
    assert cluster["auth"] == {"index": 1, "method": "sha1"}
    assert "PutYourSuperSecretKeyHere" not in out


def test_authkeys_644_fails_naming_file_and_mode(howto: Path, capsys: Capture) -> None:
    (howto / "authkeys").chmod(0o644)
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 1
    assert (
        f"{howto}/authkeys: error: Bad permissions on keyfile [{howto}/authkeys], "
        "600 recommended. (mode is 0644" in out
    )
    assert "configuration has errors (1 error(s)" in out


def test_typo_names_its_line(howto: Path, capsys: Capture) -> None:
    text = (howto / "ha.cf").read_text().replace("deadtime 5", "deadtme 5")
    (howto / "ha.cf").write_text(text)
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert f"{howto}/ha.cf:11: error: unknown directive 'deadtme'" in out
    # deadtime falls back to 30 s, so initdead 10 < deadtime is now an error
    assert status == 1


def test_node_missing_from_node_list_is_named(howto: Path, capsys: Capture) -> None:
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server3")
    assert status == 1
    assert f"{howto}/ha.cf:13: error: Current node [server3] not in configuration!" in out
    assert "this node server3" in out  # the summary is still shown


def test_json_on_missing_directory(tmp_path: Path, capsys: Capture) -> None:
    status, out = check(capsys, "--config-dir", str(tmp_path / "x"), "--json")
    assert status == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["cluster"] is None
    assert report["problems"][0]["file"] == str(tmp_path / "x")


def test_check_runs_as_a_program(howto: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hbtui.cli",
            "check",
            "--config-dir",
            str(howto),
            "--node-name",
            "server1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "configuration OK" in proc.stdout
    assert proc.stderr == ""


def test_no_log_entry_means_logd_and_a_silent_logd_cf_is_a_warning(
    howto: Path, capsys: Capture
) -> None:
    """issue 15: ha.cf without logfile, debugfile and logfacility logs through ha_logd, as the
    daemon does: `hbtui check` says where the lines go (logd.cf's destinations, its defaults
    when absent), and warns when that is nowhere (stderr only), as `hbtui node` does."""
    hacf = howto / "ha.cf"
    kept = [
        line
        for line in hacf.read_text().splitlines()
        if not line.startswith(("logfile", "debugfile", "logfacility"))
    ]
    hacf.write_text("\n".join(kept) + "\n")
    logd_cf = howto.parent / "logd.cf"
    args = ("--config-dir", str(howto), "--node-name", "server1", "--logd-cf", str(logd_cf))
    status, out = check(capsys, *args)
    assert status == 0
    assert (
        f"logging:   syslog daemon; as ha_logd with ha_logd's defaults ({logd_cf} absent); "
        "debug 0 (no debug lines)"
    ) in out
    logd_cf.write_text("logfacility none\n")
    status, out = check(capsys, *args)
    assert status == 0
    assert f"{logd_cf}: warning: sets no logfile or debugfile and logfacility none" in out
    assert "logging:   stderr only; as ha_logd with " in out


def test_check_says_where_use_logd_sends_the_lines(howto: Path, capsys: Capture) -> None:
    """use_logd yes: logd.cf's destinations, not ha.cf's; a bad logd.cf line names its file
    and line, and then ha.cf's destinations are used (Heartbeat's own logging)."""
    hacf = howto / "ha.cf"
    hacf.write_text("use_logd yes\ndebug 2\n" + hacf.read_text())
    logd_cf = howto.parent / "logd.cf"
    logd_cf.write_text("logfile /srv/log/cluster.log\nlogfacility local3\n")
    args = ("--config-dir", str(howto), "--node-name", "server1", "--logd-cf", str(logd_cf))
    status, out = check(capsys, *args)
    assert status == 0
    assert f"{hacf}:1: warning: logd is enabled but logfile/debugfile/logfacility" in out
    assert (
        f"logging:   logfile /srv/log/cluster.log, syslog local3; as ha_logd with {logd_cf}; "
        "debug 2\n"
    ) in out
    status, out = check(capsys, *args, "--json")
    logging = json.loads(out)["cluster"]["logging"]
    assert logging == {
        "debug": 2,
        "through_logd": True,
        "settings_from": str(logd_cf),
        "logfile": "/srv/log/cluster.log",
        "debugfile": None,
        "syslog_facility": "local3",
        "syslogprefix": None,
    }
    logd_cf.write_text("logfile /srv/log/cluster.log\nlogfacilty local3\n")
    status, out = check(capsys, *args)
    assert status == 0
    assert f"{logd_cf}:2: warning: Illegal directive [logfacilty]" in out
    assert (
        "logging:   logfile /var/log/ha-log, debugfile /var/log/ha-debug, syslog local0; "
        f"ha_logd would not start, so from {hacf} ({logd_cf} refused); debug 2"
    ) in out


def test_check_reads_hbtui_conf_errors_and_long_stop_timeouts(howto: Path, capsys: Capture) -> None:
    """A broken hbtui.conf fails `hbtui check` (as it stops `hbtui node`), and stop
    timeouts that could outlast the unit's TimeoutStopSec are a warning."""
    conf = howto / "hbtui.conf"
    conf.write_text("stop_failure = sometimes\n")
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 1 and f"{conf}:1: error: stop_failure is hold or reboot" in out
    conf.write_text("script_timeout.failback.sh = stop 200\n")
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 0
    assert f"{conf}: warning: stuck stops may take 400 s" in out


def test_the_unit_stop_timeout_check_matches_the_unit() -> None:
    from hbtui.commands.check import UNIT_STOP_TIMEOUT_MS

    unit = Path(__file__).parents[2] / "hbtui" / "data" / "hbtui.service"
    assert f"TimeoutStopSec={UNIT_STOP_TIMEOUT_MS // 1000}\n" in unit.read_text()


def test_check_accepts_bcast_and_mcast_media(howto: Path, capsys: Capture) -> None:
    """issue 16: a config whose media are bcast or mcast is no longer refused."""
    conf = howto
    ha_cf = conf / "ha.cf"
    text = "".join(
        line for line in ha_cf.read_text().splitlines(keepends=True) if not line.startswith("ucast")
    )
    ha_cf.write_text(text + "bcast eth0 eth1\nmcast eth0 239.0.0.43 694 1 0\n")
    status, out = check(capsys, "--config-dir", str(conf), "--node-name", "server1")
    assert status == 0, out
    assert "udpport 694; bcast eth0, bcast eth1, mcast eth0 239.0.0.43:694 ttl 1 loop 0" in out
    ha_cf.write_text(text + "mcast eth0 239.0.0.43 694 9 0\n")
    status, out = check(capsys, "--config-dir", str(conf), "--node-name", "server1")
    assert status == 1
    assert f"{ha_cf}:{len(text.splitlines()) + 1}: error: mcast [eth0] bad ttl [9]" in out


def test_three_nodes_say_who_takes_over_and_one_home_is_required(
    howto: Path, capsys: Capture
) -> None:
    """issue 16: a third node is run (one taker, the first alive of the node list), with a
    warning that says so and why the real daemon must not be mixed in; groups homed on two
    nodes are an error at the haresources line (a hold says only local or foreign)."""
    ha_cf = howto / "ha.cf"
    text = ha_cf.read_text().replace("node server1 server2", "node server1 server2 server3")
    ha_cf.write_text(text + "ucast eth0 192.168.10.3\n")
    node_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("node"))
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 0, out
    assert f"{ha_cf}:{node_line}: warning: 3 nodes: when a node dies, hbtui gives" in out
    assert "every survivor take them" in out
    haresources = howto / "haresources"
    first = haresources.read_text()
    haresources.write_text(first + "server3 IPaddr::192.168.10.20/24\n")
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 1
    line = len(first.splitlines()) + 1
    assert f"{haresources}:{line}: error: group of server3 beside groups of server1" in out


def test_autojoin_is_used_and_its_risk_explained(howto: Path, capsys: Capture) -> None:
    text = (howto / "ha.cf").read_text().replace("autojoin none", "autojoin any")
    assert "autojoin any" in text
    (howto / "ha.cf").write_text(text)
    status, out = check(capsys, "--config-dir", str(howto), "--node-name", "server1")
    assert status == 0
    assert "warning: autojoin any: any host that signs with the authkeys key joins" in out
    assert "a wrong host given the key" in out
