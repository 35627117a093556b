"""``D``: the failover drill from the console (issue 17). On real runtimes: a drill of
the embedded node that passes and keeps its report, one of an attached node stopped by a
failing script (the group put back), one refused by the preflight; the replay refuses
with a log line; on a fake cluster and a held clock: the progress, the abort key, a
timeout, the other keys off meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from textual.widgets import Static

from hbtui.commands.drill import keeper
from hbtui.console.app import ConsoleApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.drill import DrillScreen, refusal
from hbtui.control.client import request
from hbtui.drill.driver import DrillSetup
from hbtui.sources.attach import AttachedSource
from tests.console.helpers import SIZE, STEADY_MS, at, demo_app, drill_dialog, settle
from tests.console.test_console_embedded import embedded, until
from tests.runtime.drillfake import FakeClock, FakeCluster
from tests.runtime.rtkit import VIP, Lan, make_member, served, wait_for


def shown(app: Any, part: str = "#drill-text") -> str:
    """What the drill dialog's ``part`` says."""
    return str(app.screen.query_one(part, Static).render())


def state(app: Any) -> str | None:
    return app.screen.state if isinstance(app.screen, DrillScreen) else None


def log_text(app: ConsoleApp) -> str:
    return "\n".join(line.text for line in app.model.log)


async def test_d_drills_the_embedded_node_and_keeps_the_report(tmp_path: Path) -> None:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    source = embedded(one)
    setup = DrillSetup(keep=keeper(tmp_path / "drills"), timeout_s=20.0)
    app = ConsoleApp(source, poll_sockets=False, autostart=True, drill=setup)
    await two.runtime.start()
    try:
        async with app.run_test(size=SIZE) as pilot:

            def steady() -> bool:
                snap = source.runtime.snapshot() if source.runtime else {}
                return (
                    snap.get("status") == "active"
                    and VIP in one.vips.addresses
                    and not (snap["runtime"]["scripts_running"] or snap.get("busy"))
                )

            await until(pilot, steady)
            await pilot.press("D")
            await until(pilot, lambda: state(app) == "confirm")
            text = shown(app)
            assert "The group (192.168.10.10) is on server1" in text
            assert "to server2 (standby on server1) and back (takeover)" in text
            assert "puts the group back on server1" in text
            await pilot.press("y")
            await until(pilot, lambda: state(app) == "done")
            assert shown(app).startswith("Passed.")
            moves = shown(app, "#drill-moves")
            assert (
                "away     standby  -> server2" in moves and "back     takeover -> server1" in moves
            )
            assert moves.count("done") == 2
            kept = sorted((tmp_path / "drills").glob("drill-*.md"))
            assert len(kept) == 1 and f"report: {kept[0]}" in shown(app)
            assert "Result: **passed**" in kept[0].read_text()
            await pilot.press("escape")
            await until(pilot, lambda: "drill passed (away " in log_text(app))
            assert VIP in one.vips.addresses and VIP not in two.vips.addresses
            await source.stop()
    finally:
        two.runtime.kill()


async def attached_app(tmp_path: Path) -> tuple[ConsoleApp, AttachedSource]:
    sock = tmp_path / "c.sock"
    source = AttachedSource(sock, await asyncio.to_thread(request, sock, "snapshot"))
    setup = DrillSetup(keep=keeper(tmp_path / "drills"), timeout_s=20.0)
    return ConsoleApp(source, poll_sockets=False, drill=setup), source


async def test_a_failing_script_aborts_the_drill_of_an_attached_node(tmp_path: Path) -> None:
    async with served(tmp_path) as (one, _two):
        one.scripts.outputs[("failback.sh", "start")] = (1, ["port 80 is in use"])
        app, source = await attached_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("D")
            await until(pilot, lambda: state(app) == "confirm")
            await pilot.press("y")
            await until(pilot, lambda: state(app) == "done")
            text = shown(app)
            assert text.startswith("Aborted at back: a resource script failed with exit status 1")
            await pilot.press("escape")
            await until(pilot, lambda: "drill aborted at back" in log_text(app))
            await source.close()
        await wait_for(lambda: VIP in one.vips.addresses, 5)  # the group ends where it was
    kept = next((tmp_path / "drills").glob("drill-*.md")).read_text()
    assert "Result: **aborted**" in kept and "port 80 is in use" in kept


async def test_the_preflight_refusal_is_shown_and_nothing_moves(tmp_path: Path) -> None:
    async with served(tmp_path, peer=False) as (one, _two):
        app, source = await attached_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("D")
            await until(pilot, lambda: state(app) == "refused")
            text = shown(app)
            assert "Not now; nothing was done" in text
            assert "server2 is dead: it could not take the group" in text
            assert not app.screen.query_one("#drill-run").display
            await pilot.press("y")  # no drill to run
            await settle(pilot)
            assert state(app) == "refused"
            await pilot.press("escape")
            await until(pilot, lambda: "drill refused: server2 is dead" in log_text(app))
            await source.close()
        assert VIP in one.vips.addresses
    assert not (tmp_path / "drills").exists()  # a refusal in the console keeps nothing


async def test_the_replay_refuses_with_a_log_line() -> None:
    app, source = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await at(pilot, source, STEADY_MS)
        await pilot.press("D")
        await settle(pilot)
        assert not isinstance(app.screen, DrillScreen)
        assert "failover drill: refused, nothing can move in a replay" in log_text(app)
        app.request_action("drill")  # the command palette's "Failover drill on server2"
        await settle(pilot)
        assert log_text(app).count("failover drill: refused") == 2
        assert source.actions_taken == []


async def fake_drill(pilot: Any, cluster: FakeCluster, timeout_s: float = 20.0) -> DrillScreen:
    """The dialog over the demo replay, on ``cluster`` and its clock, confirmed."""
    screen = drill_dialog(cluster, timeout_s)
    pilot.app.push_screen(screen)
    await until(pilot, lambda: screen.state == "confirm")
    await pilot.press("y")
    return screen


async def test_the_progress_shows_each_move_and_a_aborts_and_restores() -> None:
    app, _source = demo_app()
    cluster = FakeCluster(clock=FakeClock(hold_at=0.5))  # held in the away move
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fake_drill(pilot, cluster)
        await until(pilot, lambda: cluster.clock.now >= 0.5)
        await settle(pilot)
        assert screen.running and screen.drill is not None
        took = f"{screen.drill.elapsed():.2f}"
        assert took in ("0.45", "0.50")  # the clock is held at 0.5 s (the stream may take 0.05)
        assert (
            shown(app, "#drill-moves") == f"away     standby  -> server2      {took} s  moving..."
        )
        for key in ("b", "escape", "D"):  # nothing else moves the group meanwhile
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("a")
        cluster.clock.release()
        await until(pilot, lambda: screen.state == "done")
        text = shown(app)
        assert text.startswith("Aborted at away: stopped by the operator. The group was put back")
        assert "report: /var/lib/heartbeat/drills/drill-20261126T033000_000Z.md" in text
    assert cluster.holder == "server1" and cluster.asked == ["standby", "takeover"]


async def test_a_move_over_the_timeout_aborts_the_drill() -> None:
    app, _source = demo_app()
    cluster = FakeCluster(stuck={"standby"})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fake_drill(pilot, cluster, timeout_s=3.0)
        await until(pilot, lambda: screen.state == "done")
        assert shown(app).startswith("Aborted at away: not done within 3 s.")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DrillScreen))


async def test_a_split_brain_aborts_it_and_the_dialog_says_nothing_moved_back() -> None:
    app, _source = demo_app()
    cluster = FakeCluster(split="probe")
    read: list[str] = []

    async def peer_scripts(report: Any) -> None:  # what after_reads does over the link
        read.append(report.peer)
        raise ConnectionError("link lost")

    screen = drill_dialog(cluster)
    screen.setup = dataclasses.replace(screen.setup, peer_scripts=peer_scripts)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.push_screen(screen)
        await until(pilot, lambda: screen.state == "confirm")
        await pilot.press("y")
        await until(pilot, lambda: screen.state == "done")
        text = shown(app)
        assert text.startswith("Aborted at away: split brain: 192.168.10.10 answered by")
        assert "NOT put back: a split brain is under way" in text
        assert "; server2 not read (server2: link lost)" in text
    assert cluster.asked == ["standby"] and read == ["server2"]
    assert screen.report is not None and screen.report.peer_unread == "server2: link lost"


def test_which_sources_can_drill() -> None:
    class Source:
        node_name, mode, read_only = "server1", "attached", False

    assert refusal(Source()) is None  # type: ignore[arg-type]
    watch = Source()
    watch.mode, watch.read_only = "watch", True
    assert "only watches" in (refusal(watch) or "")  # type: ignore[arg-type]
    watch.drill_target = lambda: object()  # type: ignore[attr-defined]
    assert refusal(watch) is None  # type: ignore[arg-type]  # the real daemon's own tools
    peer = Source()
    peer.session = object()  # type: ignore[attr-defined]
    assert refusal(peer) == "server1 is a peer over SSH: run the drill on that node"  # type: ignore[arg-type]
    peer.drill_target = lambda: None  # type: ignore[attr-defined]  # an hbtui peer
    assert refusal(peer) == "server1 is a peer over SSH: run the drill on that node"  # type: ignore[arg-type]
    peer.drill_target = lambda: object()  # type: ignore[attr-defined]  # a real daemon there
    assert refusal(peer) is None  # type: ignore[arg-type]
