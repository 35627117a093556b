"""Put timeline entries in the order they happened.

Time alone is not enough: ha-log lines are dated to the second, and a fast cluster moves a
group and gives it back within one second (a failover, then a failback, both at 10:41:07). A
node's own log is never out of order, so entries are ordered by time under one rule: no two
entries that one node's log tells may come out against that log's order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from itertools import pairwise

from hbtui.postmortem.model import Entry


def in_log_order(
    entries: list[Entry], views: Iterable[list[Entry]], into: Mapping[int, Entry]
) -> list[Entry]:
    """``entries`` by time, never against a node's log: each of ``views`` is one node's
    entries in its log's order; ``into`` maps ``id`` of such an entry to the entry of
    ``entries`` it was merged into (entries missing from it are not in the timeline)."""
    index = {id(e): i for i, e in enumerate(entries)}
    later: dict[int, set[int]] = {i: set() for i in index.values()}
    waiting = dict.fromkeys(index.values(), 0)  # how many entries must come first
    for view in views:
        chain = [index[id(into[id(e)])] for e in view if id(e) in into and id(into[id(e)]) in index]
        for a, b in pairwise(chain):
            if a != b and b not in later[a]:
                later[a].add(b)
                waiting[b] += 1
    ready = [(entries[i].at, i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    out: list[Entry] = []
    while len(out) < len(entries):
        if not ready:  # views that disagree (a loop): the earliest left goes first
            i = min((i for i, n in waiting.items() if n > 0), key=lambda i: (entries[i].at, i))
            waiting[i] = 0
            ready.append((entries[i].at, i))
        _, i = heapq.heappop(ready)
        waiting[i] = -1  # placed
        out.append(entries[i])
        for j in later[i]:
            if waiting[j] > 0:
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, (entries[j].at, j))
    return out
