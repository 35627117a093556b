"""Control requests, checked before anything acts on them.

A request is one JSON object on one line: ``{"cmd": NAME}`` plus ``"arg"`` where the command
takes one. Everything else is rejected with a reason that names what is wrong: a line over
``MAX_LINE`` bytes, bytes that are not UTF-8, JSON nested deeper than ``MAX_DEPTH``, not an
object, an unknown key or command, an ``arg`` that is not one of the command's words (a
``false``, ``null``, ``0`` or ``[]`` is never taken as the default). Pure: bytes in, a
``Request`` or a ``RequestError`` out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_LINE = 64 * 1024
MAX_DEPTH = 4
HOLD_ARGS = ("all", "local", "foreign")

# command -> the words its "arg" may be (None: it takes no arg); the first is the default
COMMANDS: dict[str, tuple[str, ...] | None] = {
    "snapshot": None,
    "metrics": None,  # the Prometheus text of the node's metrics
    "follow": ("live", "recent"),  # recent: the node's last ha-log lines first
    "standby": HOLD_ARGS,
    "takeover": HOLD_ARGS,
    "stop": None,
    "retry-stop": None,
    "stop-cleared": None,
    "self-fence": None,
}
# commands that change the cluster (the others only read)
ACTIONS = frozenset(COMMANDS) - {"snapshot", "metrics", "follow"}


class RequestError(ValueError):
    """A request that is not acted on; the message says why."""


@dataclass(frozen=True, slots=True)
class Request:
    """A checked request."""

    cmd: str
    arg: str | None = None


def nesting_depth(text: str) -> int:
    """How deep ``[``/``{`` nest in JSON ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_request(line: bytes) -> Request:
    """Check one request line (see the module docstring)."""
    if len(line) > MAX_LINE:
        raise RequestError(f"request too long ({len(line)} bytes, at most {MAX_LINE})")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(f"request is not UTF-8 (byte {exc.start})") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise RequestError(f"request nests deeper than {MAX_DEPTH} levels")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(f"request is not JSON: {exc.msg} at column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # numbers too long for int(), and the like
        raise RequestError(f"request is not usable JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise RequestError(f"request must be a JSON object, not {type(obj).__name__}")
    unknown = sorted(set(obj) - {"cmd", "arg"})
    if unknown:
        raise RequestError(f"unknown key(s) {', '.join(map(repr, unknown))}; use cmd and arg")
    cmd = obj.get("cmd")
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        raise RequestError(f"unknown command {_shown(cmd)}; use one of {', '.join(COMMANDS)}")
    words = COMMANDS[cmd]
    if "arg" not in obj:
        return Request(cmd, words[0] if words else None)
    arg = obj["arg"]
    if words is None:
        raise RequestError(f"{cmd} takes no arg (got {_shown(arg)})")
    if not isinstance(arg, str) or arg not in words:
        raise RequestError(f"{cmd} arg must be one of {', '.join(words)}, not {_shown(arg)}")
    return Request(cmd, arg)


def _shown(value: object) -> str:
    """A short, safe rendering of a JSON value for an error message."""
    return json.dumps(value)[:40]
