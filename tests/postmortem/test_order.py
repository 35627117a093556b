"""``in_log_order``: time first, never against one node's log; views that disagree still
give every entry once."""

from __future__ import annotations

from datetime import datetime, timedelta

from hbtui.postmortem.model import Entry, Kind
from hbtui.postmortem.order import in_log_order

T0 = datetime(2026, 3, 1, 10, 41, 7)


def entry(kind: Kind, seconds: float = 0) -> Entry:
    return Entry(kind, "server1", "server2", at=T0 + timedelta(seconds=seconds))


def test_a_tie_follows_the_log_that_tells_both() -> None:
    back, over = entry(Kind.FAILBACK), entry(Kind.FAILOVER)
    into = {id(e): e for e in (back, over)}
    assert in_log_order([back, over], [[back], [over, back]], into) == [over, back]


def test_time_orders_what_no_log_tells_together() -> None:
    late, early = entry(Kind.STOP, 5), entry(Kind.FAILOVER, 1)
    into = {id(e): e for e in (late, early)}
    assert in_log_order([late, early], [[late], [early]], into) == [early, late]


def test_a_merged_view_counts_for_the_entry_it_became() -> None:
    over, back, back_seen = entry(Kind.FAILOVER), entry(Kind.FAILBACK), entry(Kind.STANDBY)
    into = {id(over): over, id(back): back, id(back_seen): back}
    assert in_log_order([back, over], [[back_seen], [over, back]], into) == [over, back]


def test_views_that_disagree_give_each_entry_once_earliest_first() -> None:
    a, b = entry(Kind.FAILOVER, 0), entry(Kind.FAILBACK, 0.5)
    into = {id(e): e for e in (a, b)}
    assert in_log_order([b, a], [[a, b], [b, a]], into) == [a, b]
