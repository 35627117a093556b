"""Run resource scripts as Heartbeat does: ``<script> <args...> start|stop|status``.

The argv is run exactly as given (the engine's ``RunScript.argv`` already ends with the
operation); ``op`` only picks the timeout.

Always an argv (never a shell string), in a new session so that a timeout kills the
whole process group. stdout and stderr are read line by line and handed to a callback
as they arrive (live display); the result carries the exit code, the duration, every
line, and whether the timeout fired. A missing or non-executable script gives a failed
result, never an exception. Judging ``status`` output is the engine's job, not ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hbtui.adapters.childio import STDERR, STDOUT, OutputPipes, finish_readers, signal_group

log = logging.getLogger(__name__)

DEFAULT_TIMEOUTS_S: Mapping[str, float] = {"start": 60.0, "stop": 60.0, "status": 20.0}
FALLBACK_TIMEOUT_S = 60.0
KILL_GRACE_S = 1.0  # SIGTERM to SIGKILL
MAX_KEPT_LINES = 2000  # per stream, in the result (the callback still sees every line)
EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# what every child of the node starts from (resource scripts, respawn clients)
BASE_ENV: Mapping[str, str] = {"PATH": SAFE_PATH, "LANG": "C", "LC_ALL": "C", "HOME": "/"}

LineCallback = Callable[[str, str], None]
"""Called with (stream, line) for every output line; stream is "stdout" or "stderr"."""


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """How one script call ended."""

    argv: tuple[str, ...]
    exit_code: int | None  # None when killed by a signal (see ``signal``)
    duration_ms: int
    timed_out: bool = False
    signal: int | None = None
    stdout: tuple[str, ...] = ()
    stderr: tuple[str, ...] = ()
    error: str | None = None  # could not start it at all (missing, not executable)

    @property
    def ok(self) -> bool:
        """Exit code 0 within the timeout."""
        return self.exit_code == 0 and not self.timed_out

    @property
    def rc(self) -> int:
        """The exit code as a shell reports it: 128 + signal number when killed."""
        if self.exit_code is not None:
            return self.exit_code
        return 128 + (self.signal or 0)

    @property
    def stdout_text(self) -> str:
        """stdout joined back into text (what the status rule judges)."""
        return "".join(f"{line}\n" for line in self.stdout)

    def describe(self) -> str:
        """A one-line summary for logs."""
        if self.error:
            return self.error
        if self.timed_out:
            return f"timed out after {self.duration_ms} ms (process group killed)"
        if self.signal is not None:
            return f"killed by signal {self.signal}"
        return f"rc={self.exit_code}"


class ScriptRunner(Protocol):
    """Runs one resource script operation to completion."""

    async def run(
        self,
        argv: Sequence[str],
        op: str,
        on_line: LineCallback | None = None,
        timeout_s: float | None = None,
    ) -> ScriptResult: ...


def heartbeat_env(
    ha_dir: Path,
    node_name: str,
    logfile: Path | None = None,
    debugfile: Path | None = None,
    logfacility: str | None = None,
    directives: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The ``HA_`` environment Heartbeat gives resource scripts.

    Names as in Heartbeat 3.0.6 (HA_CURHOST, HA_DIR, HA_FUNCS, HA_DATEFMT, HA_LOGFILE,
    HA_DEBUGLOG, HA_LOGFACILITY), plus every ha.cf directive as ``HA_<directive>`` the way
    the daemon exports them. Scripts that source /etc/ha.d/shellfuncs fill in the rest.
    """
    env = {f"HA_{key}": value for key, value in (directives or {}).items()}
    env.update(
        {
            "HA_DIR": str(ha_dir),
            "HA_FUNCS": str(ha_dir / "shellfuncs"),
            "HA_DATEFMT": "%Y/%m/%d_%T\t",
            "HA_CURHOST": node_name,
        }
    )
    if logfile is not None:
        env["HA_LOGFILE"] = str(logfile)
    if debugfile is not None:
        env["HA_DEBUGLOG"] = str(debugfile)
    if logfacility is not None:
        env["HA_LOGFACILITY"] = logfacility
    return env


@dataclass
class _Output:
    lines: list[str] = field(default_factory=list)
    dropped: int = 0

    def keep(self, line: str) -> None:
        if len(self.lines) < MAX_KEPT_LINES:
            self.lines.append(line)
        else:
            self.dropped += 1


class SubprocessScriptRunner:
    """The real ScriptRunner: asyncio subprocesses, one session each."""

    def __init__(
        self,
        timeouts_s: Mapping[str, float] | None = None,
        extra_env: Mapping[str, str] | None = None,
        kill_grace_s: float = KILL_GRACE_S,
    ) -> None:
        self.timeouts_s = dict(DEFAULT_TIMEOUTS_S if timeouts_s is None else timeouts_s)
        self.extra_env = dict(extra_env or {})
        self.kill_grace_s = kill_grace_s

    def _env(self) -> dict[str, str]:
        env = dict(BASE_ENV)
        env.update(self.extra_env)
        return env

    async def run(
        self,
        argv: Sequence[str],
        op: str,
        on_line: LineCallback | None = None,
        timeout_s: float | None = None,
    ) -> ScriptResult:
        """Run ``argv`` (ending with ``op``); never raises for script problems.

        Cancelling the call kills the script's process group.
        """
        full = tuple(argv)
        timeout = timeout_s if timeout_s is not None else self.timeouts_s.get(op)
        if timeout is None:
            timeout = FALLBACK_TIMEOUT_S
        problem = _cannot_run(full[0])
        if problem is not None:
            code, text = problem
            return ScriptResult(full, code, 0, error=text)
        started = time.monotonic()
        pipes = OutputPipes()
        try:
            proc = await asyncio.create_subprocess_exec(
                *full,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=pipes.out_w,
                stderr=pipes.err_w,
                start_new_session=True,
                env=self._env(),
                cwd="/",
            )
        except OSError as exc:
            pipes.failed()
            return ScriptResult(
                full, EXIT_NOT_EXECUTABLE, 0, error=f"cannot run {full[0]}: {exc.strerror}"
            )
        finally:
            pipes.spawned()
        outputs = {STDOUT: _Output(), STDERR: _Output()}

        def deliver(stream: str, line: str) -> None:
            outputs[stream].keep(line)
            if on_line is not None:
                try:
                    on_line(stream, line)
                except Exception:
                    log.exception("output callback failed for %s", full[0])

        readers = pipes.read(deliver)
        timed_out = False
        try:
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                timed_out = True
                log.warning("%s %s timed out after %.1f s: killing it", full[0], op, timeout)
                await _kill_group(proc, self.kill_grace_s)
            await finish_readers(readers)
        except asyncio.CancelledError:
            await _kill_group(proc, 0.0)
            for task in readers:
                task.cancel()
            raise
        finally:
            pipes.close()
        duration_ms = int((time.monotonic() - started) * 1000)
        rc = proc.returncode
        sig = -rc if rc is not None and rc < 0 else None
        return ScriptResult(
            argv=full,
            exit_code=None if sig is not None else rc,
            duration_ms=duration_ms,
            timed_out=timed_out,
            signal=sig,
            stdout=tuple(outputs[STDOUT].lines),
            stderr=tuple(outputs[STDERR].lines),
        )


def _cannot_run(path: str) -> tuple[int, str] | None:
    """(exit code, message) when ``path`` is not a runnable file, else None."""
    if not os.path.exists(path):
        return EXIT_NOT_FOUND, f"resource script {path} not found"
    if not os.path.isfile(path):
        return EXIT_NOT_EXECUTABLE, f"resource script {path} is not a regular file"
    if not os.access(path, os.X_OK):
        return EXIT_NOT_EXECUTABLE, f"resource script {path} is not executable"
    return None


async def _kill_group(proc: asyncio.subprocess.Process, grace_s: float) -> None:
    """SIGTERM the script's process group, then SIGKILL after ``grace_s``."""
    pgid = proc.pid  # start_new_session: the script leads its own group
    if grace_s > 0:
        signal_group(pgid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), grace_s)
    signal_group(pgid, signal.SIGKILL)
    await proc.wait()
