"""Size and depth limits shared by the decoders."""

from __future__ import annotations

# The real daemon reads at most MAXMSG-1 bytes per datagram.
MAX_DATAGRAM = 262143
# Nested STRUCT values: deeper than this is hostile, not Heartbeat.
MAX_DEPTH = 8
