"""ReplaySource: the virtual clock, gates, held keepalives, shifted timestamps."""

from __future__ import annotations

import asyncio

from hbtui.engine import events as ev
from hbtui.sources.demo_trace import DEADTIME_MS, LAST_HEARD_MS, trace
from hbtui.sources.replay import ReplaySource, initial_snapshot
from hbtui.stream.items import LogLine, ReplayGate


def source() -> ReplaySource:
    items = trace()
    return ReplaySource(items, initial_snapshot(items))


async def drain(src: ReplaySource) -> list[object]:
    out: list[object] = []
    events = src.events()
    while True:
        try:
            out.append(await asyncio.wait_for(anext(events), 0.05))
        except TimeoutError:
            return out


async def test_items_come_out_as_the_clock_reaches_them() -> None:
    src = source()
    await src.advance_to(1500)
    got = await drain(src)
    assert [type(i).__name__ for i in got][-2:] == ["KeepaliveReceived", "KeepaliveReceived"]
    assert all(i.at_ms <= 1500 for i in got)  # type: ignore[attr-defined]


async def test_a_closed_gate_holds_the_failure_and_keeps_the_peer_alive() -> None:
    src = source()
    await src.advance_to(LAST_HEARD_MS + 10_000)
    got = await drain(src)
    assert not any(isinstance(i, ev.PeerDead) for i in got)
    held = [i for i in got if isinstance(i, ev.KeepaliveReceived) and i.at_ms > LAST_HEARD_MS]
    assert len(held) == 10 and held[-1].at_ms == LAST_HEARD_MS + 10_000


async def test_opening_the_gate_plays_the_crash_relative_to_the_last_keepalive() -> None:
    src = source()
    await src.advance_to(LAST_HEARD_MS + 2500)
    await drain(src)
    outcome = await src.kill()
    assert outcome.ok and "recorded sequence" in outcome.text
    assert src.is_running()  # the gate played the peer's crash; this node runs on
    await src.advance(DEADTIME_MS)
    got = await drain(src)
    dead = next(i for i in got if isinstance(i, ev.PeerDead))
    assert dead.last_heard_ms == LAST_HEARD_MS + 2000  # the last keepalive shown
    assert dead.at_ms == LAST_HEARD_MS + 2000 + DEADTIME_MS
    done = next(i for i in got if isinstance(i, ev.TakeoverDone))
    assert done.phases.last_heard_ms == LAST_HEARD_MS + 2000
    line = next(i for i in got if isinstance(i, LogLine) and "is dead" in i.text)
    assert line.text.startswith("Nov 26 03:30:27 ")  # re-stamped with the shifted time


async def test_an_early_key_skips_ahead_to_the_gate() -> None:
    src = source()
    await src.advance_to(5000)
    await drain(src)
    await src.kill()
    await src.advance(DEADTIME_MS + 100)
    got = await drain(src)
    assert any(isinstance(i, ev.PeerDead) for i in got)


async def test_the_wrong_action_does_not_open_a_gate() -> None:
    src = source()
    await src.standby()
    assert src.actions_taken == ["standby"]
    gates = [i for i in trace() if isinstance(i, ReplayGate)]
    assert [g.action for g in gates] == ["kill", "start"]
    await src.advance_to(LAST_HEARD_MS + DEADTIME_MS + 500)
    assert not any(isinstance(i, ev.PeerDead) for i in await drain(src))


async def test_play_follows_the_loop_clock_and_close_ends_it() -> None:
    src = source()
    player = asyncio.create_task(src.play(speed=50.0))
    await asyncio.sleep(0.05)
    assert src.now_ms() > 0
    await src.close()
    await asyncio.wait_for(player, 1)
