"""What the metrics count: the node's events folded into counters and histograms.

``MetricsTally.observe`` takes every item of the node's event stream (engine events and
the runtime's script events); what is a state rather than a count (who is alive, who
holds the VIP, the deadtime countdown) is read from the snapshot when the metrics are
rendered (``hbtui.metrics.exposition``). Counts start at zero when the node starts, as
Prometheus counters may. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hbtui.engine import events as ev
from hbtui.stream.gaps import GAP_BUCKETS

# upper bounds, in seconds, of how long a takeover and a script take
TAKEOVER_BOUNDS_S = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
SCRIPT_BOUNDS_S = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0)


@dataclass
class Histogram:
    """Observations against fixed upper bounds (the last bucket is +Inf)."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        """Count ``value`` in the first bucket whose bound it does not pass."""
        index = next((i for i, b in enumerate(self.bounds) if value <= b), len(self.bounds))
        self.counts[index] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count so far)`` pairs as the exposition writes them, +Inf last."""
        out, running = [], 0
        for bound, count in zip((*map(repr, self.bounds), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, running))
        return out


@dataclass
class MetricsTally:
    """Counters since the node started (see the module docstring)."""

    keepalive_ms: int
    gaps: dict[str, Histogram] = field(default_factory=dict)  # peer -> keepalive gaps (s)
    keepalives: Counter[tuple[str, str]] = field(default_factory=Counter)  # (peer, link)
    late: Counter[str] = field(default_factory=Counter)  # peer -> late heartbeats
    deaths: Counter[str] = field(default_factory=Counter)  # peer -> declared dead
    takeovers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (from, reason)
    takeover_s: dict[str, Histogram] = field(default_factory=dict)  # reason -> durations
    failbacks: Counter[str] = field(default_factory=Counter)  # phase -> count
    scripts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # res, op, result
    script_s: dict[str, Histogram] = field(default_factory=dict)  # op -> durations
    stop_failures: int = 0
    _running: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # id -> res, op, t

    def gap_bounds_s(self) -> tuple[float, ...]:
        """The gap histogram's bounds in seconds: ``GAP_BUCKETS`` keepalives each."""
        return tuple(round(b * self.keepalive_ms / 1000, 3) for b in GAP_BUCKETS)

    def observe(self, item: object) -> None:
        """Fold one stream item in; items that count nothing are ignored."""
        match item:
            case ev.KeepaliveReceived(node=node, link=link, gap_ms=gap):
                self.keepalives[node, link] += 1
                if gap is not None:
                    histogram = self.gaps.setdefault(node, Histogram(self.gap_bounds_s()))
                    histogram.observe(gap / 1000)
            case ev.PeerLate(node=node):
                self.late[node] += 1
            case ev.PeerDead(node=node):
                self.deaths[node] += 1
            case ev.TakeoverDone(from_node=source, reason=reason, phases=phases):
                self.takeovers[source, reason] += 1
                heard = phases.last_heard_ms
                began = phases.decided_ms if heard is None else heard  # the outage began
                took = max(0, phases.scripts_done_ms - began) / 1000
                self.takeover_s.setdefault(reason, Histogram(TAKEOVER_BOUNDS_S)).observe(took)
            case ev.Failback(phase=phase) if phase in ("released", "acquired"):
                self.failbacks[phase] += 1
            case ev.ScriptStarted(request_id=rid, resource=resource, argv=argv, at_ms=at):
                self._running[rid] = (resource, argv[-1] if argv else "?", at)
            case ev.ScriptExited(request_id=rid, rc=rc, timed_out=timed_out, at_ms=at):
                if (started := self._running.pop(rid, None)) is not None:
                    resource, op, began_ms = started
                    result = "timeout" if timed_out else "ok" if rc == 0 else "failed"
                    self.scripts[resource, op, result] += 1
                    histogram = self.script_s.setdefault(op, Histogram(SCRIPT_BOUNDS_S))
                    histogram.observe(max(0, at - began_ms) / 1000)
            case ev.StopFailed():
                self.stop_failures += 1
            case _:
                pass
