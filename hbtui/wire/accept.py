"""What a node checks before a datagram reaches the membership logic (docs/protocol.md §5.3).

Rules, in order, for one datagram from address ``sender``:

1. It must unseal: size, netstring form, trailer signed with a configured key index.
2. ``src`` names a node of this cluster (else UNKNOWN_SENDER); not us (FROM_SELF:
   the real daemon loops its own packets back; we do not need ours), unless its
   ``srcuuid`` is not ours: then another machine uses our name (NAME_CONFLICT).
3. ``hg`` parses as hex; an ``hg`` older than the one known for the node is a replay
   (OLD_GENERATION). A newer one means the node restarted: its tracking is reset and
   the verdict says ``restarted`` (we adopt it from any authenticated message, not
   only ``status``: a lost ``status init`` must not leave us deaf).
4. ``NS_*`` messages carry no ``seq``; they skip 5. ``NS_nak_rexmit`` to us gives up
   on the seq it names. (A ``seq`` field, if one is there anyway, must still parse.)
5. ``seq`` (hex, > 0) per sender and generation: next expected -> accept; a gap ->
   accept and report the missing seqs (more than FLOW_LIMIT missing -> start over);
   below the last seen -> accept only if it was recorded missing (late or resent),
   else DUPLICATE_SEQ, or TOO_OLD_SEQ when beyond the history window.
6. A message whose ``dest`` (or ``destuuid``) names another node is tracked by 5 and
   then dropped as NOT_FOR_US.

The Acceptor is pure: no clock, no I/O. It counts rejections by (reason, address).
A verdict names the node only once ``src`` and ``hg`` are valid, and then carries the
parsed ``generation`` and ``seq`` so that callers never parse them again (and, on a
restart, the ``previous_generation`` it replaced: the acceptor is the one owner of a
node's generation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from hbtui.config.model import AuthKeys
from hbtui.wire.message import Message
from hbtui.wire.packet import PacketRejected, unseal
from hbtui.wire.reasons import Reason

__all__ = ["FLOW_LIMIT", "HISTORY", "Acceptor", "Reason", "Verdict"]

FLOW_LIMIT = 250  # more missing seqs than this: reset tracking instead of asking for them
HISTORY = 500  # a sender keeps this many messages; older seqs cannot come back


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one datagram; ``message`` is set whenever it decoded."""

    ok: bool
    message: Message | None
    reason: Reason | None
    detail: str
    sender: tuple[str, int]
    node: str | None = None
    restarted: bool = False  # a newer generation replaced a known one
    missing: tuple[int, ...] = ()  # seqs found lost just now: ask for them (NS_rexmit)
    gap_filled: bool = False  # this packet emptied the node's missing list
    duplicate: bool = False
    generation: int | None = None  # parsed hg, whenever ``node`` is set
    seq: int | None = None  # parsed seq (None on NS_* messages)
    previous_generation: int | None = None  # the one ``restarted`` replaced


@dataclass(slots=True)
class _Track:
    """Per-node receive state for the current generation."""

    generation: int
    last_seq: int = 0
    missing: set[int] = field(default_factory=set)


def _hex(value: str | None) -> int | None:
    """A non-negative hex field, or None when absent or malformed."""
    if value is None or not 0 < len(value) <= 16:
        return None
    try:
        return int(value, 16) if value.isalnum() and value.isascii() else None
    except ValueError:
        return None


class Acceptor:
    """Applies the acceptance rules for one node; see the module docstring."""

    def __init__(
        self,
        our_name: str,
        cluster_nodes: Iterable[str],
        keys: AuthKeys,
        our_uuid: bytes | None = None,
    ) -> None:
        self.our_name = our_name
        self.nodes = frozenset(cluster_nodes)
        self.keys = keys
        self.our_uuid = our_uuid
        self._tracks: dict[str, _Track] = {}
        self._counts: Counter[tuple[Reason, str]] = Counter()
        self._details: dict[tuple[Reason, str], str] = {}

    @property
    def counters(self) -> Mapping[tuple[Reason, str], int]:
        """Rejections so far by (reason, sender IP)."""
        return self._counts

    def generation(self, node: str) -> int | None:
        """The generation currently known for ``node``."""
        track = self._tracks.get(node)
        return track.generation if track else None

    def missing(self, node: str) -> tuple[int, ...]:
        """Seqs of ``node`` still missing, ascending."""
        track = self._tracks.get(node)
        return tuple(sorted(track.missing)) if track else ()

    def add_node(self, node: str) -> None:
        """``node`` is a member from now on (``autojoin``): rule 2 lets it through."""
        self.nodes = self.nodes | {node}

    def forget(self, node: str) -> None:
        """Drop what we know about ``node`` (declared dead, deleted, renamed)."""
        self._tracks.pop(node, None)

    def describe(self, include_benign: bool = False) -> list[str]:
        """Console lines, most frequent first: "12 packets from IP rejected: why"."""
        lines = []
        for (reason, ip), count in self._counts.most_common():
            if not include_benign and reason in (Reason.FROM_SELF, Reason.NOT_FOR_US):
                continue
            why = self._details.get((reason, ip), reason.label)
            noun = "packet" if count == 1 else "packets"
            lines.append(f"{count} {noun} from {ip} rejected: {why}")
        return lines

    def accept(self, data: bytes, sender: tuple[str, int]) -> Verdict:
        """Check one datagram received from ``sender`` (ip, port)."""
        try:
            msg = unseal(data, self.keys)
        except PacketRejected as exc:
            return self._reject(sender, exc.reason, exc.detail)
        src = msg.get("src")
        if not src:
            return self._reject(sender, Reason.MALFORMED, "no src field", msg)
        if src == self.our_name:
            uuid = msg.get_bytes("srcuuid")
            if self.our_uuid is not None and uuid is not None and uuid != self.our_uuid:
                detail = f"a node with uuid {uuid.hex()} also calls itself {src!r}"
                return self._reject(sender, Reason.NAME_CONFLICT, detail, msg)
            return self._reject(sender, Reason.FROM_SELF, "our own packet", msg, src)
        if src not in self.nodes:
            return self._reject(
                sender, Reason.UNKNOWN_SENDER, f"sender {src!r} is not a node of this cluster", msg
            )
        gen = _hex(msg.get("hg"))
        if gen is None:
            return self._reject(sender, Reason.MALFORMED, "missing or malformed hg", msg)
        seq = _hex(msg.get("seq"))
        mtype = msg.type or ""
        if mtype.startswith("NS_"):
            if seq is None and "seq" in msg:
                return self._reject(sender, Reason.MALFORMED, "malformed seq", msg)
        elif not seq:
            return self._reject(sender, Reason.MALFORMED, "missing or malformed seq", msg)
        track = self._tracks.get(src)
        previous = None if track is None else track.generation
        restarted = False
        if track is None or gen > track.generation:
            restarted = track is not None
            track = self._tracks[src] = _Track(gen)
        elif gen < track.generation:
            detail = f"generation {gen} is older than {track.generation} (replay?)"
            return self._reject(sender, Reason.OLD_GENERATION, detail, msg, src, gen, seq)
        if mtype.startswith("NS_"):
            verdict = self._control(msg, sender, src, track, restarted)
        else:
            assert seq is not None
            verdict = self._sequenced(msg, sender, src, track, seq, restarted)
        return replace(verdict, previous_generation=previous) if restarted else verdict

    def _control(
        self, msg: Message, sender: tuple[str, int], src: str, track: _Track, restarted: bool
    ) -> Verdict:
        """NS_* messages: no seq; a nak to us gives up on a missing seq."""
        gen, seq = track.generation, _hex(msg.get("seq"))
        if not self._for_us(msg):
            # may be the first packet of a new generation (a real daemon acks itself with
            # NS_ackmsg dest=<itself>): the verdict must still say ``restarted``
            self._counts[(Reason.NOT_FOR_US, sender[0])] += 1
            return Verdict(
                False, msg, Reason.NOT_FOR_US, f"for {msg.get('dest')}", sender, src,
                restarted, generation=gen, seq=seq,
            )  # fmt: skip
        gap_filled = False
        if msg.type == "NS_nak_rexmit":
            lost = _hex(msg.get("firstseq"))
            if lost is not None and lost in track.missing:
                track.missing.discard(lost)
                gap_filled = not track.missing
        return Verdict(
            True, msg, None, "", sender, src, restarted, gap_filled=gap_filled,
            generation=gen, seq=seq,
        )  # fmt: skip

    def _sequenced(
        self,
        msg: Message,
        sender: tuple[str, int],
        src: str,
        track: _Track,
        seq: int,
        restarted: bool,
    ) -> Verdict:
        """Rule 5, then rule 6."""
        missing: tuple[int, ...] = ()
        gap_filled = False
        detail = ""
        if track.last_seq == 0 or seq == track.last_seq + 1:
            track.last_seq = seq
        elif seq > track.last_seq + 1:
            gap = seq - track.last_seq - 1
            if gap + len(track.missing) > FLOW_LIMIT:
                track.missing.clear()
                detail = f"{gap} packets lost, tracking restarted at seq {seq}"
            else:
                missing = tuple(range(track.last_seq + 1, seq))
                track.missing.update(missing)
            track.last_seq = seq
        elif seq in track.missing:
            track.missing.discard(seq)
            gap_filled = not track.missing
        elif seq <= track.last_seq - HISTORY:
            detail = f"seq {seq} is far behind the last seen {track.last_seq}"
            return self._reject(sender, Reason.TOO_OLD_SEQ, detail, msg, src, track.generation, seq)
        else:
            detail = f"seq {seq} already seen (last {track.last_seq})"
            return self._reject(
                sender, Reason.DUPLICATE_SEQ, detail, msg, src, track.generation, seq, True
            )
        if not self._for_us(msg):
            self._counts[(Reason.NOT_FOR_US, sender[0])] += 1
            return Verdict(
                False, msg, Reason.NOT_FOR_US, f"for {msg.get('dest')}", sender, src,
                restarted, missing, gap_filled, generation=track.generation, seq=seq,
            )  # fmt: skip
        return Verdict(
            True, msg, None, detail, sender, src, restarted, missing, gap_filled,
            generation=track.generation, seq=seq,
        )  # fmt: skip

    def _for_us(self, msg: Message) -> bool:
        """No dest = broadcast; else destuuid (when we know ours) or dest must be us."""
        destuuid = msg.get_bytes("destuuid")
        if destuuid is not None and self.our_uuid is not None:
            return destuuid == self.our_uuid
        dest = msg.get("dest")
        return dest is None or dest == self.our_name

    def _reject(
        self,
        sender: tuple[str, int],
        reason: Reason,
        detail: str,
        msg: Message | None = None,
        node: str | None = None,
        generation: int | None = None,
        seq: int | None = None,
        duplicate: bool = False,
    ) -> Verdict:
        key = (reason, sender[0])
        self._counts[key] += 1
        if reason in _STABLE_DETAIL:
            self._details[key] = detail
        return Verdict(
            False, msg, reason, detail, sender, node, duplicate=duplicate,
            generation=generation, seq=seq,
        )  # fmt: skip


# Rejections whose detail is the same for every packet: describe() shows it verbatim.
_STABLE_DETAIL = frozenset(
    {Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY_INDEX, Reason.UNKNOWN_SENDER, Reason.NAME_CONFLICT}
)
