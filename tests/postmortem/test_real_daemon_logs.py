"""``hbtui postmortem`` on the real Heartbeat 3.0.6 daemon's recorded ha-logs
(tests/wire/vectors): every time it reports is the time of the log line it stands on."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.postmortem.files import read_log
from hbtui.postmortem.model import Kind, Report
from hbtui.postmortem.timeline import Settings, analyse

VECTORS = Path(__file__).resolve().parent.parent / "wire" / "vectors"
NODES = ("server1", "server2")
HOWTO = Settings(deadtime_s=5, warntime_s=3, key="key 1 (sha1)", nodes=NODES)


def vec(name: str) -> Path:
    return VECTORS / f"ha-log-{name}.txt"


def report(*names: str, settings: Settings = HOWTO) -> Report:
    return analyse([read_log(vec(n), NODES) for n in names], settings)


def line_time(name: str, needle: str) -> datetime:
    """The time of the first line of a vector holding ``needle`` (read here, not by the code)."""
    for line in vec(name).read_text(errors="replace").splitlines():
        if needle in line:
            if line[:4].isdigit():
                return datetime.strptime(line[:19], "%Y/%m/%d_%H:%M:%S")
            return datetime.strptime("2026 " + line[:15], "%Y %b %d %H:%M:%S")
    raise AssertionError(f"{needle!r} not in {name}")


def test_kill_of_the_owner_is_one_failover_with_the_log_lines_times() -> None:
    name = "b-node-dead-takeover-server2"
    (entry,) = report(name).entries
    assert (entry.kind, entry.from_node, entry.to_node) == (Kind.FAILOVER, "server1", "server2")
    assert entry.resources == ["IPaddr::192.168.10.10/24", "failback.sh"]
    dead = line_time(name, "WARN: node server1: is dead")
    assert entry.phases["declared_dead"] == dead
    assert entry.phases["decided"] == line_time(name, "Resources being acquired from server1")
    assert entry.phases["vip_added"] == line_time(name, "eval ifconfig eth0:0 192.168.10.10")
    assert entry.phases["scripts_done"] == line_time(name, "heartbeat: [120]: info: mach_down")
    assert (dead - entry.phases["last_heard"]).total_seconds() == 5.0  # deadtime 5
    assert "arp_sent" not in entry.phases  # the real IPaddr logs no ARP line
    assert entry.why == (
        "server1 stopped sending at 03:30:19; no packet for 5.0 s (deadtime 5); server2 declared "
        "it dead at 03:30:24; server2 took 192.168.10.10 at 03:30:24"
    )


def test_without_a_config_last_heard_is_absent() -> None:
    (entry,) = report("b-node-dead-takeover-server2", settings=Settings()).entries
    assert "last_heard" not in entry.phases
    assert entry.why.startswith("server2 declared server1 dead at 03:30:24;")


def test_json_has_one_object_per_entry_with_rfc3339_ms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["postmortem", "--json", str(vec("b-node-dead-takeover-server2"))]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    obj = json.loads(line)
    assert obj["kind"] == "failover" and obj["from"] == "server1" and obj["to"] == "server2"
    assert obj["resources"] == ["IPaddr::192.168.10.10/24", "failback.sh"]
    assert "last_heard" not in obj and "arp_sent" not in obj
    dead = datetime.fromisoformat(obj["declared_dead"])
    assert obj["declared_dead"].split("T")[1][:12] == "03:30:24.000"
    assert dead.utcoffset() is not None
    assert set(obj) == {"kind", "from", "to", "resources", "why", "declared_dead", "decided",
                        "vip_added", "scripts_done"}  # fmt: skip


def test_graceful_stop_of_the_owner_both_logs_merge_into_one_stop() -> None:
    taker = "d-graceful-stop-owner-takeover-server2"
    r = report("d-graceful-stop-owner-server1", taker)
    stops = [e for e in r.entries if e.kind is Kind.STOP]
    (stop,) = stops
    assert (stop.from_node, stop.to_node) == ("server1", "server2")
    assert stop.seen_by == {"server1", "server2"}
    assert stop.phases["decided"] == line_time(taker, "Received shutdown notice from 'server1'")
    assert stop.phases["vip_added"] == line_time(taker, "eval ifconfig eth0:0")
    assert "declared_dead" not in stop.phases
    assert any("not clock-aligned" in note for note in r.notes)
    # the join of server2 before it ran a standby handshake that moved nothing: no entry
    assert [e.kind for e in r.entries] == [Kind.STOP]


def test_graceful_stop_then_is_dead_is_no_failover() -> None:
    r = report("d-graceful-stop-standby-server2", "d-graceful-stop-standby-seen-by-server1")
    assert [(e.kind, e.from_node, e.to_node) for e in r.entries] == [
        (Kind.STOP, "server2", "server1")
    ]


def test_return_of_the_home_node_is_a_failback() -> None:
    name = "c-failback-server1"
    (entry,) = report(name, "c-failback-server2").entries
    assert (entry.kind, entry.from_node, entry.to_node) == (Kind.FAILBACK, "server2", "server1")
    assert entry.phases["decided"] == line_time(name, "standby: acquire [foreign]")
    assert entry.phases["scripts_done"] == line_time(name, "Standby resource acquisition done")
    (alone,) = report("c-reboot-failback-server1").entries
    assert alone.kind is Kind.FAILBACK
    assert alone.phases["vip_added"] == line_time("c-reboot-failback-server1", "eval ifconfig")


def test_wrong_key_is_a_split_brain_and_keys_differ() -> None:
    r = report("f-wrong-key-server1")
    kinds = [(e.kind, e.from_node, e.to_node) for e in r.entries]
    assert kinds == [
        (Kind.FAILOVER, "server2", "server1"),
        (Kind.SPLIT_BRAIN, "server2", "server1"),
    ]
    failover = r.entries[0]
    assert "last_heard" not in failover.phases  # never heard since its start
    assert "never heard server2" in failover.why
    (keys,) = [p for p in r.problems if p.kind == "keys_differ"]
    assert "server2's packets fail authentication at server1 with key 1 (sha1)" in keys.text
    assert "since 03:36:29" in keys.text
    assert any(p.kind == "split_brain" for p in r.problems)


def test_wrong_key_on_both_logs_is_one_split_brain_in_which_both_hold_the_vip() -> None:
    """Each node declared the other dead; server1 held its own group, server2 took it over:
    the split brain holds the VIP, whichever failover came first (recorded in the lab)."""
    r = report("f-wrong-key-split-server1", "f-wrong-key-split-server2")
    assert sorted((e.kind, e.from_node, e.to_node) for e in r.entries) == [
        (Kind.FAILOVER, "server1", "server2"),
        (Kind.FAILOVER, "server2", "server1"),
        (Kind.SPLIT_BRAIN, "server2", "server1"),
    ]
    (split,) = [e for e in r.entries if e.kind is Kind.SPLIT_BRAIN]
    assert split.resources == ["IPaddr::192.168.10.10/24", "failback.sh"]
    assert split.seen_by == {"server1", "server2"}
    assert split.phases["vip_added"] == line_time(
        "f-wrong-key-split-server2", "eval ifconfig eth0:0 192.168.10.10"
    )
    assert "(keys differ)" in split.why and split.why.endswith("both nodes may hold 192.168.10.10")
    assert [p.kind for p in r.problems if "split brain" in p.text] == ["both_holding"]
    assert sorted(p.kind for p in r.problems if p.kind == "keys_differ") == ["keys_differ"] * 2


def test_a_rename_is_two_stops_of_both_nodes_and_the_renamed_node_is_itself() -> None:
    """The rename wizard stopped both nodes at once, renamed server2 to server3, started
    them, and again back to server2 (recorded in the lab): server2's log holds server3's
    lines in between. Each stop: both nodes stopping, nobody took over (each logged
    "Resource takeover cancelled - shutdown in progress."); no failover; server1's
    acquisition after the next start is a cold start, not part of a stop."""
    r = report("h-rename-lab-server1", "h-rename-lab-server2")
    assert r.nodes == ["server1", "server2", "server3"]
    assert [(e.kind, e.from_node, e.to_node) for e in r.entries] == [
        (Kind.STOP, "server1", "server2"),
        (Kind.STOP, "server2", "server1"),
        (Kind.STOP, "server1", "server3"),
        (Kind.STOP, "server3", "server1"),
    ]
    for entry in r.entries:
        assert not entry.taken and "vip_added" not in entry.phases, entry
        assert f"{entry.to_node} was stopping too: " in entry.why, entry.why
    first, second = r.entries[0], r.entries[3]
    assert first.why == (
        "server1 stopped gracefully at 03:39:36; server2 was stopping too: nobody took "
        "192.168.10.10"
    )
    assert second.seen_by == {"server1", "server3"}
    assert r.problems == []  # server1 started 3 times, each after a graceful stop: no loop


def test_late_heartbeats_carry_the_gap() -> None:
    r = report("x-late-server1", "x-late-server2")
    assert [(x.seen_by, x.node, x.gap_ms) for x in r.late] == [
        ("server1", "server1", 4430),
        ("server1", "server2", 4920),
        ("server2", "server1", 4500),
    ]
    assert r.entries == []


def test_script_calls_carry_exit_status_when_logged() -> None:
    calls = report("b-node-dead-takeover-server2").scripts
    assert [(c.script.rsplit("/", 1)[1], c.op, c.exit_status) for c in calls] == [
        ("IPaddr", "start", 0),  # the agent's "Success"
        ("failback.sh", "start", None),  # nothing logged
    ]


def test_config_errors_that_stopped_the_start_are_problems() -> None:
    r = report("g-authkeys-mode-server1")
    assert [p.kind for p in r.problems] == ["not_started"] * 3


def test_a_directory_with_rotated_and_gzipped_logs(tmp_path: Path) -> None:
    logs = tmp_path / "server2"
    logs.mkdir()
    text = vec("b-node-dead-takeover-server2").read_bytes()
    half = text.index(b"2026/11/26_03:30:24  ResourceManager")
    (logs / "ha-log.1").write_bytes(text[:half])
    (logs / "ha-log").write_bytes(text[half:])
    with gzip.open(logs / "ha-debug.2.gz", "wb") as gz:  # the same lines again, gzipped
        gz.write(text)
    (logs / "notes.txt").write_text("not a log\n")  # not a log name: ignored
    (entry,) = analyse(
        [read_log(p, NODES) for p in sorted(logs.iterdir()) if p.name != "notes.txt"], HOWTO
    ).entries
    assert entry.resources == ["IPaddr::192.168.10.10/24", "failback.sh"]
    assert len(report("b-node-dead-takeover-server2").scripts) == 2
    assert main(["postmortem", "--json", str(tmp_path)]) == 0


def test_a_copy_of_the_vectors_dir_reads_whole(tmp_path: Path) -> None:
    shutil.copy(vec("b-node-dead-takeover-server2"), tmp_path / "ha-log")
    assert main(["postmortem", str(tmp_path)]) == 0


def test_the_givers_log_alone_does_not_say_who_took_or_when() -> None:
    """server1's log of its graceful stop: it handed over, and nothing more is known (it
    said "? took 192.168.10.10 at 03:34:19", the time of its own stop)."""
    (known,) = report("d-graceful-stop-owner-server1").entries
    assert known.why == (
        "server1 stopped gracefully at 03:34:19 and handed over; server2's log (not given)"
        " tells when 192.168.10.10 was taken"
    )
    (alone,) = report("d-graceful-stop-owner-server1", settings=Settings()).entries
    assert alone.to_node == "?" and alone.why.endswith(
        "; the taker's log (not given) tells when 192.168.10.10 was taken"
    )
