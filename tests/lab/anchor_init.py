"""PID 1 of a lab node: moved to :mod:`hbtui.lab.anchor_init` (run by path as a script)."""

from hbtui.lab.anchor_init import main, parse_args

__all__ = ["main", "parse_args"]
