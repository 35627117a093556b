"""The one exception the wire layer raises for bad input."""

from __future__ import annotations

from typing import Literal

# What kind of damage: the acceptance layer maps it to a named rejection reason.
DamageKind = Literal["garbage", "truncated", "oversized"]


class WireError(ValueError):
    """Bytes that are not a valid Heartbeat message; ``reason`` is short human text."""

    def __init__(self, reason: str, kind: DamageKind = "garbage") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind: DamageKind = kind
