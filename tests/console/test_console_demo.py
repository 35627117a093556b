"""``hbtui demo`` for real: the HOWTO cluster in namespaces, driven from the console.

Root only (network/UTS/mount/PID namespaces); skips with the reason otherwise. Every wait
is bounded and follows the models the console builds from the nodes' event streams.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from hbtui.commands import demo as demo_command
from hbtui.lab.demo import VIP, DemoCluster, why_not
from hbtui.lab.netns import existing_netns
from tests.console.helpers import wire_text

STEP_S = 30.0


def skip_unless_demo_can_run() -> None:
    reason = why_not()
    if reason:
        pytest.skip(reason)


def owner(model: object) -> str | None:
    vip = model.vips.get(VIP)  # type: ignore[attr-defined]
    return None if vip is None else vip.owner


def bundle_files(cluster: DemoCluster) -> dict[str, str]:
    """The files of the one bundle B wrote in the first node's state dir."""
    (bundle,) = (next(iter(cluster.nodes.values())).state_dir / "reports").glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}  # fmt: skip


def scripts_said(model: object, words: str) -> bool:
    calls = model.scripts.values()  # type: ignore[attr-defined]
    return any(words in line for call in calls for _, line in call.lines)


async def test_kill_failover_restart_failback_from_the_console(tmp_path: Path) -> None:
    skip_unless_demo_can_run()
    from hbtui.commands.demo import demo_app
    from hbtui.console.screens.confirm import ConfirmScreen
    from hbtui.console.screens.rename import RenameScreen
    from hbtui.console.screens.report import ReportScreen
    from hbtui.console.widgets.mode_header import ModeHeader
    from hbtui.console.widgets.others import OtherNodesPanel

    seen: dict[str, float] = {}
    with DemoCluster() as cluster:  # a short temp dir: unix socket paths are limited
        made = cluster.lab.netns_names
        anchors = [node.lab_node.anchor_pid for node in cluster.nodes.values()]
        cluster.start_all()
        await asyncio.to_thread(demo_command.wait_answering, cluster, 20.0)
        app = demo_app(cluster)
        async with app.run_test(size=(140, 44)) as pilot:
            m1, m2 = app.models["server1"], app.models["server2"]
            t0 = time.monotonic()

            async def step(name: str, wait: Awaitable[object]) -> None:
                """Await ``wait`` (bounded) and note when ``name`` was seen."""
                try:
                    async with asyncio.timeout(STEP_S):
                        await wait
                except TimeoutError:
                    raise AssertionError(f"not seen within {STEP_S} s: {name}; {seen}") from None
                seen[name] = round(time.monotonic() - t0, 2)

            async def holds(predicate: Callable[[], bool], io: bool) -> None:
                while not (await asyncio.to_thread(predicate) if io else predicate()):
                    await pilot.pause(0.05)

            async def until(name: str, predicate: Callable[[], bool], io: bool = False) -> None:
                """Wait for `predicate`; with `io` (a process scan) it runs in a thread."""
                await step(name, holds(predicate, io))

            async def vip(name: str, node: str, present: bool = True) -> None:
                """The VIP on (or off) ``node``'s eth0: `ip monitor` there, in a thread."""
                lab_node = cluster[node].lab_node
                await step(name, asyncio.to_thread(lab_node.wait_for_address, VIP, present, STEP_S))

            def other_pane() -> str:
                return app.dashboard.query_one(OtherNodesPanel).plain("server2")

            await until("server1 holds the VIP", lambda: owner(m1) == "server1")
            await until("server1's own send counter", lambda: "B/s sent" in wire_text(app))
            await until(
                "server2 hears server1",
                lambda: "server1" in m2.nodes and m2.nodes["server1"].status == "active",
            )
            assert "keys act on server1" in str(app.dashboard.query_one(ModeHeader).render())
            await pilot.press("k")
            await until("kill asks first", lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await until("server1 killed", lambda: not cluster["server1"].running(), io=True)
            await until("server2 counts down", lambda: "dead in" in other_pane())
            await until("server1 dead at server2", lambda: m2.nodes["server1"].status == "dead")
            await until("VIP on server2 (its view)", lambda: owner(m2) == "server2")
            await vip("VIP on server2's eth0", "server2")
            await until(
                "failback.sh start on server2",
                lambda: scripts_said(m2, "failback.sh: starting on server2"),
            )
            await until("pane says held by server2", lambda: "held by server2" in other_pane())
            await pilot.press("r")
            await until("server1 back", cluster["server1"].running, io=True)
            await until("auto_failback: VIP home", lambda: owner(m2) == "server1")
            await vip("VIP gone from server2", "server2", present=False)
            await vip("VIP on server1", "server1")
            await until(
                "failback.sh stop on server2",
                lambda: scripts_said(m2, "failback.sh: stopping on server2"),
            )
            await until(  # issue 14.5: logged before the restarted node's socket existed
                "server1's log pane has the restart's first lines",
                lambda: any("removing it before joining" in line.text for line in m1.log),
            )
            await pilot.press("h")
            await until("h opens the wizard", lambda: isinstance(app.screen, RenameScreen))
            await pilot.press("escape")
            await until("wizard closed", lambda: not isinstance(app.screen, RenameScreen))
            await pilot.press("B")
            await until("B opens the bundle dialog", lambda: isinstance(app.screen, ReportScreen))
            bundle_dialog = app.screen
            await pilot.press("enter")
            await until("the bundle is written", lambda: bundle_dialog.state == "done")  # type: ignore[attr-defined]
            await pilot.press("escape")
            await until("the log says where", lambda: any(
                "support bundle: wrote" in line.text for line in m1.log))  # fmt: skip
            files = await asyncio.to_thread(bundle_files, cluster)
            assert json.loads(files["server1/status.json"])["node"] == "server1"
            assert json.loads(files["server2/status.json"])["node"] == "server2"
            assert "server1 heartbeat" in files["server1/log/ha-log"]
            assert "unreachable" not in files["README.txt"]
            await pilot.press("tab")
            await until(
                "tab focuses server2",
                lambda: "keys act on server2" in str(app.dashboard.query_one(ModeHeader).render()),
            )
            await pilot.press("q")
            await until("quit", lambda: not app.is_running)
    print(seen)
    assert not set(made) & existing_netns(), "namespaces left behind"
    assert not [pid for pid in anchors if os.path.exists(f"/proc/{pid}")], "node processes left"


async def test_the_demo_wizard_renames_server2_to_server3_and_back() -> None:
    """The demo console's wizard backend renames server2 and back; the console follows."""
    skip_unless_demo_can_run()
    from hbtui.commands.demo import demo_app
    from hbtui.console.model import ConsoleModel
    from hbtui.console.screens.rename import RenameScreen
    from hbtui.lab.demo_rename import HOSTNAME_FILE

    with DemoCluster() as cluster:
        cluster.start_all()
        await asyncio.to_thread(demo_command.wait_answering, cluster, 20.0)
        server2 = cluster["server2"]
        uuid_file = server2.state_dir / "hb_uuid"
        deadline = time.monotonic() + 10  # seen missing once right after the node answered
        while not uuid_file.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        old_uuid = uuid_file.read_bytes()
        app = demo_app(cluster)
        async with app.run_test(size=(140, 44)) as pilot:
            for old, new in (("server2", "server3"), ("server3", "server2")):
                assert app.rename_backend is not None
                make_plan, execute = app.rename_backend
                plan = await make_plan(old, new)
                assert plan.problems == ()
                outcomes = await asyncio.wait_for(execute(plan, lambda *_: None), 90)
                keys = [o.step.key for o in outcomes if o.ok]
                assert keys == ["check", "stop", "uuid", "rename", "start", "verify"], keys
                # `uname` in the namespace: off the loop the console runs on
                uname = await asyncio.to_thread(server2.lab_node.run, ["uname", "-n"])
                assert uname.stdout.strip() == new
                assert server2.lab_node.host_path(HOSTNAME_FILE).read_text().strip() == new
                ha_cf = (cluster["server1"].config_dir / "ha.cf").read_text()
                assert f"node server1 {new}" in ha_cf
                app.post_message(RenameScreen.Renamed(old, new))
                async with asyncio.timeout(STEP_S):  # the console reopens under the new name
                    while set(app.sources) != {"server1", new}:
                        await pilot.pause(0.05)
                assert app.primary == "server1"
                server1 = app.models["server1"]

                def caught_up(model: ConsoleModel = server1, gone: str = old) -> bool:
                    statuses = model.resources.values()  # the VIP's group runs on server1
                    return gone not in model.nodes and all(
                        s.startswith("running") for s in statuses
                    )

                async with asyncio.timeout(STEP_S):  # issue 14.5: stale card, `stopped`
                    while not caught_up():
                        await pilot.pause(0.05)
        assert (server2.state_dir / "hb_uuid").read_bytes() != old_uuid
        assert cluster["server1"].has_vip()


def test_headless_demo_prints_both_nodes_and_cleans_up() -> None:
    skip_unless_demo_can_run()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hbtui.cli", "demo", "--headless", "--seconds", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert f"VIP {VIP} on server1: yes" in out
    assert "== hbtui status on server1 ==" in out and "== hbtui status on server2 ==" in out
    assert out.count("nodestatus server2: active") == 2
    prefix = f"hbl{proc.pid:x}-"
    assert not [name for name in existing_netns() if name.startswith(prefix)]


def test_the_config_the_demo_installs_passes_check(tmp_path: Path) -> None:
    import io

    from hbtui.commands.check import check_config
    from hbtui.lab.demo import install_config

    install_config(tmp_path / "ha.d")
    assert (tmp_path / "ha.d" / "authkeys").stat().st_mode & 0o777 == 0o600
    out = io.StringIO()
    assert check_config(tmp_path / "ha.d", "server1", as_json=False, out=out) == 0
    assert "nodes server1 server2; this node server1" in out.getvalue()


def test_demo_without_root_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hbtui.lab import userns

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(userns, "probe_failure", lambda: "unshare: Operation not permitted")
    assert demo_command.run(argparse.Namespace(headless=True, seconds=1.0)) == 2
    err = capsys.readouterr().err
    assert "needs root" in err and "network namespaces" in err
