"""Keepalive gaps bucketed in keepalives: one histogram for the console's Wire pane and
the metrics (what ``hbtui advise`` fits its loss model to)."""

from __future__ import annotations

# upper bounds, in keepalives: on time, late, one keepalive lost, two lost; a bound sits
# half a keepalive from where lost packets put a gap (2 or 3 keepalives), so jitter of a
# few ms never splits one kind of gap over two buckets
GAP_BUCKETS = (1.1, 1.5, 2.5, 3.5)


def gap_bucket(gap_ms: int, keepalive_ms: int) -> int:
    """The histogram bucket of a keepalive gap (len(GAP_BUCKETS): beyond them all)."""
    for i, bound in enumerate(GAP_BUCKETS):
        if gap_ms <= bound * keepalive_ms:
            return i
    return len(GAP_BUCKETS)
