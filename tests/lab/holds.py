"""Who held the VIP when, from address events and node up/down marks (pure; no root).

A node holds the VIP while the address is on it and the node is up: the address a crashed
node keeps on its interface is not a claim (its next start is what must remove it).
`spans` turns the events into stretches of constant holders; `longest` and `settled_after`
read the figures the fault benchmark prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Holders = frozenset[str]
# what an event changes: the address ("addr") or the node's liveness ("up")
ADDR, UP = "addr", "up"


@dataclass(frozen=True)
class Mark:
    """At monotonic second `at`, `node`'s address (or liveness) became `on`."""

    at: float
    node: str
    what: str
    on: bool


@dataclass(frozen=True)
class Span:
    """From `begin` to `end` (seconds) exactly `holders` held the VIP."""

    begin: float
    end: float
    holders: Holders

    @property
    def length(self) -> float:
        return self.end - self.begin


def spans(nodes: Sequence[str], marks: Iterable[Mark], begin: float, end: float) -> list[Span]:
    """Stretches of constant holders between `begin` and `end`.

    Every node starts up and without the address; marks before `begin` set the state at
    `begin`, marks after `end` are ignored.
    """
    addr = dict.fromkeys(nodes, False)
    up = dict.fromkeys(nodes, True)

    def holders() -> Holders:
        return frozenset(n for n in nodes if addr[n] and up[n])

    found: list[Span] = []
    at = begin
    for mark in sorted(marks, key=lambda m: m.at):
        if mark.at > end:
            break
        before = holders()
        (addr if mark.what == ADDR else up)[mark.node] = mark.on
        if mark.at <= begin or holders() == before:
            continue
        found.append(Span(at, mark.at, before))
        at = mark.at
    found.append(Span(at, end, holders()))
    return [span for span in found if span.length > 0 or len(found) == 1]


def longest(found: Sequence[Span], wanted: Callable[[Holders], bool]) -> float:
    """The longest stretch (s) during which `wanted(holders)` held without a break."""
    best = run = 0.0
    for span in found:
        run = run + span.length if wanted(span.holders) else 0.0
        best = max(best, run)
    return best


def both(holders: Holders) -> bool:
    return len(holders) > 1


def nobody(holders: Holders) -> bool:
    return not holders


def settled_after(found: Sequence[Span], at: float) -> float | None:
    """Seconds from `at` to the first moment with exactly one holder (None: never)."""
    for span in found:
        if span.end > at and len(span.holders) == 1:
            return max(0.0, span.begin - at)
    return None


def final(found: Sequence[Span]) -> list[str]:
    """The holders at the end, sorted."""
    return sorted(found[-1].holders) if found else []


def acquisitions(marks: Iterable[Mark], begin: float, end: float) -> int:
    """How many times an address appeared between `begin` and `end` (moves of the VIP)."""
    return sum(1 for m in marks if m.what == ADDR and m.on and begin <= m.at <= end)
