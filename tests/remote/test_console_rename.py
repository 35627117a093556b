"""Pilot tests: the rename wizard screen with fakes behind it; the SSH link line."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, RichLog, Select, Static

from hbtui.console.app import ConsoleApp, Reopened
from hbtui.console.screens.rename import RenameScreen
from hbtui.console.widgets.link import link_text
from hbtui.console.widgets.mode_header import ModeHeader
from hbtui.console.widgets.others import OtherNodesPanel
from hbtui.remote import commands
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import PeerLink
from hbtui.rename.execute import Progress, StepOutcome
from hbtui.rename.plan import RenameNode, RenamePlan, plan_rename
from hbtui.rename.wizard import wizard_backend
from hbtui.stream.items import SourceItem
from hbtui.stream.link import HostKeyRefusal, HostKeyVerdict, LinkState, LinkStatus
from hbtui.stream.source import Outcome, SourceMode

from .conftest import Sshd
from .test_rename import _fake_node

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
SIZE = (120, 40)


def _texts() -> dict[str, str]:
    return {n: (HOWTO / n).read_text() for n in commands.CONFIG_FILES}


async def make_plan(old: str, new: str) -> RenamePlan:
    service = commands.systemd_service()
    nodes = [RenameNode(n, service, texts=_texts()) for n in ("server1", "server2")]
    return plan_rename(nodes, old, new)


class FakeExecutor:
    """Reports every step as the real executor would; fails at ``fail_at`` if given."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.fail_at = fail_at
        self.ran: list[str] = []

    async def __call__(self, plan: RenamePlan, progress: Progress) -> list[StepOutcome]:
        done = []
        for number, step in enumerate(plan.steps, start=1):
            outcome = StepOutcome(step, number)
            progress(outcome)
            self.ran.append(step.key)
            outcome.ok, outcome.done = number != self.fail_at, True
            progress(outcome)
            done.append(outcome)
            if not outcome.ok:
                break
        return done


class WizardApp(App[None]):
    def __init__(self, executor: FakeExecutor) -> None:
        super().__init__()
        self.executor = executor

    def on_mount(self) -> None:
        self.push_screen(RenameScreen(["server1", "server2"], make_plan, self.executor))


def _log_text(app: App[None]) -> str:
    return "\n".join(line.text for line in app.screen.query_one(RichLog).lines)


async def _plan(pilot, new: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#rename-new", Input).value = new
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_dry_run_shows_the_plan_and_runs_nothing() -> None:
    executor = FakeExecutor()
    app = WizardApp(executor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _plan(pilot, "server3")
        text = _log_text(app)
        assert "Rename server2 -> server3 on server1, server2" in text
        assert "server2$ systemctl stop heartbeat.service" in text
        assert "6. Verify" in text
        assert not app.screen.query_one("#rename-run", Button).disabled
    assert executor.ran == []


async def test_problems_keep_run_disabled() -> None:
    app = WizardApp(FakeExecutor())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _plan(pilot, "server1")
        assert "PROBLEM: server1 is already a node name" in _log_text(app)
        assert app.screen.query_one("#rename-run", Button).disabled
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RenameScreen)  # no confirm modal


async def test_run_needs_yes_and_stops_at_the_failed_step() -> None:
    executor = FakeExecutor(fail_at=5)
    app = WizardApp(executor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _plan(pilot, "server3")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("n")  # the confirm modal: no
        await pilot.pause()
        assert executor.ran == []
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert executor.ran == ["check", "stop", "uuid", "rename", "start"]
        text = _log_text(app)
        assert "STOPPED at step 5" in text and "read its ha-log" in text
        steps = str(app.screen.query_one("#rename-steps", Static).render())
        assert "ok 4." in steps and "!! 5." in steps


async def test_successful_run_says_done() -> None:
    app = WizardApp(FakeExecutor())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _plan(pilot, "server3")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "done: server2 is now server3" in _log_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RenameScreen)


def test_a_refused_host_key_shows_its_fingerprint_and_how_to_trust_it() -> None:
    refusal = HostKeyRefusal(
        HostKeyVerdict.CHANGED, "server2", 22, "SHA256:new", "ssh-ed25519", ("SHA256:old",)
    )
    text = link_text(LinkStatus("server2", LinkState.REFUSED, refusal=refusal)).plain
    assert "changed host key ssh-ed25519 SHA256:new" in text
    assert "known_hosts expects SHA256:old" in text
    assert "ssh-keygen -R server2" in text
    assert "ssh-keyscan server2 >> ~/.ssh/known_hosts" in text
    up = link_text(LinkStatus("server2", LinkState.UP, "root@server2:22")).plain
    assert up == "ssh up  root@server2:22"


async def test_wizard_end_to_end_over_sshd(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    """The screen with the real backend: server1 here, server2 over sshd, fake dirs."""
    peer = PeerLink(sshd.target(known_hosts))
    await peer.connect_once()
    options = {
        "server1": _fake_node(tmp_path / "s1", "server1"),
        "server2": _fake_node(tmp_path / "s2", "server2"),
    }
    make, execute = wizard_backend({"server1": LocalRunner(), "server2": peer}, options)

    class App2(App[None]):
        def on_mount(self) -> None:
            self.push_screen(RenameScreen(["server1", "server2"], make, execute))

    app = App2()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await _plan(pilot, "server3")
            assert "PROBLEM" not in _log_text(app)
            await pilot.press("ctrl+r")
            await pilot.pause()
            await pilot.press("y")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "done: server2 is now server3" in _log_text(app)
    finally:
        await peer.close()
    assert (tmp_path / "s2" / "hostname").read_text() == "server3\n"
    assert "node server1 server3" in (tmp_path / "s1" / "ha.d" / "ha.cf").read_text()


class FakeNode:
    """A node source that says it runs, knows ``names`` as active and never changes."""

    mode: SourceMode = "attached"
    read_only = False
    tz: tzinfo | None = None

    def __init__(self, name: str, names: Sequence[str]) -> None:
        self.node_name = name
        self.names = list(names)
        self.closed = asyncio.Event()

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)

    def wall_ms(self, at_ms: int) -> int:
        return at_ms

    def is_running(self) -> bool:
        return not self.closed.is_set()

    async def events(self) -> AsyncIterator[SourceItem]:
        await self.closed.wait()
        return
        yield

    async def snapshot(self) -> dict[str, Any]:
        nodes = {n: {"self": n == self.node_name, "status": "active"} for n in self.names}
        return {"node": self.node_name, "status": "active", "nodes": nodes}

    async def _done(self) -> Outcome:
        return Outcome(True, "fake")

    start = stop = kill = standby = takeover = delete_uuid = _done

    async def close(self) -> None:
        self.closed.set()


def _names(app: ConsoleApp) -> list[str]:
    return list(app.sources)


async def _until(pilot: Pilot[Any], predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not predicate():
            await pilot.pause(0.02)


async def test_console_shows_the_new_name_after_the_wizard() -> None:
    """server2 -> server3: its source, card, keys and the next wizard use server3."""
    names = ["server1", "server2"]
    first = [FakeNode("server1", names), FakeNode("server2", names)]
    reopened: list[tuple[str, str]] = []
    planned: list[tuple[str, str]] = []

    async def plan_again(old: str, new: str) -> RenamePlan:
        planned.append((old, new))
        return await make_plan(old, new)

    async def reopen(old: str, new: str) -> Reopened:
        reopened.append((old, new))
        now = ["server1", "server3"]
        return first[0], [FakeNode("server3", now)], (plan_again, FakeExecutor())

    app = ConsoleApp(
        first[0],
        others=[first[1]],
        poll_sockets=False,
        rename=(make_plan, FakeExecutor()),
        reopen=reopen,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert app.focused_node == "server2"
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, RenameScreen)
        app.screen.query_one("#rename-new", Input).value = "server3"
        await pilot.press("enter")
        await _until(pilot, lambda: "6. Verify" in _log_text(app))
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await _until(pilot, lambda: "done: server2 is now server3" in _log_text(app))
        await _until(pilot, lambda: _names(app) == ["server1", "server3"])
        assert reopened == [("server2", "server3")]
        await pilot.press("escape")
        await pilot.pause()
        assert first[1].closed.is_set() and not first[0].closed.is_set()
        assert app.focused_node == "server3"  # the focus follows the renamed node
        header = str(app.dashboard.query_one(ModeHeader).render())
        assert "keys act on server3" in header
        assert any("server2 is now server3" in line.text for line in app.models["server1"].log)
        await pilot.press("1")
        panel = app.dashboard.query_one(OtherNodesPanel)
        await _until(pilot, lambda: "server3" in panel.plain("server3", 100))
        assert len(panel.children) == 1  # server3's card only: server2's is gone
        await pilot.press("h")
        await pilot.pause()
        chooser = app.screen.query_one("#rename-node", Select)
        assert chooser.value == "server3"
        pilot.app.screen.query_one("#rename-new", Input).value = "server2"
        await pilot.press("enter")
        await _until(pilot, lambda: bool(planned))
        assert planned == [("server3", "server2")]
        await pilot.press("escape")
        await pilot.press("q")


async def test_hbtui_console_reopens_this_node_and_the_peers_of_the_new_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hbtui console` after the wizard: this node picked again, peers from the new ha.cf."""
    import argparse
    import shutil

    from hbtui.commands import console as console_command
    from hbtui.sources import pick

    config_dir = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config_dir)
    (config_dir / "authkeys").chmod(0o600)
    ha_cf = config_dir / "ha.cf"
    ha_cf.write_text(ha_cf.read_text().replace("node server1 server2", "node server1 server3"))
    picked: list[str | None] = []

    def pick_again(*args: object, node_name: str | None = None, **kw: object) -> pick.Picked:
        picked.append(node_name)
        return pick.Picked(FakeNode("server1", ["server1", "server3"]))

    monkeypatch.setattr(pick, "pick_source", pick_again)
    args = argparse.Namespace(
        config_dir=str(config_dir),
        state_dir=str(tmp_path),
        control_socket=str(tmp_path / "control.sock"),
        node_name="server1",
        mode="auto",
        no_peers=False,
        peer_hbtui="/opt/hbtui/bin/hbtui",
    )
    first = FakeNode("server1", ["server1", "server2"])
    reopen = console_command._reopener(args, first)
    source, peers, backend = await reopen("server2", "server3")
    assert source is not first and source.node_name == "server1"
    assert picked == ["server1"]
    await reopen("server1", "server9")  # --node-name named the renamed node: its new name
    assert picked == ["server1", "server9"]
    assert [p.node_name for p in peers] == ["server3"]
    assert peers[0].session.hbtui_program == ("/opt/hbtui/bin/hbtui",)
    assert backend is not None
