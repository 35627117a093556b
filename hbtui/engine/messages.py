"""Builders for every message we send, and the stamp that makes them wire-ready.

A builder returns only the type-specific fields, in the order the real daemon sends
them (docs/protocol.md §3); ``Stamper`` then adds ``destuuid`` (addressed messages),
``src srcuuid seq hg ts ld ttl`` (no ``seq``/``ld`` on ``NS_*``), signs with ``auth``
(ha.cf ``msgfmt classic``, the default) plus the trailer, and records sequenced datagrams
for retransmission.
"""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.config.model import AuthKeys, Compression, MsgFormat
from hbtui.wire.message import Field, FieldType, Message
from hbtui.wire.packet import seal
from hbtui.wire.rexmit import SendHistory

HBTUI_FIELD = "hbtui"  # our extra status field: peers that send it are hbtui nodes
HBTUI_PROTOCOL = "1"  # its value: the version of hbtui's own additions
TTL = "3"  # two nodes + hopfudge 1 (the daemon: nodes and ping nodes + hopfudge)


@dataclass(frozen=True, slots=True)
class Draft:
    """A message before stamping: its type-specific fields and its addressee."""

    fields: tuple[tuple[str, str], ...]
    dest: str | None = None

    @property
    def type(self) -> str:
        """The ``t`` field."""
        return dict(self.fields)["t"]


def draft_of(msg: Message, dest: str | None) -> Draft:
    """A Draft from a message of string fields (e.g. built by ``hbtui.wire.rexmit``)."""
    fields = tuple((f.name, f.value.decode("latin-1")) for f in msg if isinstance(f.value, bytes))
    return Draft(fields, dest)


def status(st: str, dt_ms: int) -> Draft:
    """``status``: our state, our deadtime in hex ms, flow-control protocol 1, hbtui tag."""
    return Draft(
        (("t", "status"), ("st", st), ("dt", f"{dt_ms:x}"), ("protocol", "1"),
         (HBTUI_FIELD, HBTUI_PROTOCOL))
    )  # fmt: skip


def starting() -> Draft:
    """``starting``: sent once, right after we go active."""
    return Draft((("t", "starting"),))


def reqnodes(dest: str) -> Draft:
    """Ask ``dest`` for its node list."""
    return Draft((("t", "reqnodes"), ("dest", dest)), dest)


def repnodes(dest: str, nodes: tuple[str, ...]) -> Draft:
    """Answer a ``reqnodes``; the real daemon puts ``dest`` before ``t`` here."""
    nodelist = "".join(f"{n} " for n in nodes)
    return Draft(
        (("dest", dest), ("t", "repnodes"), ("nodelist", nodelist), ("delnodelist", " ")), dest
    )


def ns_ackmsg(dest: str, seq: int) -> Draft:
    """Acknowledge ``dest``'s message ``seq``."""
    return Draft((("t", "NS_ackmsg"), ("dest", dest), ("ackseq", f"{seq:x}")), dest)


def ns_rexmit(dest: str, first: int, last: int) -> Draft:
    """Ask ``dest`` to resend ``first..last``."""
    return Draft(
        (("t", "NS_rexmit"), ("dest", dest), ("firstseq", f"{first:x}"), ("lastseq", f"{last:x}")),
        dest,
    )


def resource(rsc_hold: str, stable: bool, info: str | None = None) -> Draft:
    """``resource rsc_hold rtype=full isstable [info]``."""
    fields = [("t", "resource"), ("rsc_hold", rsc_hold), ("rtype", "full")]
    fields.append(("isstable", "1" if stable else "0"))
    if info is not None:
        fields.append(("info", info))
    return Draft(tuple(fields))


def mach_down() -> Draft:
    """``resource rsc_hold=foreign info=mach_down``: a takeover of a dead node is done."""
    return Draft((("t", "resource"), ("rsc_hold", "foreign"), ("info", "mach_down")))


def ask_resources(rsc_hold: str, info: str) -> Draft:
    """Standby / failback handshake: ``info`` is me, other, done or not."""
    return Draft((("t", "ask_resources"), ("rsc_hold", rsc_hold), ("info", info)))


def hb_takeover(rsc_hold: str) -> Draft:
    """What the real ``hb_takeover`` broadcasts; the peer answers by going standby."""
    return Draft((("t", "hb_takeover"), ("rsc_hold", rsc_hold)))


def ip_request_resp(dest: str, ipaddr: str) -> Draft:
    """The self-addressed answer the real owner sends before its first acquisition."""
    return Draft(
        (("t", "ip-request-resp"), ("dest", dest), ("ipaddr", ipaddr), ("weown", "yes"),
         ("ok", "OK")),
        dest,
    )  # fmt: skip


def stonith(node: str, result: str = "n_stnth") -> Draft:
    """After declaring ``node`` dead: we have no STONITH device."""
    return Draft((("t", "stonith"), ("node", node), ("result", result)))


IPFAIL_IDS = (("from_id", "ipfail"), ("to_id", "ipfail"))  # a named client's messages


def num_ping_nodes(dest: str, count: int) -> Draft:
    """ipfail: how many ping nodes we see (the peer's ipfail compares, §12)."""
    return Draft(
        (("t", "num_ping_nodes"), ("num_ping", str(count)), ("dest", dest), *IPFAIL_IDS), dest
    )


def you_are_dead(dest: str) -> Draft:
    """ipfail: ``dest`` sees fewer ping nodes than we do: it should give up."""
    return Draft((("t", "you_are_dead"), ("dest", dest), *IPFAIL_IDS), dest)


def abort_giveup(dest: str) -> Draft:
    """ipfail: counts are balanced: ``dest`` cancels a delayed giveup."""
    return Draft((("t", "abort_giveup"), ("dest", dest), *IPFAIL_IDS), dest)


def ipfail_join() -> Draft:
    """What the real daemon broadcasts when its ipfail signs on (the peer's asks us)."""
    return Draft((("t", "hbapi-clstat"), ("st", "join"), *IPFAIL_IDS, ("client_gen", "1")))


def shutdone() -> Draft:
    """The last message of a graceful stop."""
    return Draft((("t", "shutdone"), ("st", "dead")))


class Stamper:
    """Adds the standard fields, numbers, signs and remembers what we send."""

    def __init__(
        self,
        our_name: str,
        uuid: bytes,
        generation: int,
        keys: AuthKeys,
        wall_offset_ms: int,
        msgfmt: MsgFormat = MsgFormat.CLASSIC,
        compression: Compression | None = None,
        ttl: str = TTL,
    ) -> None:
        self.our_name = our_name
        self.uuid = uuid
        self.generation = generation
        self.keys = keys
        self.msgfmt = msgfmt
        self.compression = compression
        self.ttl = ttl.encode()
        self.wall_offset_ms = wall_offset_ms
        self.loadavg = "0.00 0.00 0.00 1/100 1"
        self.seq = 0
        self.history = SendHistory()
        self.uuids: dict[str, bytes] = {our_name: uuid}  # for destuuid; the one owner

    def learn_uuid(self, node: str, uuid: bytes) -> None:
        """``node``'s hb_uuid, from its ``srcuuid``."""
        self.uuids[node] = uuid

    def uuid_of(self, node: str) -> bytes | None:
        """``node``'s hb_uuid as last heard (ours for us); None before it spoke."""
        return self.uuids.get(node)

    def stamp(self, draft: Draft, now_ms: int) -> tuple[Message, bytes]:
        """The final message and its signed datagram."""
        control = draft.type.startswith("NS_")
        fields = [Field(name, value.encode("latin-1")) for name, value in draft.fields]
        if draft.dest is not None and draft.dest in self.uuids:
            fields.append(Field("destuuid", self.uuids[draft.dest], FieldType.BINARY))
        fields.append(Field("src", self.our_name.encode()))
        fields.append(Field("srcuuid", self.uuid, FieldType.BINARY))
        seq = 0
        if not control:
            self.seq += 1
            seq = self.seq
            fields.append(Field("seq", f"{seq:x}".encode()))
        fields.append(Field("hg", f"{self.generation:x}".encode()))
        epoch = (now_ms + self.wall_offset_ms) // 1000
        fields.append(Field("ts", f"{epoch:x}".encode()))
        if not control:
            fields.append(Field("ld", self.loadavg.encode("latin-1")))
        fields.append(Field("ttl", self.ttl))
        msg = Message(tuple(fields))
        datagram = seal(msg, self.keys, self.msgfmt, self.compression)
        if seq:
            self.history.record(seq, datagram)
        return msg, datagram
