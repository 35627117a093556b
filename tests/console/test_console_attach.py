"""Attach mode: the console follows a runtime through a real control socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.adapters import runtime as runtime_module
from hbtui.console.app import ConsoleApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.control.client import request
from hbtui.control.server import ControlServer
from hbtui.engine.events import KeepaliveReceived
from hbtui.sources.attach import AttachedSource, convert
from hbtui.sources.embedded import config_extras
from hbtui.stream.items import LogLine, SnapshotTaken
from tests.console.helpers import SIZE, wire_text
from tests.runtime.rtkit import VIP, Lan, make_member

WAIT_S = 5.0


async def until(pilot: object, predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not predicate():
            await pilot.pause(0.02)  # type: ignore[attr-defined]


def test_follow_lines_become_console_items() -> None:
    assert isinstance(convert({"type": "snapshot", "snapshot": {"node": "a"}}, 5), SnapshotTaken)
    line = convert(
        {
            "type": "LogLine",
            "at_ms": 1,
            "level": "WARN",
            "source": "heartbeat",
            "text": "t",
            "line": "full line",
        },
        5,
    )
    assert line == LogLine(1, "WARN", "full line")
    ka = convert(
        {
            "type": "KeepaliveReceived",
            "at_ms": 1,
            "node": "n",
            "link": "eth0",
            "gap_ms": None,
            "seq": 1,
            "status": "active",
            "deadline_ms": 9,
        },
        5,
    )
    assert isinstance(ka, KeepaliveReceived)
    assert convert({"type": "Whatever"}, 5) is None


async def test_attached_console_sees_the_node_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "COUNTERS_EVERY_MS", 100)
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    path = tmp_path / "run" / "control.sock"
    server = ControlServer(two.runtime, path)
    await server.start()
    await one.runtime.start()
    await two.runtime.start()
    try:
        snap = await asyncio.to_thread(request, path, "snapshot")
        source = AttachedSource(path, snap, config_extras(two.runtime.config))
        app = ConsoleApp(source, poll_sockets=False)
        async with app.run_test(size=SIZE) as pilot:
            model = app.model
            assert "attached" in str(app.dashboard.query_one("#mode-header").render())
            await until(
                pilot,
                lambda: (
                    "server1" in model.nodes and model.nodes["server1"].last_heard_ms is not None
                ),
            )
            await until(
                pilot,
                lambda: model.vips.get(VIP) is not None and model.vips[VIP].owner == "server1",
            )
            # the node's send counters come over the control socket: the real out rate
            await until(pilot, lambda: model.rate_out(source.now_ms()) is not None)
            await until(pilot, lambda: "B/s sent" in wire_text(app))
            await pilot.press("s")  # stopping a node asks first, saying where the VIP goes
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await until(pilot, lambda: two.runtime.state == "stopped")
            await until(pilot, lambda: not source.is_running())
            texts = [line.text for line in model.log]
            assert any("stop: stop requested" in t for t in texts)
            await source.close()
    finally:
        one.runtime.kill()
        two.runtime.kill()
        await server.close()


async def test_start_goes_through_hbtuis_own_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``r`` on a stopped attached node runs hbtui's unit or init script, or says there is none."""
    from hbtui.remote import detect
    from hbtui.remote.commands import custom_service

    stopped = {"node": "server1", "runtime": {"state": "stopped"}}
    source = AttachedSource(tmp_path / "control.sock", stopped)
    ran = tmp_path / "ran"
    service = custom_service(
        stop=("true",), start=("touch", str(ran)), status=("false",), daemon="hbtui"
    )

    async def found(*_: object, **__: object) -> object:
        return service

    monkeypatch.setattr(detect, "detect_service", found)
    outcome = await source.start()
    assert outcome.ok and outcome.text == f"touch {ran}: done" and ran.exists()
    await source.close()

    async def none(*_: object, **__: object) -> None:
        return None

    monkeypatch.setattr(detect, "detect_service", none)
    source = AttachedSource(tmp_path / "control.sock", stopped)
    outcome = await source.start()
    assert not outcome.ok and "/etc/init.d/hbtui" in outcome.text


async def test_kill_says_the_node_was_killed(tmp_path: Path) -> None:
    """Seen at 80x24 in tmux: after `k` in attach mode the card still said `active` and the
    VIP pane `server1 (here)`; the killed state was never told (the stream only ends)."""
    import subprocess

    from hbtui.console.model import ConsoleModel, VipView
    from hbtui.engine import events as ev

    victim = subprocess.Popen(["sleep", "60"])
    try:
        snap = {"node": "server1", "runtime": {"pid": victim.pid, "state": "running"}}
        source = AttachedSource(tmp_path / "none.sock", snap)
        outcome = await source.kill()
        assert outcome.ok, outcome.text
        assert victim.wait(timeout=5) == -9
        item = await asyncio.wait_for(anext(aiter(source._queue)), 1)
        assert isinstance(item, ev.NodeStateChanged) and item.new == "killed"
        model = ConsoleModel("server1", str)
        model.vips[VIP] = VipView("IPaddr::192.168.10.10/24", VIP, "server1", "eth0")
        model.apply(item)
        assert model.nodes["server1"].status == "killed" and model.vips[VIP].stale
        await source.close()
    finally:
        victim.kill()
        victim.wait()
