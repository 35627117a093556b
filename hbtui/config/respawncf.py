"""ha.cf ``respawn USER /path/prog [args]``: the node's client children.

Heartbeat 3.0.6 reads these lines in ``add_client_child_base`` (config.c) and refuses to start
("Configuration error, heartbeat not started.") when the user is unknown ("Invalid uid [...]
specified for client child"), the program is not an absolute path ("... is not full pathname")
or is not executable ("Client child command [...] is not executable"). hbtui says the same at
the line, as errors for this machine's files; when the files are another host's
(``local_host=False``) the user and program are only this machine's guess, so warnings.

``.../ipfail`` turns on the built-in ipfail instead (docs/protocol.md §12).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from typing import Protocol

from hbtui.config.lines import ConfigLine, shown
from hbtui.config.model import HaCf, RespawnClient
from hbtui.config.problems import Problem, Severity

IPFAIL = "ipfail"
# clients that sign on to Heartbeat's client API (hb_api), which hbtui does not serve
API_CLIENTS = frozenset(
    {"ccm", "cib", "crmd", "attrd", "stonithd", "pingd", "mgmtd", "hbagent", "dopd"}
)

UserLookup = Callable[[str], object]


class Sink(Protocol):
    """What the handler needs from ha.cf's builder."""

    ipfail_line: int | None
    respawn: list[RespawnClient]

    def error(self, line: ConfigLine, message: str) -> None: ...

    def warn(self, line: ConfigLine, message: str) -> None: ...


def respawn(b: Sink, line: ConfigLine) -> None:
    """``respawn USER PROGRAM [ARGS]``: ipfail is done natively; others are run and respawned."""
    if len(line.tokens) < 3:
        b.error(line, "respawn needs a user and a program: respawn USER PROGRAM [ARGS]")
        return
    user, program = line.tokens[1], line.tokens[2]
    name = program.rsplit("/", 1)[-1]
    if name == IPFAIL:
        b.ipfail_line = line.number
        return
    if not program.startswith("/"):
        b.error(line, f"Client child command [{shown(program)}] is not full pathname")
        return
    b.respawn.append(RespawnClient(user, line.text.split(None, 2)[2], line.number))
    if name in API_CLIENTS:
        b.warn(
            line,
            f"respawn {shown(program)}: {shown(name)} signs on to Heartbeat's client API "
            "(hb_api), which hbtui does not offer: hbtui runs it as "
            f"{shown(user)} and respawns it as Heartbeat does, but it cannot sign on",
        )


def _not_executable(path: str) -> str | None:
    """Why ``path`` cannot be run (None: an executable regular file)."""
    try:
        if not os.path.isfile(path):
            return "no such file" if not os.path.lexists(path) else "not a regular file"
        if not os.access(path, os.X_OK):
            return "no execute permission"
    except (OSError, ValueError) as exc:
        return str(exc)
    return None


def check_respawn(
    ha_cf: HaCf, *, local_host: bool, lookup_user: UserLookup = pwd.getpwnam
) -> list[Problem]:
    """Each respawn line's user exists and its program is executable on this machine."""
    severity = Severity.ERROR if local_host else Severity.WARNING
    refused = " (Heartbeat refuses to start)" if local_host else ""
    found: list[Problem] = []
    for client in ha_cf.respawn:
        try:
            lookup_user(client.user)
        except (KeyError, UnicodeError, ValueError):
            text = f"Invalid uid [{shown(client.user)}] specified for client child: no such user"
            found.append(Problem(severity, text + refused, ha_cf.path, client.line))
        why = _not_executable(client.path)
        if why is not None:
            text = f"Client child command [{shown(client.path)}] is not executable: {why}"
            found.append(Problem(severity, text + refused, ha_cf.path, client.line))
    return found
