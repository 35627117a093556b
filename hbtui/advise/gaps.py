"""Keepalive gaps per sender, from a capture or from a list of numbers.

From a pcap/pcapng of udp/694: every ``status`` message, once per (sender, generation, seq)
(retransmissions and copies on several media count once), in capture time; a gap is the time
between two consecutive ones of one generation (a restart starts a new series).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from hbtui.wire.errors import WireError
from hbtui.wire.packet import split
from hbtui.wire.pcap import Datagram, read_datagrams


class GapsError(ValueError):
    """Input that gives no gaps; the message names the file and line."""


def gaps_from_datagrams(datagrams: Iterable[Datagram]) -> dict[str, list[int]]:
    """Sender name -> its keepalive gaps in ms (see the module docstring)."""
    seen: set[tuple[str, str, str]] = set()
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for dg in datagrams:
        try:
            msg, _, _ = split(dg.payload)
        except WireError:
            continue  # not a Heartbeat datagram (or a damaged one): no keepalive
        src, hg, seq = msg.get("src"), msg.get("hg"), msg.get("seq")
        if msg.type != "status" or not src or hg is None or seq is None:
            continue
        if (src, hg, seq) in seen:
            continue
        seen.add((src, hg, seq))
        times[(src, hg)].append(dg.time)
    out: dict[str, list[int]] = defaultdict(list)
    for (src, _), stamps in times.items():
        stamps.sort()
        out[src] += [round((b - a) * 1000) for a, b in itertools.pairwise(stamps)]
    return {src: gaps for src, gaps in out.items() if gaps}


def gaps_from_pcaps(paths: Iterable[Path]) -> dict[str, list[int]]:
    """``gaps_from_datagrams`` over the captures (their datagrams merged)."""
    datagrams: list[Datagram] = []
    for path in paths:
        try:
            datagrams += read_datagrams(path.read_bytes())
        except OSError as exc:
            raise GapsError(f"{path}: {exc.strerror}") from exc
        except WireError as exc:
            raise GapsError(f"{path}: {exc}") from exc
    return gaps_from_datagrams(datagrams)


def gaps_from_text(path: Path) -> list[int]:
    """One gap in ms per line (blank lines and ``#`` comments skipped)."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GapsError(f"{path}: cannot read: {exc}") from exc
    gaps = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not text.isdigit() or int(text) == 0:
            raise GapsError(f"{path}:{number}: expected a gap in whole ms > 0, got {text!r}")
        gaps.append(int(text))
    return gaps
