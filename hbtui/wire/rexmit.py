"""Retransmission bookkeeping (docs/protocol.md §5.5), pure: the caller passes the time and delays.

Sender side, ``SendHistory``: the last HISTORY_SIZE datagrams by seq, kept verbatim, so
a resend is byte-identical (same seq, same ``ts``, same signature). A request for a seq
that has left the history is answered with a nak; each seq is resent (or nak'd) at most
once per RESEND_INTERVAL_MS; a request range is clamped to the history size, so a
hostile ``firstseq=1 lastseq=ffffffff`` costs nothing.

Receiver side, ``RexmitScheduler``: seqs found missing (``Verdict.missing``) are asked
for after a delay the caller draws (the real daemon uses a random 0..250 ms), then
again every ``retry_ms`` for ``FAST_TRIES`` tries, then at doubling intervals up to
``max_retry_ms``, until the seq arrives or is nak'd (the origin no longer keeps it), or the
node dies or restarts (``forget``). hbtui: asking only a few times lost for good a message
whose every resend fell into a long loss (a standby's ``done``: the taker never acquired,
nobody held the group once the loss ended). ``max_tries`` bounds the tries when given.
Due requests are coalesced into ``firstseq..lastseq`` ranges per node.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from hbtui.wire.message import Message

HISTORY_SIZE = 500
RESEND_INTERVAL_MS = 1000
FAST_TRIES = 3  # tries at ``retry_ms`` before the interval doubles
MAX_RETRY_MS = 4000


@dataclass(frozen=True, slots=True)
class Resend:
    """Send this stored datagram again, unchanged."""

    seq: int
    datagram: bytes


@dataclass(frozen=True, slots=True)
class Nak:
    """Answer ``NS_nak_rexmit firstseq=seq``: that message is gone."""

    seq: int


@dataclass(frozen=True, slots=True)
class RexmitRequest:
    """Send ``NS_rexmit dest=node firstseq=first lastseq=last``."""

    node: str
    first: int
    last: int


def request_message(req: RexmitRequest) -> Message:
    """The type-specific fields of an ``NS_rexmit`` (the engine adds src, hg, ...)."""
    return Message.of(
        ("t", "NS_rexmit"), ("dest", req.node), ("firstseq", f"{req.first:x}"),
        ("lastseq", f"{req.last:x}"),
    )  # fmt: skip


def nak_message(dest: str, nak: Nak) -> Message:
    """The type-specific fields of an ``NS_nak_rexmit``."""
    return Message.of(("t", "NS_nak_rexmit"), ("dest", dest), ("firstseq", f"{nak.seq:x}"))


class SendHistory:
    """What we sent, by seq, for answering NS_rexmit."""

    def __init__(self, size: int = HISTORY_SIZE, interval_ms: int = RESEND_INTERVAL_MS) -> None:
        self.size = size
        self.interval_ms = interval_ms
        self._sent: OrderedDict[int, bytes] = OrderedDict()
        self._answered: dict[int, int] = {}  # seq -> time of the last resend or nak
        self._highest = 0

    def __len__(self) -> int:
        return len(self._sent)

    def record(self, seq: int, datagram: bytes) -> None:
        """Remember a datagram we just sent with ``seq``."""
        self._sent[seq] = datagram
        self._highest = max(self._highest, seq)
        while len(self._sent) > self.size:
            old, _ = self._sent.popitem(last=False)
            self._answered.pop(old, None)

    def get(self, seq: int) -> bytes | None:
        """The stored datagram for ``seq``."""
        return self._sent.get(seq)

    def on_rexmit_request(self, first: int, last: int, now_ms: int) -> list[Resend | Nak]:
        """Answer ``NS_rexmit firstseq..lastseq``: resends, naks, or nothing (rate limit)."""
        if first <= 0 or last < first:
            return []
        last = min(last, first + self.size - 1, self._highest)  # never-sent seqs: ignore
        out: list[Resend | Nak] = []
        for seq in range(first, last + 1):
            then = self._answered.get(seq)
            if then is not None and now_ms - then < self.interval_ms:
                continue
            datagram = self._sent.get(seq)
            out.append(Resend(seq, datagram) if datagram is not None else Nak(seq))
            self._answered[seq] = now_ms
        if len(self._answered) > 4 * self.size:  # naks for long-gone seqs: keep it bounded
            cutoff = now_ms - self.interval_ms
            self._answered = {s: t for s, t in self._answered.items() if t > cutoff}
        return out


@dataclass(slots=True)
class _Pending:
    due_ms: int
    tries: int = 0


class RexmitScheduler:
    """When to ask which node for which missing seqs."""

    def __init__(
        self,
        retry_ms: int = RESEND_INTERVAL_MS,
        max_tries: int | None = None,
        max_retry_ms: int = MAX_RETRY_MS,
    ) -> None:
        self.retry_ms = retry_ms
        self.max_tries = max_tries
        self.max_retry_ms = max_retry_ms
        self._pending: dict[str, dict[int, _Pending]] = {}

    def on_missing(self, node: str, seqs: tuple[int, ...], now_ms: int, delay_ms: int) -> None:
        """Seqs of ``node`` just found missing: ask for them at ``now_ms + delay_ms``."""
        pending = self._pending.setdefault(node, {})
        for seq in seqs:
            pending.setdefault(seq, _Pending(now_ms + delay_ms))

    def on_arrived(self, node: str, seq: int) -> None:
        """The seq arrived (or was nak'd): stop asking for it."""
        pending = self._pending.get(node)
        if pending is not None:
            pending.pop(seq, None)
            if not pending:
                del self._pending[node]

    def forget(self, node: str) -> None:
        """Stop asking ``node`` for anything (restart, death)."""
        self._pending.pop(node, None)

    def pending(self, node: str) -> tuple[int, ...]:
        """Seqs still being asked for, ascending."""
        return tuple(sorted(self._pending.get(node, {})))

    def interval(self, tries: int) -> int:
        """The wait after the ``tries``-th request: ``retry_ms``, then doubling to the cap."""
        doubled = self.retry_ms * 2 ** max(0, tries - FAST_TRIES + 1)
        return min(self.retry_ms if tries < FAST_TRIES else doubled, self.max_retry_ms)

    def next_deadline(self) -> int | None:
        """The earliest time ``due`` has something to return."""
        times = [p.due_ms for pending in self._pending.values() for p in pending.values()]
        return min(times, default=None)

    def due(self, now_ms: int) -> list[RexmitRequest]:
        """Requests to send now, coalesced into ranges; reschedules or gives up each seq."""
        out: list[RexmitRequest] = []
        for node in sorted(self._pending):
            pending = self._pending[node]
            ready = sorted(s for s, p in pending.items() if p.due_ms <= now_ms)
            for seq in ready:
                entry = pending[seq]
                entry.tries += 1
                if self.max_tries is not None and entry.tries >= self.max_tries:
                    del pending[seq]
                else:
                    entry.due_ms = now_ms + self.interval(entry.tries)
            out.extend(RexmitRequest(node, a, b) for a, b in _ranges(ready))
            if not pending:
                del self._pending[node]
        return out


def _ranges(seqs: list[int]) -> list[tuple[int, int]]:
    """Sorted seqs -> maximal runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and runs[-1][1] == seq - 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs
