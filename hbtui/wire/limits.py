"""Size and depth limits shared by the decoders, and the check every decoder starts with."""

from __future__ import annotations

from hbtui.wire.errors import WireError

# The real daemon reads at most MAXMSG-1 bytes per datagram.
MAX_DATAGRAM = 262143
# Nested STRUCT values: deeper than this is hostile, not Heartbeat.
MAX_DEPTH = 8


def check_start(data: bytes, depth: int, head: bytes) -> None:
    """What every decoder checks before parsing: the size, the nesting depth, the header."""
    if len(data) > MAX_DATAGRAM:
        raise WireError(f"{len(data)} bytes is larger than a datagram", "oversized")
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    if not data.startswith(head):
        mark = head.rstrip().decode("ascii")
        if head.startswith(data[: len(head)]):
            raise WireError(f"datagram ends inside the {mark} header", "truncated")
        raise WireError(f"does not start with {mark}")
