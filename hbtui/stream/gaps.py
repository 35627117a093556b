"""Keepalive gaps bucketed in keepalives: one histogram for the console's Wire pane and
the metrics (what ``hbtui advise`` fits its loss model to)."""

from __future__ import annotations

# upper bounds, in keepalives; above the last a gap is "late" (warntime shows in labels)
GAP_BUCKETS = (1.1, 1.5, 2.0, 3.0)


def gap_bucket(gap_ms: int, keepalive_ms: int) -> int:
    """The histogram bucket of a keepalive gap (len(GAP_BUCKETS): beyond them all)."""
    for i, bound in enumerate(GAP_BUCKETS):
        if gap_ms <= bound * keepalive_ms:
            return i
    return len(GAP_BUCKETS)
