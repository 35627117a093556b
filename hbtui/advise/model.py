"""The false-failover model: from measured keepalive gaps to a rate per day and timers.

A peer sends a keepalive every ``K`` ms. Each gap between two keepalives that arrived is
``(L + 1) * K + r``: ``L`` keepalives lost in a row, ``r`` the arrival jitter. Losses are a
two-state Markov chain fitted to the gaps (Gilbert's model): ``p`` is the chance that a
keepalive is lost after one arrived, ``q`` the chance after one was lost (``p == q`` is
independent loss; ``q > p`` is bursts). A node declares its peer dead when a gap exceeds
``deadtime``, which needs ``L >= floor((deadtime - j) / K)`` losses in a row, ``j`` being a
high quantile of the jitter; that happens ``arrivals/day * p * q**(L - 1)`` times a day.

Gaps shorter than half a keepalive are a status sent on a state change, not a keepalive,
and are left out. With no loss measured in ``n`` gaps the chance is not zero but unknown:
the rule of three gives ``p <= 3 / n`` at 95 % confidence, and that bound is used (with
``q = p``).

A log gives only the gaps over ``warntime`` (``fit_tail``): runs of at least ``m`` losses,
``m`` the fewest whose gap exceeds warntime. Their lengths beyond ``m`` fit ``q`` (a run
goes on with chance ``q``), and their number over the keepalives the log's span holds gives
the rate of such runs per arrival, ``P(run >= m)``; the rate of ``n >= m`` losses in a row is
then ``P(run >= m) * q**(n - m)``. Nothing is said of shorter runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

DAY_MS = 86_400_000
TEN_YEARS_DAYS = 3652.5
JITTER_QUANTILE = 0.999


@dataclass(frozen=True, slots=True)
class LossFit:
    """What the gaps say about the link."""

    keepalive_ms: int
    gaps: int  # how many gaps were measured
    lost: int  # keepalives lost in all
    runs: int  # runs of consecutive losses
    longest_run: int
    p: float  # P(lost | previous arrived)
    q: float  # P(lost | previous lost)
    jitter_ms: int  # the JITTER_QUANTILE of late arrivals (>= 0)
    bounded: bool  # no loss seen: p and q are the rule-of-three bound
    longest_gap_ms: int
    # p is the chance per arrival of a run of at least ``anchor`` losses (1: any loss);
    # a tail fit (``fit_tail``) knows only runs of ``anchor`` losses or more
    anchor: int = 1

    @property
    def loss_rate(self) -> float:
        """Fraction of keepalives lost."""
        return self.lost / (self.lost + self.gaps) if self.gaps else 0.0


@dataclass(frozen=True, slots=True)
class Timers:
    """One recommended ha.cf timing and what it gives."""

    keepalive_ms: int
    warntime_ms: int
    deadtime_ms: int
    initdead_ms: int
    false_failovers_per_day: float

    @property
    def failover_ms(self) -> int:
        """How long after its last keepalive a dead peer is acted on."""
        return self.deadtime_ms


def fit(gaps_ms: Sequence[int], keepalive_ms: int) -> LossFit:
    """Fit ``p``, ``q`` and the jitter to measured gaps (see the module docstring)."""
    if keepalive_ms <= 0:
        raise ValueError("keepalive must be positive")
    # a status sent on a state change (init, up, active) comes between two keepalives
    gaps_ms = [g for g in gaps_ms if g * 2 >= keepalive_ms]
    if not gaps_ms:
        raise ValueError("no keepalive gaps to fit")
    lost = runs = longest = 0
    late: list[int] = []
    for gap in gaps_ms:
        sent = max(1, round(gap / keepalive_ms))
        late.append(max(0, gap - sent * keepalive_ms))
        if sent > 1:
            runs += 1
            lost += sent - 1
            longest = max(longest, sent - 1)
    n = len(gaps_ms)
    bounded = lost == 0
    if bounded:
        p = q = min(1.0, 3 / n)
    else:
        p = runs / n
        q = (lost - runs) / lost  # loss -> loss transitions among all losses
    late.sort()
    jitter = late[min(len(late) - 1, math.ceil(JITTER_QUANTILE * len(late)) - 1)]
    return LossFit(keepalive_ms, n, lost, runs, longest, p, q, jitter, bounded, max(gaps_ms))


MIN_LATE = 3  # late keepalives a tail fit needs


class TooFewLate(ValueError):
    """A log holds too few late keepalives to fit the tail; the message says how many."""


def tail_anchor(keepalive_ms: int, warntime_ms: int) -> int:
    """The fewest losses in a row whose gap, ``(losses + 1) * keepalive``, exceeds warntime."""
    return max(1, warntime_ms // keepalive_ms)


def fit_tail(late_ms: Sequence[int], keepalive_ms: int, warntime_ms: int, span_ms: int) -> LossFit:
    """Fit the runs a log's late gaps show (see the module docstring): ``p`` is
    ``P(run >= anchor)`` per arrival, ``q`` from the runs' lengths beyond the anchor (the
    rule-of-three bound when none went beyond it). TooFewLate under ``MIN_LATE`` runs."""
    if keepalive_ms <= 0 or warntime_ms <= 0:
        raise ValueError("keepalive and warntime must be positive")
    anchor = tail_anchor(keepalive_ms, warntime_ms)
    runs = [max(1, round(g / keepalive_ms)) - 1 for g in late_ms]
    counted = [(g, n) for g, n in zip(late_ms, runs, strict=True) if n >= anchor]
    if len(counted) < MIN_LATE:
        raise TooFewLate(
            f"{len(counted)} late keepalive(s) of {anchor}+ losses in a row: too few to fit "
            f"the tail (need {MIN_LATE})"
        )
    lost = sum(n for _, n in counted)
    # keepalives sent in the span, less the losses known: the rate a day is then exactly
    # the runs the span holds, scaled to a day (false_failovers_per_day)
    arrivals = max(len(counted), span_ms // keepalive_ms - lost)
    beyond = sum(n - anchor for _, n in counted)
    bounded = beyond == 0
    q = min(1.0, 3 / len(counted)) if bounded else beyond / (beyond + len(counted))
    late = sorted(max(0, g - (n + 1) * keepalive_ms) for g, n in counted)
    jitter = late[min(len(late) - 1, math.ceil(JITTER_QUANTILE * len(late)) - 1)]
    return LossFit(
        keepalive_ms,
        arrivals,
        lost,
        len(counted),
        max(n for _, n in counted),
        len(counted) / arrivals,
        q,
        jitter,
        bounded,
        max(g for g, _ in counted),
        anchor,
    )


def losses_needed(deadtime_ms: int, keepalive_ms: int, jitter_ms: int) -> int:
    """How many keepalives in a row must be lost for a gap to exceed ``deadtime``."""
    return max(0, (deadtime_ms - jitter_ms) // keepalive_ms)


def false_failovers_per_day(loss: LossFit, deadtime_ms: int, keepalive_ms: int) -> float:
    """The expected false failovers a day with these timers on this link."""
    needed = losses_needed(deadtime_ms, keepalive_ms, loss.jitter_ms)
    if needed == 0:
        return math.inf  # jitter alone exceeds deadtime
    arrivals_per_day = DAY_MS / keepalive_ms * (1 - loss.loss_rate)
    return arrivals_per_day * loss.p * loss.q ** max(0, needed - loss.anchor)


def recommend(loss: LossFit, keepalive_ms: int, target_per_day: float) -> Timers:
    """The shortest deadtime (a whole keepalive multiple plus the jitter, rounded up to
    100 ms) whose rate is at most ``target_per_day``, with warntime and initdead to match."""
    if target_per_day <= 0:
        raise ValueError("the target rate must be positive")
    needed = loss.anchor  # a tail fit says nothing of shorter runs
    while needed < 10_000:
        deadtime = _round_up(needed * keepalive_ms + loss.jitter_ms + 1, 100)
        rate = false_failovers_per_day(loss, deadtime, keepalive_ms)
        if rate <= target_per_day:
            break
        needed += 1
    warntime = max(keepalive_ms * 2, _round_up(deadtime // 2, 100))
    initdead = max(2 * deadtime, 10_000)  # Heartbeat: at least twice deadtime
    return Timers(keepalive_ms, min(warntime, deadtime), deadtime, initdead, rate)


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step
