"""Wall-clock text for the node's monotonic milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hbtui.stream.source import NodeSource


def clock_of(source: NodeSource) -> Callable[[int], str]:
    """``HH:MM:SS.mmm`` of a monotonic ``at_ms`` in the source's time zone."""

    def fmt(at_ms: int) -> str:
        when = datetime.fromtimestamp(source.wall_ms(at_ms) / 1000, tz=source.tz)
        return when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"

    return fmt
