"""The cold-start decision (hbtui fast path versus the real daemon's initdead wait)."""

from __future__ import annotations

from typing import Any

from enginesim import UUIDS, FakePeer, make_config

from hbtui.engine import messages as m
from hbtui.engine.actions import AddVip
from hbtui.engine.node import Identity, Node


def run(peer: FakePeer, drafts: list[m.Draft], until: int = 12000) -> list[tuple[int, Any]]:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 5), 0)
    out = [(0, a) for a in node.start(0)]
    for i, draft in enumerate(drafts):
        out += [(10 + i, a) for a in node.feed(peer.make(draft, 10 + i), peer.addr, 10 + i)]
    for t in range(1000, until, 1000):
        beat = peer.make(m.status("active", 5000), t - 500)  # the peer stays alive
        out += [(t - 500, a) for a in node.feed(beat, peer.addr, t - 500)]
        out += [(t, a) for a in node.tick(t)]
    return out


def first_add(out: list[tuple[int, Any]]) -> int | None:
    return next((t for t, a in out if isinstance(a, AddVip)), None)


START = [m.status("up", 7000), m.status("active", 7000), m.starting()]


def test_hbtui_peer_holding_nothing_we_acquire_at_once() -> None:
    out = run(FakePeer(hbtui=True), [*START, m.resource("none", False)])
    assert first_add(out) == 13


def test_hbtui_peer_not_yet_announced_we_wait() -> None:
    out = run(FakePeer(hbtui=True), START, until=9000)
    assert first_add(out) is None


def test_real_peer_we_wait_initdead() -> None:
    out = run(FakePeer(hbtui=False), [*START, m.resource("none", False)])
    assert first_add(out) == 10000


def test_real_peer_stable_without_ours_we_acquire() -> None:
    out = run(FakePeer(hbtui=False), [*START, m.resource("local", True)])
    assert first_add(out) == 13


def test_peer_taking_ours_unstable_we_wait_then_settle_none() -> None:
    peer = FakePeer(hbtui=True)
    out = run(peer, [*START, m.resource("all", False)], until=9000)
    assert first_add(out) is None
    out = run(peer, [*START, m.resource("all", False), m.mach_down()], until=20000)
    assert first_add(out) is None  # it holds ours: wait for its failback offer
