"""``hbtui postmortem`` in the console (issue 17): the timeline of a recorded incident of
two real Heartbeat 3.0.6 daemons, read at 80x24 and 140x44 (the characters on screen)."""

from __future__ import annotations

import pytest

from hbtui.console.postmortem_app import PostmortemApp
from hbtui.postmortem.files import read_log
from hbtui.postmortem.model import Report
from hbtui.postmortem.timeline import analyse
from tests.console.test_console_layout import flat, screen_text

from .test_real_daemon_logs import HOWTO, NODES, vec

FAILOVER = "b-node-dead-takeover-server2"


def report_of(*names: str) -> Report:
    return analyse([read_log(vec(n), NODES) for n in names], HOWTO)


@pytest.mark.parametrize("size", [(80, 24), (140, 44)])
async def test_the_failover_and_its_why_are_on_screen(size: tuple[int, int]) -> None:
    app = PostmortemApp(report_of(FAILOVER))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = flat(screen_text(app))
        assert "post-mortem of server1, server2" in shown
        assert "failover" in shown and "server1 → server2" in shown
        assert "why: server1 stopped sending at 03:30:19" in shown
        assert "declared dead 03:30:24" in shown
        assert "q Quit" in shown
        await pilot.press("v")
        await pilot.pause()
        assert "problems" in flat(screen_text(app))


async def test_keys_move_between_entries() -> None:
    """Several entries (recordings of a crash and of a failback): the arrow keys show each
    one in the lower pane."""
    app = PostmortemApp(report_of(FAILOVER, "c-failback-server1", "c-failback-server2"))
    kinds = [e.kind.value for e in app.report.entries]
    assert kinds == ["failover", "split_brain", "failback"]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "failover server1 → server2 [" in flat(screen_text(app))
        await pilot.press("down", "down")
        await pilot.pause()
        assert "failback server2 → server1 [" in flat(screen_text(app))


async def test_the_console_opens_this_nodes_postmortem_with_p() -> None:
    """``P`` in the operator's console reads this node's ha-log through the backend it was
    given and shows the same screen; escape goes back; without a log it says why."""
    from hbtui.console.app import ConsoleApp
    from hbtui.console.postmortem_app import PostmortemScreen
    from hbtui.sources.demo_trace import trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot

    async def make_report() -> Report:
        return report_of(FAILOVER)

    items = trace()
    app = ConsoleApp(
        ReplaySource(items, initial_snapshot(items)), poll_sockets=False, postmortem=make_report
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("P")
        for _ in range(20):
            if isinstance(app.screen, PostmortemScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, PostmortemScreen)
        assert "why: server1 stopped sending at 03:30:19" in flat(screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PostmortemScreen)
    bare = ConsoleApp(ReplaySource(items, initial_snapshot(items)), poll_sockets=False)
    async with bare.run_test(size=(100, 30)) as pilot:
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(bare.screen, PostmortemScreen)
        assert any("post-mortem: not offered here" in line.text for line in bare.model.log)
