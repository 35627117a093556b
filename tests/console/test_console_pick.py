"""Choosing the source (watch / attach / embedded) and the read-only watch source."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.control.server import ControlServer
from hbtui.sources import pick
from hbtui.sources.attach import AttachedSource
from hbtui.sources.embedded import EmbeddedSource
from hbtui.sources.watch import WatchSource
from hbtui.stream.halog import level_of, status_changes
from hbtui.stream.items import LogLine
from hbtui.stream.source import perform
from tests.runtime.rtkit import Lan, make_member

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
WATCHED_VIP = "192.0.2.10"


def watch_with_one_vip(node: str, log: Path, text: str) -> WatchSource:
    """A read-only watch of ``log`` (written with ``text``) as ``node``; one VIP, home server1."""
    log.write_text(text)
    vip = {"resource": f"IPaddr::{WATCHED_VIP}/24", "ip": WATCHED_VIP, "home": "server1"}
    return WatchSource(node, ("server1", "server2"), log, 999_999_999, {"configured_vips": [vip]})


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    target = tmp_path / "etc"
    shutil.copytree(HOWTO, target)
    (target / "authkeys").chmod(0o600)
    return target


def test_no_node_running_offers_embedded_and_starts_nothing(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a node here the console only offers one (issue: it started HA unasked);
    --embedded (mode embedded) starts it."""
    monkeypatch.setattr(pick, "find_heartbeat", lambda: None)
    picked = pick.pick_source(etc, tmp_path / "state", tmp_path / "none.sock", "server1")
    assert isinstance(picked, pick.Picked)
    assert isinstance(picked.source, EmbeddedSource)
    assert not picked.autostart and picked.stop_on_quit and picked.udpport == 694
    assert picked.source.control_socket == tmp_path / "none.sock"
    asked = pick.pick_source(etc, tmp_path / "state", tmp_path / "none.sock", "server1", "embedded")
    assert isinstance(asked, pick.Picked) and asked.autostart


def test_a_real_heartbeat_means_read_only_watch(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pick, "find_heartbeat", lambda: 4242)
    picked = pick.pick_source(etc, tmp_path / "state", tmp_path / "none.sock", "server1")
    assert isinstance(picked, pick.Picked) and isinstance(picked.source, WatchSource)
    assert picked.source.read_only and picked.source.nodes == ("server1", "server2")
    assert str(picked.source.logfile) == "/var/log/ha-log"
    assert not picked.autostart


async def test_a_node_on_the_control_socket_means_attach(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pick, "find_heartbeat", lambda: None)
    member = make_member("server1", Lan(), tmp_path)
    path = tmp_path / "control.sock"
    server = ControlServer(member.runtime, path)
    await server.start()
    await member.runtime.start()
    try:
        picked = await asyncio.to_thread(pick.pick_source, etc, tmp_path / "state", path, "server1")
        assert isinstance(picked, pick.Picked) and isinstance(picked.source, AttachedSource)
        assert picked.source.node_name == "server1" and not picked.autostart
    finally:
        member.runtime.kill()
        await server.close()


def test_broken_config_and_no_node_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pick, "find_heartbeat", lambda: None)
    picked = pick.pick_source(tmp_path, tmp_path / "state", tmp_path / "none.sock", "server1")
    assert isinstance(picked, str) and "configuration has errors" in picked


def test_ha_log_levels_and_statuses() -> None:
    warn = "Nov 26 03:30:24 server2 heartbeat: [120]: WARN: node server1: is dead"
    assert level_of(warn) == "WARN"
    assert level_of("2026/11/26_03:30:24  ResourceManager(default)[225]:    info: x") == "info"
    assert [c.new for c in status_changes(warn, "server2", 1)] == ["dead"]
    line = (
        "Nov 26 03:30:00 server2 heartbeat: [120]: info: Status update for node server1: "
        "status active"
    )
    assert [(c.node, c.new) for c in status_changes(line, "server2", 1)] == [("server1", "active")]
    local = "heartbeat: [1]: info: Local status now set to: 'up'"
    assert [(c.node, c.new) for c in status_changes(local, "server2", 1)] == [("server2", "up")]


async def test_watch_tails_the_log_and_refuses_every_action(tmp_path: Path) -> None:
    log = tmp_path / "ha-log"
    log.write_text("Nov 26 03:30:00 server2 heartbeat: [1]: info: old line\n")
    source = WatchSource("server2", ("server1", "server2"), log, 999_999_999)
    events = source.events()
    first = await asyncio.wait_for(anext(events), 2)
    assert isinstance(first, LogLine) and first.text.endswith("old line")
    with log.open("a") as f:
        f.write("Nov 26 03:30:24 server2 heartbeat: [1]: WARN: node server1: is dead\n")
    line = await asyncio.wait_for(anext(events), 2)
    assert isinstance(line, LogLine) and line.level == "WARN"
    change = await asyncio.wait_for(anext(events), 2)
    assert change.new == "dead"  # type: ignore[union-attr]
    for action in ("stop", "kill", "start", "standby", "takeover", "delete_uuid"):
        outcome = await perform(source, action)
        assert not outcome.ok and "only watches the real heartbeat" in outcome.text
    await source.close()


def test_udp_listeners_finds_our_own_socket() -> None:
    import os
    import socket

    from hbtui.console.widgets.wire import udp_listeners

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        found = udp_listeners(port)
    assert (f"127.0.0.1:{port}", os.getpid()) in [(addr, pid) for addr, pid, _ in found]


async def test_wire_pane_says_when_nothing_listens() -> None:
    import socket

    from hbtui.console.app import ConsoleApp
    from hbtui.sources.demo_trace import trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot
    from tests.console.helpers import SIZE

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]  # closed again below: nobody listens there
    items = trace()
    app = ConsoleApp(ReplaySource(items, initial_snapshot(items)), udpport=free_port)
    async with app.run_test(size=SIZE) as pilot:
        sockets = app.dashboard.query_one("#wire-sockets")
        async with asyncio.timeout(5):
            while "nothing listens" not in str(sockets.render()):
                await pilot.pause(0.05)
        assert f"udp/{free_port}" in str(sockets.render())


async def test_watch_console_is_read_only_and_says_so(tmp_path: Path) -> None:
    from hbtui.console.app import ConsoleApp
    from tests.console.helpers import SIZE, settle

    up = "Nov 26 03:30:00 server1 heartbeat: [1]: info: Local status now set to: 'up'\n"
    source = watch_with_one_vip("server1", tmp_path / "ha-log", up)
    app = ConsoleApp(source, poll_sockets=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = str(app.dashboard.query_one("#mode-header").render())
        assert "watching the real heartbeat daemon (read-only)" in header
        async with asyncio.timeout(5):
            while app.model.nodes["server1"].status != "up":
                await pilot.pause(0.05)
        assert app.model.vips[WATCHED_VIP].owner is None  # not on this machine
        await pilot.press("s")
        await settle(pilot)
        assert "only watches the real heartbeat daemon" in app.model.log[-1].text
        await pilot.press("k")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)  # nothing to confirm: refused
        await source.close()


async def test_watch_refreshes_after_new_log_lines(tmp_path: Path) -> None:
    from hbtui.stream.items import SnapshotTaken

    log = tmp_path / "ha-log"
    earlier = "Nov 26 03:30:00 server2 heartbeat: [1]: info: Local status now set to: 'up'\n"
    source = watch_with_one_vip("server2", log, earlier)
    events = source.events()
    snap = await source.snapshot()
    assert snap["keepalives_visible"] is False and snap["vips"][0]["owner"] is None
    async with asyncio.timeout(5):  # the backlog line: the tail has the file open
        first = await anext(events)
    assert isinstance(first, LogLine) and "Local status" in first.text
    with log.open("a") as f:  # a line written after the tail started, not backlog
        f.write("Nov 26 03:30:24 server2 heartbeat: [1]: WARN: node server1: is dead\n")
    seen: list[object] = []
    async with asyncio.timeout(5):
        while not any(isinstance(i, SnapshotTaken) for i in seen):
            seen.append(await anext(events))
    assert any(isinstance(i, LogLine) and "is dead" in i.text for i in seen)
    await source.close()
