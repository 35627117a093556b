"""Host commands for the lab: moved to :mod:`hbtui.lab.commands`; re-exported for the tests."""

from hbtui.lab.commands import (
    CLEAN_PATH,
    LabError,
    clean_env,
    process_alive,
    read_line_until,
    reap,
    run,
    signal_and_wait,
    wait_gone,
)

__all__ = [
    "CLEAN_PATH",
    "LabError",
    "clean_env",
    "process_alive",
    "read_line_until",
    "reap",
    "run",
    "signal_and_wait",
    "wait_gone",
]
