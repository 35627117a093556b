"""The life of one respawned client (ha.cf ``respawn``): when to run it again, when to stop.

Sans-IO: the runtime's supervisor (``adapters/respawn.py``) starts the process and tells this
object what happened, with the time; it answers with the log lines and whether and when to
start the program again. Heartbeat 3.0.6's rule (heartbeat.c ``ManagedChildDied`` and
``start_a_child_client``; the exit lines are cluster-glue's ``ReportProcHasDied``):

- every exit is logged: "Managed CMD process PID exited with return code N." (info when 0,
  else WARN) or "Managed CMD process PID killed by signal N [SIGNAME - words]." (WARN);
- no respawn while the node shuts down, nor after exit code 100 (what the daemon's own child
  exits with when it cannot set the client up);
- a run shorter than 30 s is quick; a longer one resets the count of quick runs. After an
  exit, "Respawning client "CMD":" (ERROR) and it starts again, one second later when the run
  was quick; the 11th quick exit in a row gives up instead:
  "Client CMD "respawning too fast"" (ERROR), and the program is not run again.

States and their steps are a table (``CLIENT_STEPS``); an illegal step raises.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hbtui.engine.actions import LogLevel, WriteLog

QUICK_RUN_MS = 30_000  # a run shorter than this is quick
MAX_QUICK_RUNS = 10  # quick exits in a row that are still respawned
QUICK_PAUSE_MS = 1_000  # a client whose last run was quick waits this long before it runs
NO_RESPAWN_CODE = 100

# cluster-glue's words for the signals a client dies of
SIGNAL_WORDS = {
    "SIGHUP": "Hangup",
    "SIGINT": "Interrupt",
    "SIGQUIT": "Quit",
    "SIGILL": "Illegal instruction",
    "SIGTRAP": "Trace",
    "SIGABRT": "Abort",
    "SIGBUS": "BUS error",
    "SIGFPE": "Floating-point exception",
    "SIGKILL": "Kill, unblockable",
    "SIGUSR1": "User-defined signal 1",
    "SIGSEGV": "Segmentation violation",
    "SIGUSR2": "User-defined signal 2",
    "SIGPIPE": "Broken pipe (POSIX)",
    "SIGALRM": "Alarm clock (POSIX)",
    "SIGTERM": "Termination (ANSI)",
    "SIGXCPU": "CPU limit exceeded",
    "SIGXFSZ": "File size limit exceeded",
    "SIGSYS": "Bad system call",
}


class ClientState(StrEnum):
    """Where a respawned client is (``hbtui status --json``: ``respawn[].state``)."""

    WAITING = "waiting"  # the node has not gone active yet: clients start with it
    RUNNING = "running"
    RESTARTING = "restarting"  # exited; runs again (after the pause of a quick run)
    GIVEN_UP = "given-up"  # respawning too fast, exit code 100, or it cannot be run
    STOPPED = "stopped"  # the node shut down


CLIENT_STEPS: dict[ClientState, frozenset[ClientState]] = {
    ClientState.WAITING: frozenset(
        {ClientState.RUNNING, ClientState.GIVEN_UP, ClientState.STOPPED}
    ),
    ClientState.RUNNING: frozenset(
        {ClientState.RESTARTING, ClientState.GIVEN_UP, ClientState.STOPPED}
    ),
    ClientState.RESTARTING: frozenset(
        {ClientState.RUNNING, ClientState.GIVEN_UP, ClientState.STOPPED}
    ),
    ClientState.GIVEN_UP: frozenset(),
    ClientState.STOPPED: frozenset(),
}


class ClientStateError(Exception):
    """An illegal step of a client's life (a bug in the caller)."""


@dataclass(frozen=True, slots=True)
class RespawnRule:
    """The numbers of the rule; Heartbeat's by default (tests shrink them)."""

    quick_run_ms: int = QUICK_RUN_MS
    max_quick_runs: int = MAX_QUICK_RUNS
    quick_pause_ms: int = QUICK_PAUSE_MS


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do after an exit: run again after ``delay_ms`` or not; the lines to log."""

    respawn: bool
    delay_ms: int
    logs: tuple[WriteLog, ...]


def exit_text(command: str, pid: int, code: int | None, signo: int | None) -> WriteLog:
    """The line of one exit, as cluster-glue's process tracking writes it."""
    if signo is None:
        level = LogLevel.INFO if code == 0 else LogLevel.WARN
        return WriteLog(level, f"Managed {command} process {pid} exited with return code {code}.")
    try:
        name: str | None = signal.Signals(signo).name
    except ValueError:
        name = None
    words = SIGNAL_WORDS.get(name or "")
    detail = f" [{name} - {words}]" if name and words else ""
    return WriteLog(
        LogLevel.WARN, f"Managed {command} process {pid} killed by signal {signo}{detail}."
    )


class ClientLife:
    """One ``respawn`` line's program: its state, runs and restarts."""

    def __init__(self, command: str, user: str, rule: RespawnRule | None = None) -> None:
        self.command = command
        self.user = user
        self.rule = rule or RespawnRule()
        self.state = ClientState.WAITING
        self.pid: int | None = None
        self.started_ms: int | None = None
        self.restarts = 0  # times it was run again after an exit
        self.quick = 0  # quick exits in a row
        self.last_exit = ""  # "return code 1", "signal 15"
        self.why = ""  # why it was given up

    def _enter(self, state: ClientState) -> None:
        if state not in CLIENT_STEPS[self.state]:
            raise ClientStateError(f"respawn client {self.state} -> {state} is illegal")
        self.state = state

    def starting(self, uid: int, gid: int) -> WriteLog:
        """About to start it (the first time or again)."""
        text = f'Starting child client "{self.command}" ({uid},{gid})'
        return WriteLog(LogLevel.INFO, text)

    def started(self, pid: int, uid: int, gid: int, now_ms: int) -> WriteLog:
        """It runs as ``pid`` since ``now_ms``."""
        self._enter(ClientState.RUNNING)
        self.pid, self.started_ms = pid, now_ms
        return WriteLog(
            LogLevel.INFO, f'Starting "{self.command}" as uid {uid}  gid {gid} (pid {pid})'
        )

    def failed(self, text: str) -> WriteLog:
        """It could not be started (not executable, unknown user, no permission): given up,
        as the daemon, whose child then exits 100."""
        self._enter(ClientState.GIVEN_UP)
        self.pid, self.why = None, text
        return WriteLog(LogLevel.ERROR, text)

    def exited(
        self, now_ms: int, code: int | None, signo: int | None, *, stopping: bool
    ) -> Verdict:
        """Its process ended (``code``, or ``signo`` when a signal killed it) at ``now_ms``;
        ``stopping``: the node is shutting down."""
        if self.state is not ClientState.RUNNING or self.pid is None or self.started_ms is None:
            raise ClientStateError(f"respawn client exited while {self.state}")
        line = exit_text(self.command, self.pid, code, signo)
        self.last_exit = f"signal {signo}" if signo is not None else f"return code {code}"
        ran_ms, self.pid = now_ms - self.started_ms, None
        if stopping:  # the daemon stops logging its children's deaths once it shuts down
            self._enter(ClientState.STOPPED)
            return Verdict(False, 0, (WriteLog(LogLevel.DEBUG, line.text),))
        if code == NO_RESPAWN_CODE:
            self._enter(ClientState.GIVEN_UP)
            self.why = f"exit code {NO_RESPAWN_CODE}"
            note = f'Client "{self.command}" exited with code {NO_RESPAWN_CODE}: not respawned'
            return Verdict(False, 0, (line, WriteLog(LogLevel.WARN, note)))
        self.quick = self.quick + 1 if ran_ms < self.rule.quick_run_ms else 0
        if self.quick > self.rule.max_quick_runs:
            self._enter(ClientState.GIVEN_UP)
            self.why = "respawning too fast"
            too_fast = WriteLog(LogLevel.ERROR, f'Client {self.command} "respawning too fast"')
            return Verdict(False, 0, (line, too_fast))
        self._enter(ClientState.RESTARTING)
        self.restarts += 1
        again = WriteLog(LogLevel.ERROR, f'Respawning client "{self.command}":')
        delay = self.rule.quick_pause_ms if self.quick else 0
        return Verdict(True, delay, (line, again))

    def stop(self) -> None:
        """The node shut down: the client is not run again (a given-up one stays given up;
        a running one was killed without waiting for its exit)."""
        if self.state is not ClientState.GIVEN_UP and self.state is not ClientState.STOPPED:
            self._enter(ClientState.STOPPED)
            self.pid = None

    def describe(self) -> dict[str, Any]:
        """JSON-able: the snapshot's ``respawn`` entry."""
        return {
            "program": self.command,
            "user": self.user,
            "pid": self.pid,
            "state": self.state.value,
            "restarts": self.restarts,
            "quick_exits": self.quick,
            "last_exit": self.last_exit or None,
            "why": self.why or None,
        }
