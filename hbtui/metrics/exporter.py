"""The node's metrics, kept up to date and written where node_exporter reads them.

Why a textfile and not an HTTP port: a cluster node then listens on nothing new (no port
to firewall, no second way in beside the control socket), node_exporter is already on
most machines Prometheus watches, and the file can be read by hand after an incident.
``hbtui status --metrics`` prints the same text from the control socket.

The file is replaced atomically (written beside it, then renamed) off the event loop;
a write that fails is logged once (WARN) with the path and why, and again when it
works again, never silently.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import AsyncIterable, Callable, Mapping
from pathlib import Path
from typing import Any

from hbtui.metrics.exposition import render
from hbtui.metrics.tally import MetricsTally

log = logging.getLogger(__name__)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (mode 0644) so a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _python_log(level: str, text: str) -> None:
    """Where ``say`` goes when the node gives nothing better (its ha-log)."""
    log.log(logging.WARNING if level == "WARN" else logging.INFO, text)


class MetricsExporter:
    """A tally fed by the node's events; ``text()`` renders it with a fresh snapshot."""

    def __init__(
        self,
        keepalive_ms: int,
        snapshot: Callable[[], Mapping[str, Any]],
        started_s: float,
        textfile: Path | None = None,
        say: Callable[[str, str], None] | None = None,
    ) -> None:
        self.tally = MetricsTally(keepalive_ms)
        self.snapshot = snapshot
        self.started_s = started_s
        self.textfile = textfile
        self.say = say or _python_log
        self.written = 0
        self.failing = ""  # why the last write failed ("" while writes work)

    def text(self) -> str:
        """The exposition now."""
        return render(self.tally, self.snapshot(), self.started_s)

    async def count(self, events: AsyncIterable[object]) -> None:
        """Fold every event in until the stream ends."""
        async for item in events:
            self.tally.observe(item)

    async def write(self) -> None:
        """Write the textfile now (nothing when none is configured)."""
        if self.textfile is None:
            return
        text = self.text()
        try:
            await asyncio.to_thread(write_atomically, self.textfile, text)
        except OSError as exc:
            why = f"{self.textfile}: {exc.strerror or exc}"
            if why != self.failing:
                self.say("WARN", f"metrics: cannot write {why}; the metrics go stale")
            self.failing = why
            return
        if self.failing:
            self.say("info", f"metrics: {self.textfile} written again")
        self.failing = ""
        self.written += 1

    async def write_every(self, every_s: float) -> None:
        """Write now and then every ``every_s`` until cancelled."""
        while True:
            await self.write()
            await asyncio.sleep(every_s)
