"""Named reasons for dropping a datagram (re-exported by ``hbtui.wire.accept``)."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a datagram did not reach the membership logic."""

    GARBAGE = "garbage"
    TRUNCATED = "truncated"
    OVERSIZED = "oversized"
    CLASSIC_FORMAT = "classic_format"  # no longer given (issue 16); old snapshots decode
    MISSING_SIGNATURE = "missing_signature"
    UNKNOWN_KEY_INDEX = "unknown_key_index"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    UNKNOWN_SENDER = "unknown_sender"
    WRONG_CLUSTER = "unknown_sender"  # an alias: same key, but not one of our nodes
    FROM_SELF = "from_self"
    NAME_CONFLICT = "name_conflict"
    OLD_GENERATION = "old_generation"
    DUPLICATE_SEQ = "duplicate_seq"
    TOO_OLD_SEQ = "too_old_seq"
    NOT_FOR_US = "not_for_us"

    @property
    def label(self) -> str:
        """Short human text for the console."""
        return _LABELS[self]


_LABELS: dict[Reason, str] = {
    Reason.GARBAGE: "not a Heartbeat message",
    Reason.TRUNCATED: "truncated datagram",
    Reason.OVERSIZED: "datagram too large",
    Reason.CLASSIC_FORMAT: "classic text format (refused before hbtui checked its auth field)",
    Reason.MISSING_SIGNATURE: "unsigned (no trailer; classic form: no auth field)",
    Reason.UNKNOWN_KEY_INDEX: "signed with a key index we do not have",
    Reason.BAD_SIGNATURE: "signature does not match",
    Reason.MALFORMED: "missing or malformed src/seq/hg field",
    Reason.UNKNOWN_SENDER: "sender is not a node of this cluster",
    Reason.FROM_SELF: "our own packet (looped back)",
    Reason.NAME_CONFLICT: "another node uses our node name",
    Reason.OLD_GENERATION: "older generation than known (replay?)",
    Reason.DUPLICATE_SEQ: "sequence number already seen",
    Reason.TOO_OLD_SEQ: "sequence number too old",
    Reason.NOT_FOR_US: "addressed to another node",
}
