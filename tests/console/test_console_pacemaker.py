"""The Pacemaker view (``PacemakerApp``) driven by Pilot over captured crm_mon readings:
each state of a failover and failback, the alarms, each key with its confirmation, and
SVG snapshots at 80x24 and 120x36."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, RichLog, Static

from hbtui.console.pacemaker_app import PacemakerApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.crm.actions import CrmAction, CrmVerb
from hbtui.crm.changes import changes
from hbtui.crm.feed import ActionResult, CrmSample
from hbtui.crm.state import CrmState
from tests.crm.helpers import GROUP, state

VIPS = {"IPaddr-192.168.10.10-24": "192.168.10.10"}
T0 = 1_796_000_000.0  # a fixed wall time: the snapshots do not change with the clock
WAIT_S = 5.0


class QueuedFeed:
    """A feed the test fills: each ``show(name)`` is the next crm_mon reading."""

    def __init__(self, read_only: bool = False) -> None:
        self.where = "server2"
        self.read_only = read_only
        self.queue: asyncio.Queue[CrmSample | None] = asyncio.Queue()
        self.previous: CrmState | None = None
        self.at_s = T0
        self.acted: list[CrmAction] = []

    def show(self, name: str) -> None:
        current = state(name)
        self.at_s += 1.0
        self.queue.put_nowait(
            CrmSample(self.at_s, current, tuple(changes(self.previous, current, self.at_s)), VIPS)
        )
        self.previous = current

    async def samples(self) -> AsyncIterator[CrmSample]:
        while (sample := await self.queue.get()) is not None:
            yield sample

    async def act(self, action: CrmAction) -> ActionResult:
        self.acted.append(action)
        return ActionResult(True, f"$ {action.command()} (ok)")

    async def close(self) -> None:
        self.queue.put_nowait(None)


async def shown(app: PacemakerApp, feed: QueuedFeed, *names: str) -> None:
    """Feed ``names`` one by one, each time waiting until the app has applied it."""
    for name in names:
        app.applied.clear()
        feed.show(name)
        await asyncio.wait_for(app.applied.wait(), WAIT_S)


def text_of(app: PacemakerApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def cells(app: PacemakerApp, selector: str) -> list[list[str]]:
    table = app.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def logged(app: PacemakerApp) -> str:
    return "\n".join(line.text for line in app.query_one("#pcmk-log", RichLog).lines)


async def test_the_view_follows_a_failover_and_a_failback() -> None:
    feed = QueuedFeed()
    app = PacemakerApp(feed, tz=UTC)
    async with app.run_test(size=(100, 32)) as pilot:
        await shown(app, feed, "placed")
        assert "VIP 192.168.10.10 on server1" in text_of(app, "#pcmk-vip")
        assert [row[:2] for row in cells(app, "#pcmk-nodes")] == [
            ["server1", "online"],
            ["server2", "online DC"],
        ]
        assert cells(app, "#pcmk-resources")[0][:2] == [GROUP, "server1"]

        await shown(app, feed, "cut_stopped")  # server1 lost: offline, the group stopped
        assert cells(app, "#pcmk-nodes")[0][:2] == ["server1", "offline"]
        assert "running nowhere" in text_of(app, "#pcmk-vip")
        assert "node server1: online -> offline" in logged(app)

        await shown(app, feed, "cut_failed_over")
        assert "VIP 192.168.10.10 on server2" in text_of(app, "#pcmk-vip")
        failover = cells(app, "#pcmk-timeline")[0]
        assert failover[1:5] == ["failover", GROUP, "server1 → server2", "1.0 s"]

        await shown(app, feed, "back_rejoining")  # the rejoining node's stale view
        assert "ON 2 NODES: server1, server2" in text_of(app, "#pcmk-vip")
        assert "ACTIVE ON 2 NODES" in text_of(app, "#pcmk-alarms")

        await shown(app, feed, "placed")
        assert "VIP 192.168.10.10 on server1" in text_of(app, "#pcmk-vip")
        assert not app.query_one("#pcmk-alarms").display
        assert cells(app, "#pcmk-timeline")[0][1:4] == ["failback", GROUP, "server2 → server1"]
        await pilot.press("q")


async def confirm(pilot: Pilot[None], app: PacemakerApp, key: str) -> ConfirmScreen:
    await pilot.press(key)
    await pilot.wait_for_scheduled_animations()
    screen = app.screen
    assert isinstance(screen, ConfirmScreen), f"{key} opened no confirmation"
    return screen


async def answer(pilot: Pilot[None], app: PacemakerApp, yes: bool) -> None:
    app.acted.clear()
    await pilot.press("y" if yes else "n")
    await asyncio.wait_for(app.acted.wait(), WAIT_S)


async def test_each_key_asks_first_showing_the_command() -> None:
    feed = QueuedFeed()
    app = PacemakerApp(feed, tz=UTC)
    async with app.run_test(size=(100, 32)) as pilot:
        await shown(app, feed, "placed")
        app.query_one("#pcmk-nodes", DataTable).focus()
        screen = await confirm(pilot, app, "b")  # the cursor is on server1
        assert screen.title_text == "Standby server1?"
        assert "crm_attribute --type nodes --node server1 --name standby --update on" in (
            screen.explanation
        )
        await answer(pilot, app, yes=False)
        assert feed.acted == [] and "standby: cancelled" in logged(app)

        await confirm(pilot, app, "b")
        await answer(pilot, app, yes=True)
        assert feed.acted == [CrmAction(CrmVerb.STANDBY, "server1")]

        await shown(app, feed, "standby")  # server1 in standby: b brings it back
        await confirm(pilot, app, "b")
        await answer(pilot, app, yes=True)
        assert feed.acted[-1] == CrmAction(CrmVerb.UNSTANDBY, "server1")

        await shown(app, feed, "placed")
        screen = await confirm(pilot, app, "m")  # the group (first row) to the other node
        assert screen.title_text == f"Move {GROUP} to server2?"
        await answer(pilot, app, yes=True)
        await confirm(pilot, app, "c")
        await answer(pilot, app, yes=True)
        assert feed.acted[-2:] == [
            CrmAction(CrmVerb.MOVE, GROUP, "server2"),
            CrmAction(CrmVerb.CLEAR, GROUP),
        ]

        await shown(app, feed, "monitor_failed")
        assert "FAILED monitor of failback.sh on server1" in text_of(app, "#pcmk-alarms")
        screen = await confirm(pilot, app, "x")  # the failed resource, wherever the cursor is
        assert screen.title_text == "Clean up failback.sh?"
        await answer(pilot, app, yes=True)
        assert feed.acted[-1] == CrmAction(CrmVerb.CLEANUP, "failback.sh")
        assert "$ crm_resource --cleanup --resource failback.sh (ok)" in logged(app)


async def test_a_read_only_view_refuses_without_asking() -> None:
    feed = QueuedFeed(read_only=True)
    app = PacemakerApp(feed, tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, feed, "placed")
        app.acted.clear()
        await pilot.press("b")
        await asyncio.wait_for(app.acted.wait(), WAIT_S)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "standby: refused, this view of server2 is read-only" in logged(app)
        assert feed.acted == []


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("scene", ["failed_over", "failure", "standby_confirm"])
def test_snapshot(snap_compare: object, size: tuple[int, int], scene: str) -> None:
    feed = QueuedFeed()
    app = PacemakerApp(feed, tz=UTC)
    readings = {
        "failed_over": ["placed", "cut_stopped", "cut_failed_over"],
        "failure": ["placed", "monitor_failed"],
        "standby_confirm": ["placed"],
    }[scene]

    async def run_before(pilot: Pilot[None]) -> None:
        await shown(app, feed, *readings)
        if scene == "standby_confirm":
            app.query_one("#pcmk-nodes", DataTable).focus()
            await confirm(pilot, app, "b")

    assert snap_compare(app, terminal_size=size, run_before=run_before)  # type: ignore[operator]


async def test_a_sample_arriving_while_the_view_closes_is_dropped() -> None:
    """The feed may deliver a reading after the view's widgets are gone (seen in the lab
    while the app closed): the reading is dropped and the feed worker ends, no error."""
    feed = QueuedFeed()
    app = PacemakerApp(feed, tz=UTC)
    async with app.run_test(size=(100, 32)):
        await shown(app, feed, "placed")
        (worker,) = [w for w in app.workers if w.group == "feed"]
        await app.query_one("#pcmk-header").remove()
        feed.show("standby")
        await asyncio.wait_for(worker.wait(), WAIT_S)
        assert worker.error is None
