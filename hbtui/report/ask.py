"""What a support bundle is asked for and what came of it: plain data the console's ``B``
dialog builds and shows (it never collects itself; ``hbtui.report.make`` does)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class BundleAsk:
    """The log window (local time; either end open) and the seconds of udp capture (0: none)."""

    since: datetime | None = None
    until: datetime | None = None
    capture_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Bundled:
    """The tar.gz written, the nodes in it, and what could not be collected."""

    path: Path
    nodes: tuple[str, ...]
    missing: tuple[str, ...]

    def summary(self) -> str:
        """One line: where it went, from which nodes, how much is missing."""
        names, lacking = ", ".join(self.nodes), len(self.missing)
        return f"wrote {self.path} ({names}; {lacking} item(s) not collected, see README.txt)"


MakeBundle = Callable[[BundleAsk], Awaitable[Bundled]]


@dataclass(frozen=True, slots=True)
class BundleSetup:
    """How the console makes a bundle (given by the command) and where bundles go."""

    make: MakeBundle
    directory: Path


def parse_span(text: str) -> timedelta:
    """``"1h"``, ``"30m"``, ``"90s"``, ``"2d"`` (one number, one unit) as a timedelta;
    ValueError saying what is expected otherwise."""
    found = _SPAN.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise ValueError(f"not a time span like 1h, 30m or 2d: {text.strip()!r}")
    return timedelta(seconds=float(found.group(1)) * _UNIT_S[found.group(2)])
