"""A capture of udp/694 beside the logs: each node's clock against the capture's clock, and
the moment each node's last status reached the wire (to the millisecond).

Every status message carries ``ts``, its sender's ``time(NULL)`` in hex. The capture's time
of a status minus its ``ts`` is the capture clock minus the sender's clock, plus the part of
a second ``ts`` drops and the wire delay: the median over the node's statuses, less half a
second, estimates how far the node's clock is behind the capture's (within half a second).
Log lines of a node whose clock is off by half a second or more are moved onto the
capture's clock, so the two nodes' lines compare.

With the cluster's authkeys (``--config-dir``) every Heartbeat datagram also gets the
verdict a receiver would give it (``hbtui.wire.packet.unseal``): a sender whose packets
fail authentication is named with the key, when it began and how many failed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from hbtui.config.model import AuthKeys
from hbtui.postmortem.files import NodeLog, PostmortemError
from hbtui.wire.errors import WireError
from hbtui.wire.packet import PacketRejected, split, unseal
from hbtui.wire.pcap import read_datagrams

ALIGN_FROM_S = 0.5  # a smaller offset is within what the estimate can tell


@dataclass
class KeyVerdicts:
    """One sender's datagrams checked against the authkeys: how many passed, how many
    failed, the first and last failure (capture time) and the first failure's reason."""

    passed: int = 0
    failed: int = 0
    first_failed: datetime | None = None
    last_failed: datetime | None = None
    why: str = ""

    def count(self, at: datetime, rejected: PacketRejected | None) -> None:
        if rejected is None:
            self.passed += 1
            return
        self.failed += 1
        self.first_failed = self.first_failed or at
        self.last_failed = at
        self.why = self.why or rejected.detail


@dataclass(frozen=True)
class Capture:
    """Per node: (capture time, local and naive like log stamps; sender's ``ts``) of each
    status it sent, once per (generation, seq), in capture order; with keys, each sender's
    ``KeyVerdicts`` (empty: not checked)."""

    statuses: dict[str, list[tuple[datetime, int]]]
    files: tuple[str, ...]
    verdicts: dict[str, KeyVerdicts] = field(default_factory=dict)

    def last_status_before(self, node: str, at: datetime) -> datetime | None:
        """When ``node``'s last status before ``at`` crossed the wire (None: none)."""
        earlier = [when for when, _ in self.statuses.get(node, ()) if when <= at]
        return earlier[-1] if earlier else None


def _verdict(payload: bytes, keys: AuthKeys) -> PacketRejected | None:
    try:
        unseal(payload, keys)
    except PacketRejected as exc:
        return exc
    return None


def read_capture(paths: Iterable[Path], keys: AuthKeys | None = None) -> Capture:
    """The statuses of pcap/pcapng files (and, with ``keys``, every datagram's verdict);
    PostmortemError naming a file that is unusable."""
    seen: set[tuple[str, str, str]] = set()
    statuses: dict[str, list[tuple[float, int]]] = defaultdict(list)
    verdicts: dict[str, KeyVerdicts] = defaultdict(KeyVerdicts)
    names = []
    for path in paths:
        names.append(str(path))
        try:
            datagrams = list(read_datagrams(path.read_bytes()))
        except OSError as exc:
            raise PostmortemError(f"{path}: {exc.strerror or exc}") from exc
        except WireError as exc:
            raise PostmortemError(f"{path}: {exc}") from exc
        for dg in datagrams:
            try:
                msg, _, _ = split(dg.payload)
            except WireError:
                continue  # not a Heartbeat datagram
            src, hg, seq, ts = msg.get("src"), msg.get("hg"), msg.get("seq"), msg.get("ts")
            if keys is not None and src:
                verdicts[src].count(datetime.fromtimestamp(dg.time), _verdict(dg.payload, keys))
            try:
                stamp = int(ts or "", 16)
            except ValueError:
                continue  # no usable ts
            if msg.type != "status" or not src or (src, str(hg), str(seq)) in seen:
                continue
            seen.add((src, str(hg), str(seq)))
            statuses[src].append((dg.time, stamp))
    if not statuses:
        shown = ", ".join(names) or "no file"
        raise PostmortemError(f"{shown}: no Heartbeat status packet in the capture")
    return Capture(
        {
            node: [(datetime.fromtimestamp(t), ts) for t, ts in sorted(items)]
            for node, items in statuses.items()
        },
        tuple(names),
        dict(verdicts),
    )


def clock_offsets(capture: Capture) -> dict[str, float]:
    """Seconds each node's clock is ahead of the capture's (see the module docstring)."""
    return {
        node: 0.5 - statistics.median(when.timestamp() - ts for when, ts in items)
        for node, items in capture.statuses.items()
    }


def align(logs: list[NodeLog], offsets: dict[str, float]) -> tuple[list[NodeLog], list[str]]:
    """The logs on the capture's clock, and a note saying what was moved."""
    moved = {node: off for node, off in offsets.items() if abs(off) >= ALIGN_FROM_S}
    parts = [f"{node} {off:+.1f} s" for node, off in sorted(offsets.items())]
    note = (
        f"clocks from the capture ({len(offsets)} nodes' status packets): "
        f"{', '.join(parts)} against the capture's (within 0.5 s)"
    )
    if moved:
        note += f"; {', '.join(sorted(moved))} moved onto the capture's clock"
    out = []
    for log in logs:
        off = moved.get(log.node)
        if off is None:
            out.append(log)
            continue
        shift = timedelta(seconds=off)
        lines = tuple(replace(line, at=line.at - shift) for line in log.lines)
        out.append(replace(log, lines=lines))
    return out, [note]
