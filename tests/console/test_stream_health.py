"""``hbtui status --check``: monitoring-plugin states from the engine's recorded snapshots
(tests/engine/data/snapshot_golden.json) and through the CLI against a control socket."""

from __future__ import annotations

import copy
import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hbtui.cli import main
from hbtui.stream.health import State, assess

GOLDEN = json.loads(
    (Path(__file__).parents[1] / "engine" / "data" / "snapshot_golden.json").read_text()
)
WARNTIME = 15_000


def moment(scene: str, name: str) -> dict[str, Any]:
    return copy.deepcopy(dict(GOLDEN[scene])[name])


def test_steady_is_ok_and_names_the_vip_holder() -> None:
    health = assess(moment("steady", "server1"), WARNTIME)
    assert health.state is State.OK
    head = health.lines()[0]
    assert head.startswith("HBTUI OK - server1: 192.168.10.10 on server1 | ")
    assert "peers_alive=1" in head and "stop_failed=0;;1" in head


def test_a_dead_peer_is_critical() -> None:
    health = assess(moment("peer_dead", "declared-server2"), WARNTIME)
    assert health.state is State.CRITICAL
    assert "peer server1 dead" in health.lines()[0]


def test_a_late_heartbeat_is_a_warning_with_the_silence() -> None:
    snap = moment("peer_dead", "silent-server2")
    silent = snap["nodes"]["server1"]["deadtime_ms"] - snap["nodes"]["server1"]["remaining_ms"]
    health = assess(snap, warntime_ms=silent - 1)
    assert health.state is State.WARNING
    assert f"late heartbeat: server1 silent {silent / 1000:.1f} s" in health.lines()[0]
    assert assess(snap, warntime_ms=silent + 1).state is State.OK


def test_authentication_failures_are_a_warning() -> None:
    health = assess(moment("rejected_packets", "server1"), WARNTIME)
    assert health.state is State.WARNING
    assert "3 packets from server2 failed authentication" in health.lines()[0]


def test_two_nodes_claiming_a_group_is_a_split_brain() -> None:
    snap = moment("steady", "server1")
    snap["nodes"]["server2"]["rsc_hold"] = "all"
    health = assess(snap, WARNTIME)
    assert health.state is State.CRITICAL
    assert (
        "split brain: group IPaddr::192.168.10.10/24 claimed by server1 and server2"
        in health.lines()[0]
    )


def test_nobody_holding_a_group_on_a_stable_node_is_critical() -> None:
    snap = moment("steady", "server1")
    snap["rsc_hold"] = "none"
    snap["nodes"]["server1"]["rsc_hold"] = "none"
    health = assess(snap, WARNTIME)
    assert health.state is State.CRITICAL
    assert "nobody holds group IPaddr::192.168.10.10/24" in health.lines()[0]


def test_a_failed_stop_is_critical_and_says_what_to_do() -> None:
    snap = moment("steady", "server1")
    snap["stop_failed"] = ["slow.sh"]
    health = assess(snap, WARNTIME)
    assert health.state is State.CRITICAL
    assert "stop failed for slow.sh: held here until the operator" in health.lines()[0]


def test_a_starting_node_and_an_open_standby_are_warnings() -> None:
    assert assess(moment("starting", "server2"), WARNTIME).state is State.WARNING
    standby = assess(moment("standby_in_progress", "asked-server1"), WARNTIME)
    assert standby.state is State.WARNING
    assert "standby/takeover handshake open" in standby.lines()[0]


class _Node(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: Path, answer: dict[str, Any]) -> None:
        self.answer = answer
        super().__init__(str(path), _Answer)


class _Answer(socketserver.StreamRequestHandler):
    server: _Node

    def handle(self) -> None:
        self.rfile.readline()
        self.wfile.write((json.dumps(self.server.answer) + "\n").encode())


@pytest.fixture
def node_socket(tmp_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    answer: dict[str, Any] = {"ok": True}
    server = _Node(tmp_path / "control.sock", answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path / "control.sock", answer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    ("scene", "name", "code"),
    [
        ("steady", "server1", 0),
        ("rejected_packets", "server1", 1),
        ("peer_dead", "declared-server2", 2),
    ],
)
def test_check_exit_codes_through_the_control_socket(
    node_socket: tuple[Path, dict[str, Any]],
    scene: str,
    name: str,
    code: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, answer = node_socket
    answer["snapshot"] = {**moment(scene, name), "runtime": {"warntime_ms": WARNTIME}}
    assert main(["status", "--check", "--control-socket", str(path)]) == code
    assert capsys.readouterr().out.startswith(f"HBTUI {State(code).name} - ")


def test_check_without_a_node_is_critical_and_garbage_is_unknown(
    node_socket: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--check", "--control-socket", str(tmp_path / "no.sock")]) == 2
    assert capsys.readouterr().out.startswith("HBTUI CRITICAL - no node runs here")
    path, answer = node_socket
    answer["snapshot"] = {"node": "server1", "nodes": "garbage"}
    assert main(["status", "--check", "--control-socket", str(path)]) == 3
    assert capsys.readouterr().out.startswith("HBTUI UNKNOWN - the node's snapshot cannot be read")


def test_a_probed_split_brain_is_critical() -> None:
    snap = moment("steady", "server1")
    snap["runtime"] = {"split_brain": [{"ip": "192.168.10.10", "here": True, "macs": ["02:aa"]}]}
    health = assess(snap, WARNTIME)
    assert health.state is State.CRITICAL
    assert "split brain: 192.168.10.10 answered by this node and 02:aa" in health.lines()[0]
    assert "split_brain=1;;1" in health.lines()[0]


def test_a_probed_split_brain_names_this_nodes_own_mac_when_read() -> None:
    snap = moment("steady", "server1")
    found = {"ip": "192.168.10.10", "here": True, "macs": ["02:aa"], "mac": "02:01"}
    snap["runtime"] = {"split_brain": [found]}
    line = assess(snap, WARNTIME).lines()[0]
    assert "split brain: 192.168.10.10 answered by this node (02:01) and 02:aa" in line
