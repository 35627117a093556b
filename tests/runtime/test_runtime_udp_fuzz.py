"""A live fuzz of udp/694 at a running node (issue 13.6): 20 000 datagrams made from the
peer's real packets, mutated (bytes flipped, cut, doubled), replayed as they were, from an
old generation, and plain junk, sent from a stranger's address into server1's transport
while server1 and server2 run with fast timers. server1 must not crash, must never declare
server2 dead or move the VIP, must keep sending its keepalives, and must count every
injected datagram as rejected against that address (but exact replays of acks, which carry
no sequence number). ``bench/`` runs 200 000.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from rtkit import VIP, Lan, make_member, wait_for

from hbtui.wire.packet import split

INJECTED = int(os.environ.get("HBTUI_UDP_FUZZ", "20000"))  # bench: 200000
STRANGER = "192.168.10.99"
BATCH = 200  # datagrams per loop turn: the node's timers run between batches


def mutants(real: list[bytes], rng: random.Random, count: int) -> list[bytes]:
    """``count`` hostile datagrams made from ``real`` ones."""
    made = []
    for _ in range(count):
        base = bytearray(rng.choice(real))
        kind = rng.randrange(6)
        if kind == 0:  # a few bytes flipped
            for _ in range(rng.randint(1, 4)):
                base[rng.randrange(len(base))] ^= 1 << rng.randrange(8)
        elif kind == 1:  # cut short
            del base[rng.randrange(1, len(base)) :]
        elif kind == 2:  # a part doubled
            i = rng.randrange(len(base))
            base[i:i] = base[i : i + rng.randint(1, 64)]
        elif kind == 3:  # an old generation (hg is the hex after "hg=")
            at = base.find(b"hg=")
            if at >= 0:
                base[at + 3] = ord("0")
        elif kind == 4:  # junk
            base = bytearray(rng.randbytes(rng.randint(0, 1500)))
        made.append(bytes(base))  # kind 5: replayed as it was
    return made


async def test_twenty_thousand_hostile_datagrams_change_nothing(tmp_path: Path) -> None:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    await one.runtime.start()
    await two.runtime.start()
    try:
        await wait_for(lambda: VIP in one.vips.addresses, 5)
        peer = next(t for t in lan.transports if t.ip != lan.transports[0].ip)
        await wait_for(lambda: len(peer.sent) >= 20, 5)  # real packets of server2 to mutate
        ours = lan.transports[0]
        real = list(peer.sent)
        # the fake LAN delivers one loop turn after the send: let server1 take every real
        # packet first, or an exact replay of the last one would arrive as new and be accepted
        await asyncio.sleep(0)
        rng = random.Random(694)
        hostile = mutants(real, rng, INJECTED)
        rss_before = psutil.Process().memory_info().rss
        began = time.monotonic()
        for start in range(0, INJECTED, BATCH):
            for datagram in hostile[start : start + BATCH]:
                ours.receive(datagram, STRANGER)
            await asyncio.sleep(0)
        took = time.monotonic() - began
        after_storm = len(ours.sent)
        await wait_for(lambda: len(ours.sent) >= after_storm + 3, 5)  # keepalives go on
        grown = (psutil.Process().memory_info().rss - rss_before) / 2**20
        print(f"[udp fuzz] {INJECTED} datagrams in {took:.2f} s, RSS +{grown:.1f} MiB")
        assert grown < 64  # per-sender state is bounded
        assert one.runtime.state == "running"
        snap = one.runtime.snapshot()
        assert snap["nodes"]["server2"]["status"] == "active"
        assert VIP in one.vips.addresses and VIP not in two.vips.addresses
        counted = sum(r["count"] for r in snap["rejected"] if r["ip"] == STRANGER)
        # acks and retransmission requests carry no seq: an exact replay of one is taken
        # (as Heartbeat takes it; it only moves the ack/rexmit bookkeeping)
        control = {d for d in real if split(d)[0].type.startswith("NS_")}
        replayed_control = sum(d in control for d in hostile)
        assert counted == INJECTED - replayed_control, (counted, replayed_control)
        log = (one.logdir / "ha-log").read_text()
        assert "is dead" not in log and "dropped a packet" in log  # said once, not per packet
        assert log.count("dropped a packet") < 50
    finally:
        one.runtime.kill()
        two.runtime.kill()
