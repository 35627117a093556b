"""``hbtui node --quiet``: warnings and worse still reach stderr (the journal under systemd).

Under systemd (``JOURNAL_STREAM`` or ``INVOCATION_ID`` set) each line gets the sd-daemon
priority prefix (``<4>`` warning, ``<3>`` error, ``<2>`` critical) so the journal files it
at the right priority.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from typing import TextIO

PRIORITIES = {"WARN": 4, "ERROR": 3, "CRIT": 2}
_LEVEL = re.compile(r":\s+(WARN|ERROR|CRIT): ")


def under_systemd(environ: Mapping[str, str]) -> bool:
    """True when systemd started this process with its output going to the journal."""
    return "JOURNAL_STREAM" in environ or "INVOCATION_ID" in environ


class WarningsOnly(io.StringIO):
    """An echo target that passes only WARN/ERROR/CRIT ha-log lines on to ``out``."""

    def __init__(self, out: TextIO, prefixed: bool) -> None:
        super().__init__()
        self.out = out
        self.prefixed = prefixed
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            found = _LEVEL.search(line)
            if found is not None:
                prefix = f"<{PRIORITIES[found.group(1)]}>" if self.prefixed else ""
                self.out.write(f"{prefix}{line}\n")
                self.out.flush()
        return len(text)


def quiet_echo(out: TextIO, environ: Mapping[str, str] = os.environ) -> WarningsOnly:
    """The echo for ``--quiet``: warnings and worse, prefixed when run by systemd."""
    return WarningsOnly(out, under_systemd(environ))
