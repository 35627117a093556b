"""Host commands for the lab: argv lists only, bounded by a timeout, errors saying what failed."""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import time
from collections.abc import Sequence
from typing import IO

CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class LabError(RuntimeError):
    """A lab command failed or a bounded wait ran out."""


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A small predictable environment for commands run inside nodes."""
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": "/root", "TERM": "dumb"}
    if extra:
        env.update(extra)
    return env


def run(
    argv: Sequence[str],
    timeout: float = 10.0,
    check: bool = True,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` to completion (never through a shell); raise LabError when `check` and rc != 0."""
    try:
        done = subprocess.run(
            list(argv),
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env if env is not None else clean_env(),
            cwd="/",
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"timed out after {timeout} s: {' '.join(argv)}") from exc
    if check and done.returncode != 0:
        raise LabError(
            f"rc={done.returncode}: {' '.join(argv)}\n{done.stdout.strip()}\n{done.stderr.strip()}"
        )
    return done


def read_line_until(stream: IO[str], deadline: float) -> str | None:
    """One line from a pipe, or None at EOF or when `deadline` (monotonic) passes first."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            return None
    line = stream.readline()
    return line or None


def process_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait (pidfd, bounded) until every pid has exited; return those still alive."""
    deadline = time.monotonic() + timeout
    pending = [pid for pid in pids if process_alive(pid)]
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        with selectors.DefaultSelector() as selector:
            fds: list[int] = []
            for pid in pending:
                try:
                    fd = os.pidfd_open(pid)
                except ProcessLookupError:
                    continue
                fds.append(fd)
                selector.register(fd, selectors.EVENT_READ)
            try:
                if fds:
                    # A zombie counts as exited for pidfd; its reaper removes it shortly after.
                    selector.select(min(remaining, 0.05))
            finally:
                for fd in fds:
                    os.close(fd)
        pending = [pid for pid in pending if process_alive(pid)]
    return pending


def signal_and_wait(pids: Sequence[int], signum: int, timeout: float) -> list[int]:
    """Send `signum` to every pid and wait (bounded) for them to exit; return those still alive."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
    return wait_gone(pids, timeout)


def reap(proc: subprocess.Popen[str], timeout: float) -> None:
    """Wait (bounded) for a child we started to end; SIGKILL it when it does not."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
