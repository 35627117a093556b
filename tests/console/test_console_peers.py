"""A peer over SSH in the console: its link state and a refused host key in the other-nodes
pane, next to the focused node (a real OpenSSH sshd on 127.0.0.1, root only)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from hbtui.console.app import ConsoleApp
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.widgets.others import OtherNodesPanel
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink
from hbtui.sources.demo_trace import trace
from hbtui.sources.peer import PeerSource
from hbtui.sources.replay import ReplaySource, initial_snapshot
from tests.console.helpers import SIZE
from tests.remote.conftest import Sshd, sshd  # noqa: F401  (the sshd fixture)

STEP_S = 20.0


def app_with_peer(server: Sshd, known_hosts: Path) -> ConsoleApp:
    """The replay (server2's view) focused, plus "server1" reached over the test sshd."""
    items = trace()
    target = dataclasses.replace(server.target(known_hosts), node="server1")
    peer = PeerSource(PeerSession(PeerLink(target), "server2"))
    return ConsoleApp(
        ReplaySource(items, initial_snapshot(items)), others=[peer], poll_sockets=False
    )


async def until(pilot: Pilot[None], predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(STEP_S):
        while not predicate():
            await pilot.pause(0.05)


async def test_unknown_host_key_shows_refused_with_the_trust_command(
    sshd: Sshd,  # noqa: F811
    tmp_path: Path,
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    app = app_with_peer(sshd, empty)
    async with app.run_test(size=(140, 44)) as pilot:
        panel = app.dashboard.query_one(OtherNodesPanel)
        await until(pilot, lambda: "refused" in panel.plain("server1", 120))
        text = panel.plain("server1", 120)
        assert "ssh-keyscan -p" in text and "SHA256:" in text
        assert "peer over SSH" in text
        await pilot.press("q")


async def test_known_host_link_comes_up_and_tab_focuses_the_peer(
    sshd: Sshd,  # noqa: F811
    tmp_path: Path,
) -> None:
    trusted = tmp_path / "known_hosts"
    trusted.write_text(sshd.known_hosts_line())
    app = app_with_peer(sshd, trusted)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.dashboard.query_one(OtherNodesPanel)
        await until(pilot, lambda: "ssh up" in panel.plain("server1", 120))
        await pilot.press("tab")
        await until(pilot, lambda: app.focused_node == "server1")
        await pilot.press("k")  # not offered over SSH: said so in the log, nothing done
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: any("not offered for a peer" in ln.text for ln in app.model.log))
        await pilot.press("q")
