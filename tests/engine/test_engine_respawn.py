"""The respawn rule of ha.cf clients (engine/respawn.py), time handed in: Heartbeat 3.0.6's
numbers (heartbeat.c ManagedChildDied): quick under 30 s, the 11th quick exit in a row gives
up, a one-second pause after a quick run, no respawn after exit code 100 or at shutdown."""

from __future__ import annotations

import dataclasses
import signal
from typing import Any

import pytest

from hbtui.config.model import RespawnClient
from hbtui.engine.actions import LogLevel, StopClients, WriteLog
from hbtui.engine.respawn import (
    CLIENT_STEPS,
    ClientLife,
    ClientState,
    ClientStateError,
    RespawnRule,
    Verdict,
    exit_text,
)
from tests.engine.enginesim import Cluster, Member

CMD = "/usr/lib/heartbeat/mon --x"


def run(life: ClientLife, pid: int, start_ms: int, end_ms: int, code: int | None = 1) -> Verdict:
    """One run of ``life`` from ``start_ms`` to ``end_ms``, exiting with ``code``."""
    life.started(pid, 0, 0, start_ms)
    return life.exited(end_ms, code, None, stopping=False)


def texts(verdict: Verdict) -> list[tuple[LogLevel, str]]:
    return [(line.level, line.text) for line in verdict.logs]


def test_the_eleventh_quick_exit_in_a_row_gives_up() -> None:
    life = ClientLife(CMD, "root")
    now = 0
    for n in range(10):
        verdict = run(life, 100 + n, now, now + 500)
        assert verdict.respawn and verdict.delay_ms == 1000
        assert life.state is ClientState.RESTARTING and life.quick == n + 1
        now += 1500
    assert texts(verdict) == [
        (LogLevel.WARN, f"Managed {CMD} process 109 exited with return code 1."),
        (LogLevel.ERROR, f'Respawning client "{CMD}":'),
    ]
    verdict = run(life, 110, now, now + 500)
    assert not verdict.respawn and life.state is ClientState.GIVEN_UP
    assert texts(verdict)[-1] == (LogLevel.ERROR, f'Client {CMD} "respawning too fast"')
    assert life.restarts == 10
    assert life.describe() == {
        "program": CMD,
        "user": "root",
        "pid": None,
        "state": "given-up",
        "restarts": 10,
        "quick_exits": 11,
        "last_exit": "return code 1",
        "why": "respawning too fast",
    }
    with pytest.raises(ClientStateError):
        life.started(111, 0, 0, now)


def test_a_run_of_30_s_resets_the_count_and_restarts_at_once() -> None:
    life = ClientLife(CMD, "root")
    for n in range(9):
        assert run(life, n + 2, n * 2000, n * 2000 + 100).respawn
    assert life.quick == 9
    verdict = run(life, 50, 20_000, 50_000, code=0)  # exactly 30 s: not quick
    assert verdict.respawn and verdict.delay_ms == 0 and life.quick == 0
    assert texts(verdict)[0] == (
        LogLevel.INFO,
        f"Managed {CMD} process 50 exited with return code 0.",
    )
    for n in range(10):  # ten more quick ones are still respawned
        assert run(life, 60 + n, 60_000 + n * 2000, 60_000 + n * 2000 + 1).respawn
    assert not run(life, 99, 90_000, 90_001).respawn


def test_just_under_30_s_is_quick() -> None:
    life = ClientLife(CMD, "root")
    assert run(life, 7, 0, 29_999).delay_ms == 1000 and life.quick == 1


def test_exit_code_100_is_never_respawned() -> None:
    life = ClientLife(CMD, "hacluster")
    verdict = run(life, 7, 0, 60_000, code=100)
    assert not verdict.respawn and life.state is ClientState.GIVEN_UP
    assert verdict.logs[0].text == f"Managed {CMD} process 7 exited with return code 100."
    assert life.describe()["why"] == "exit code 100"


def test_a_signal_is_logged_with_its_name_and_respawned() -> None:
    life = ClientLife(CMD, "root")
    life.started(42, 0, 0, 0)
    verdict = life.exited(100, None, int(signal.SIGSEGV), stopping=False)
    assert verdict.respawn
    text = f"Managed {CMD} process 42 killed by signal 11 [SIGSEGV - Segmentation violation]."
    assert verdict.logs[0] == WriteLog(LogLevel.WARN, text)
    assert life.last_exit == "signal 11"
    assert exit_text("p", 3, None, 15).text.endswith("signal 15 [SIGTERM - Termination (ANSI)].")
    assert exit_text("p", 3, None, 200).text == "Managed p process 3 killed by signal 200."


def test_no_respawn_while_the_node_shuts_down() -> None:
    life = ClientLife(CMD, "root")
    life.started(42, 0, 0, 0)
    verdict = life.exited(100, None, int(signal.SIGTERM), stopping=True)
    assert not verdict.respawn and life.state is ClientState.STOPPED
    assert [line.level for line in verdict.logs] == [LogLevel.DEBUG]


def test_start_lines_and_a_failed_start() -> None:
    life = ClientLife(CMD, "nobody")
    assert life.starting(65534, 65534).text == f'Starting child client "{CMD}" (65534,65534)'
    line = life.started(9, 65534, 65534, 0)
    assert line.text == f'Starting "{CMD}" as uid 65534  gid 65534 (pid 9)'
    assert life.describe()["pid"] == 9 and life.describe()["state"] == "running"
    other = ClientLife(CMD, "nobody")
    assert other.failed(f"Cannot exec {CMD}: Permission denied").level is LogLevel.ERROR
    assert other.state is ClientState.GIVEN_UP and other.why.startswith("Cannot exec")


def test_stop_and_the_step_table() -> None:
    waiting = ClientLife(CMD, "root")
    waiting.stop()
    assert waiting.state is ClientState.STOPPED
    given_up = ClientLife(CMD, "root")
    given_up.failed("no")
    given_up.stop()  # stays given up
    assert given_up.state is ClientState.GIVEN_UP
    with pytest.raises(ClientStateError):
        ClientLife(CMD, "root").exited(0, 0, None, stopping=False)
    assert set(CLIENT_STEPS) == set(ClientState)
    assert not CLIENT_STEPS[ClientState.STOPPED] and not CLIENT_STEPS[ClientState.GIVEN_UP]


def test_a_smaller_rule_for_tests() -> None:
    life = ClientLife(
        CMD, "root", RespawnRule(quick_run_ms=1000, max_quick_runs=2, quick_pause_ms=5)
    )
    assert [run(life, n, n * 10, n * 10 + 1).delay_ms for n in range(2)] == [5, 5]
    assert not run(life, 3, 100, 101).respawn


class RecordingCluster(Cluster):
    """The simulated cluster, keeping every output in order (actions and events)."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: dict[str, list[Any]] = {name: [] for name in self.members}

    def _handle(self, mem: Member, out: list[Any]) -> None:
        self.outputs[mem.name].extend(out)
        super()._handle(mem, out)

    def _done(self, mem: Member, kind: str, rid: int, result: Any) -> list[Any]:
        out = super()._done(mem, kind, rid, result)
        self.outputs[mem.name].extend(out)  # handled after what came before: the same order
        return out


@pytest.mark.parametrize("clients", [(), (RespawnClient("root", "/bin/mon", 16),)])
def test_the_clients_stop_between_relinquished_and_shutdown_complete(
    clients: tuple[RespawnClient, ...],
) -> None:
    c = RecordingCluster()
    mem = c["server1"]
    mem.config = dataclasses.replace(
        mem.config, ha_cf=dataclasses.replace(mem.config.ha_cf, respawn=clients)
    )
    c.start("server1")
    c.run_until(15_000)
    c.command("server1", "stop")
    c.run_until(20_000)
    assert mem.exited
    marks = {"All HA resources relinquished.", "server1 Heartbeat shutdown complete."}
    seen = [
        "StopClients" if isinstance(item, StopClients) else item.text
        for item in c.outputs["server1"]
        if isinstance(item, StopClients) or (isinstance(item, WriteLog) and item.text in marks)
    ]
    middle = ["StopClients"] if clients else []
    assert seen == [
        "All HA resources relinquished.",
        *middle,
        "server1 Heartbeat shutdown complete.",
    ]
