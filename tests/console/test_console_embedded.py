"""The console on real runtimes (engine + runtime, adapters' fakes, a fake LAN).

server2's console watches server1 crash (countdown to dead, VIP to server2, failback.sh
output) and come back (failback); server1's console kills its own node with ``k``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.adapters import runtime as runtime_module
from hbtui.adapters.runtime import NodeRuntime
from hbtui.config.model import ClusterConfig
from hbtui.console.app import ConsoleApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.sources.embedded import EmbeddedSource
from tests.console.helpers import SIZE, settle, wire_text
from tests.runtime.rtkit import VIP, Lan, Member, make_member

WAIT_S = 5.0


def embedded(member: Member, control_socket: Path | None = None) -> EmbeddedSource:
    """An EmbeddedSource whose runtimes use the member's fakes and LAN transport."""
    template = member.runtime

    def make(config: ClusterConfig, state_dir: Path) -> NodeRuntime:
        return NodeRuntime(
            config,
            state_dir,
            open_transport=template.open_transport,
            vip_driver=template.vip,
            arp=template.arp,
            scripts=template.scripts,
        )

    return EmbeddedSource(
        template.config, template.state_dir, make_runtime=make, control_socket=control_socket
    )


async def until(pilot: object, predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not predicate():
            await pilot.pause(0.02)  # type: ignore[attr-defined]


async def test_server2_console_sees_the_crash_the_failover_and_the_failback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "COUNTERS_EVERY_MS", 100)
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    source = embedded(two)
    app = ConsoleApp(source, poll_sockets=False, autostart=True, stop_on_quit=True)
    await one.runtime.start()
    try:
        async with app.run_test(size=SIZE) as pilot:
            model = app.model
            await until(
                pilot,
                lambda: model.vips.get(VIP) is not None and model.vips[VIP].owner == "server1",
            )
            await until(pilot, lambda: model.nodes["server1"].last_heard_ms is not None)
            assert any("console: [server2] start: started: uuid" in line.text for line in model.log)
            # the out rate is the node's own send counter (the start-up exchange included)
            await until(pilot, lambda: model.rate_out(source.now_ms()) is not None)
            await until(pilot, lambda: "B/s sent" in wire_text(app))
            rate = model.rate_out(source.now_ms())
            assert rate is not None and rate[0] > 0 and rate[1] > 100 * rate[0]  # >100 B each
            one.runtime.kill()
            await until(pilot, lambda: model.nodes["server1"].status == "dead")
            await until(pilot, lambda: model.vips[VIP].owner == "server2")
            await until(pilot, lambda: any(r.kind == "failover" for r in model.timeline))
            out = app.dashboard.query_one("#script-output")
            await until(pilot, lambda: any("starting the service" in s.text for s in out.lines))  # type: ignore[attr-defined]
            row = next(r for r in model.timeline if r.kind == "failover")
            assert "server1 stopped sending keepalives" in row.why
            assert row.phases["declared dead"] is not None
            # server1 returns: auto_failback gives the group back
            one2 = make_member("server1", lan, tmp_path)
            await one2.runtime.start()
            try:
                await until(pilot, lambda: model.vips[VIP].owner == "server1")
                await until(
                    pilot, lambda: any(r.kind.startswith("failback") for r in model.timeline)
                )
            finally:
                await one2.runtime.stop(graceful=False)
            await pilot.press("q")  # quitting stops the node: it asks first, naming the peer
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "Quitting stops the node server2" in app.screen.explanation  # type: ignore[attr-defined]
            await pilot.press("y")
            await settle(pilot)
        assert not source.is_running()
    finally:
        one.runtime.kill()


async def test_k_on_server1_kills_its_node_after_confirmation(tmp_path: Path) -> None:
    lan = Lan()
    one = make_member("server1", lan, tmp_path)
    source = embedded(one)
    app = ConsoleApp(source, poll_sockets=False, autostart=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, source.is_running)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: not source.is_running())
        assert source.runtime is not None and source.runtime.state == "killed"
        await until(
            pilot, lambda: any("killed (crash drill)" in line.text for line in app.model.log)
        )
        # u: now allowed, with the explanation, and it deletes hb_uuid
        uuid = tmp_path / "server1" / "state" / "hb_uuid"
        assert uuid.exists()
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: not uuid.exists())
        # r: starts again with a new uuid, after saying what a node here does
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "starts inside this console" in app.screen.explanation  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(pilot, source.is_running)
        assert uuid.exists()
        await source.stop()


async def test_no_node_here_is_offered_never_started_and_answers_status_once_started(
    tmp_path: Path,
) -> None:
    """The console over a node that does not run starts nothing (issue 14.2): it says so,
    `r` asks first with what will happen, `n` does nothing, `y` starts the node, which then
    answers the control socket as `hbtui node` does; quitting asks, `n` keeps it running."""
    from hbtui.control.client import request

    lan = Lan()
    one = make_member("server1", lan, tmp_path)
    sock = tmp_path / "run" / "control.sock"
    source = embedded(one, control_socket=sock)
    app = ConsoleApp(source, poll_sockets=False, stop_on_quit=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not source.is_running()
        assert any("no node runs here" in line.text for line in app.model.log)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = app.screen.explanation  # type: ignore[attr-defined]
        assert "starts inside this console" in text and "192.168.10.10" in text
        await pilot.press("n")
        await settle(pilot)
        assert not source.is_running()
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, source.is_running)
        snap = await asyncio.to_thread(request, sock, "snapshot")
        assert snap["node"] == "server1"
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert source.is_running()
        await source.stop()
    assert not sock.exists()
