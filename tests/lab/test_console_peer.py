"""From server1's console: server2 over a real sshd, its live view, a failover drill
(``D``: both nodes' configs compared and server2's scripts read over the link), B's support
bundle with server2 collected over the link (hbtui status, or the real daemon's cl_status
and ha-log), stop / delete hb_uuid / start through its own service manager, and the
hostname wizard server2 -> server3 -> server2.

The console runs here (the root namespace) as ``hbtui console`` does on server1: attached
to server1's ``hbtui node`` control socket, one ``PeerSource`` for server2 over SSH. The
SSH link goes to a real OpenSSH ``sshd -D`` listening on server2's address, port 47022,
inside server2's namespaces; its TCP connection starts in server1's network namespace (the
ProxyCommand's relay) and crosses the lab bridge (strict known_hosts, generated keys; the
root namespace has no address there). The wizard's runner for server1 enters
server1's namespaces, and so does the drill's (as ``hbtui console`` builds its
``DrillSetup``: a runner per node, server2's the link). Every wait is bounded and
follows what the console's models show.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shlex
import tarfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from hbtui.commands.console import bundle_setup, runners_of
from hbtui.commands.drill import keeper
from hbtui.config.loader import load_config
from hbtui.console.app import ConsoleApp, Reopened
from hbtui.console.model import ConsoleModel
from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.drill import DrillScreen
from hbtui.console.screens.rename import RenameScreen
from hbtui.console.screens.report import ReportScreen
from hbtui.control import client
from hbtui.drill.driver import DrillSetup
from hbtui.lab.netns import Lab
from hbtui.lab.node import Node
from hbtui.lab.nodeproc import CONTROL_SOCKET
from hbtui.lab.runner import NodeRunner
from hbtui.remote import detect
from hbtui.remote.ssh import PeerTarget
from hbtui.report.ask import BundleSetup
from hbtui.sources.attach import AttachedSource
from hbtui.sources.drill_reads import after_reads, preflight_reads
from hbtui.sources.embedded import config_extras
from hbtui.sources.peers import PeerOptions, peers_for

from .cluster import Cluster, LabNodeProcess, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HbtuiByInitScript, HbtuiNode
from .observe import wait_for_vip
from .ssh_peer import HBTUI_PROGRAM, peer_target, skip_without_sshd

pytestmark = [pytest.mark.lab]

HOWTO = HaSetup()
VIP = HOWTO.vip_ip
STEP_S = 30.0
RENAME_S = 90.0
DRILL_S = 60.0
ETC_HA_D = PurePosixPath("/etc/ha.d")
# /etc/hostname is the machine's (not private to a lab node) and /etc/hosts is bind-mounted:
# the wizard keeps the name in the node's private /var/log (as tests/lab/test_rename.py).
HOSTNAME_FILE = PurePosixPath("/var/log/lab-hostname")


def attached(node: Node, timeout: float = STEP_S) -> AttachedSource:
    """server1's console source: its node's control socket, as `hbtui console` attaches."""
    path = node.host_path(CONTROL_SOCKET)
    deadline = time.monotonic() + timeout
    while True:
        try:
            snapshot = client.request(path, "snapshot", timeout_s=2.0)
            break
        except (client.NoNodeRunning, client.ControlError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # the node is starting: its socket appears shortly
    config, _problems = load_config(node.etc_dir, node.name)
    return AttachedSource(path, snapshot, config_extras(config) if config else {})


def console_for(cluster: Cluster, ssh_dir: Path, drills: Path) -> ConsoleApp:
    """The console server1's operator opens, with a reopen for after a rename and ``D``
    keeping its reports in ``drills``."""
    server1, server2 = cluster["server1"].node, cluster["server2"].node
    # sshd on server2:47022, reached over TCP from server1 across the lab bridge; its host key
    # is known as "server2" and kept after renames
    base = peer_target(server2, ssh_dir, over_tcp_from=server1)

    def target_for(name: str) -> PeerTarget:
        return dataclasses.replace(base, node=name)

    options = PeerOptions(
        target_for=target_for,
        hbtui_program=HBTUI_PROGRAM,
        local_runner=NodeRunner(server1),
        rename_options={
            "hosts_file": None,  # a bind-mounted file in the lab
            "hostname_file": HOSTNAME_FILE,
            "hbtui_program": HBTUI_PROGRAM,
        },
    )

    def sources() -> Reopened:
        primary = attached(server1)
        config, problems = load_config(server1.etc_dir, "server1")
        assert config is not None, problems
        peers, backend = peers_for(config, "server1", options)
        return primary, peers, backend

    async def reopen(old: str, new: str) -> Reopened:
        return await asyncio.to_thread(sources)

    def runners() -> dict[str, Any]:
        return runners_of(app, NodeRunner(server1))

    drill = DrillSetup(keep=keeper(drills), timeout_s=STEP_S,
                       reads=preflight_reads(runners, ETC_HA_D),
                       peer_scripts=after_reads(runners, ETC_HA_D))  # fmt: skip
    primary, peers, backend = sources()
    app = ConsoleApp(
        primary, others=peers, poll_sockets=False, rename=backend, reopen=reopen, drill=drill
    )
    app.bundle_setup = lab_bundle(app, server1, ssh_dir.parent / "reports")
    return app


def lab_bundle(app: ConsoleApp, server1: Node, directory: Path) -> BundleSetup:
    """B as `hbtui console` gives it on server1 (its files read inside its namespaces, the
    peer over the console's SSH link), the bundle written into ``directory``."""
    args = argparse.Namespace(
        config_dir="/etc/ha.d", state_dir="/var/lib/heartbeat", control_socket=CONTROL_SOCKET,
        peer_hbtui=shlex.join(HBTUI_PROGRAM),
    )  # fmt: skip
    setup: BundleSetup = bundle_setup(
        args, "server1", lambda: runners_of(app, NodeRunner(server1)), directory
    )
    return setup


def bundle_files(directory: Path) -> dict[str, str]:
    """The files of the one bundle in ``directory``, by name below the top directory."""
    (bundle,) = directory.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}  # fmt: skip


def owner(model: ConsoleModel) -> str | None:
    vip = model.vips.get(VIP)
    return None if vip is None else vip.owner


def status_of(model: ConsoleModel, name: str) -> str | None:
    view = model.nodes.get(name)
    return None if view is None else view.status


class Drive:
    """Bounded waits on what the console shows, with the time each step was seen."""

    def __init__(self, app: ConsoleApp, pilot: Pilot[None]) -> None:
        self.app, self.pilot = app, pilot
        self.t0 = time.monotonic()
        self.seen: dict[str, float] = {}

    def model(self, name: str) -> ConsoleModel:
        return self.app.models[name]

    async def until(self, step: str, predicate: Callable[[], bool], limit: float = STEP_S) -> None:
        try:
            async with asyncio.timeout(limit):
                while not predicate():
                    await self.pilot.pause(0.05)
        except TimeoutError:
            log = "\n".join(line.text for line in list(self.app.model.log)[-15:])
            raise AssertionError(
                f"not seen within {limit} s: {step}; so far {self.seen}\n"
                f"{self.app.focused_node}'s log:\n{log}"
            ) from None
        self.seen[step] = round(time.monotonic() - self.t0, 2)

    def logged(self, name: str, words: str) -> bool:
        return any(words in line.text for line in self.model(name).log)

    async def confirm(self, key: str, step: str) -> str:
        """Press ``key``, answer yes in the confirm modal; the modal's text."""
        await self.pilot.press(key)
        await self.until(f"{step} asks first", lambda: isinstance(self.app.screen, ConfirmScreen))
        screen = self.app.screen
        assert isinstance(screen, ConfirmScreen)
        await self.pilot.press("y")
        return screen.explanation

    async def drill(self, drills: Path) -> dict[str, Any]:
        """D on server1, yes, done, closed; the report kept (JSON)."""
        app = self.app
        await self.pilot.press("D")
        await self.until("D opens the drill", lambda: isinstance(app.screen, DrillScreen))
        screen = app.screen
        assert isinstance(screen, DrillScreen)

        def text() -> str:
            return str(screen.query_one("#drill-text", Static).render())

        await self.until("the drill's preflight", lambda: screen.state != "checking")
        assert screen.state == "confirm", text()
        await self.pilot.press("y")
        await self.until("the drill done", lambda: screen.state == "done", DRILL_S)
        assert text().startswith("Passed."), text()
        assert " run, none failed (its ha-log)" in text(), text()  # the peer's, over SSH
        await self.pilot.press("escape")
        await self.until("drill closed", lambda: not isinstance(app.screen, DrillScreen))
        (kept,) = sorted(drills.glob("drill-*.json"))
        report: dict[str, Any] = json.loads(kept.read_text())
        report["markdown"] = kept.with_suffix(".md").read_text()
        return report

    async def rename(self, old: str, new: str) -> None:
        """h, plan (dry run), run with yes, done; the console reopens under the new names."""
        app = self.app
        await self.pilot.press("h")
        await self.until(
            f"h opens the wizard ({old})", lambda: isinstance(app.screen, RenameScreen)
        )
        screen = app.screen
        assert isinstance(screen, RenameScreen)
        assert screen.nodes == ["server1", old]
        screen.query_one("#rename-new", Input).value = new
        await self.pilot.press("enter")  # the name field has the focus: Enter plans
        await self.until(f"plan {old} -> {new}", lambda: screen.plan is not None)
        assert screen.plan is not None
        assert screen.plan.problems == (), screen.plan.problems
        text = "\n".join(line.text for line in screen.log_view.lines)
        assert f"Rename {old} -> {new}" in text
        await self.confirm("ctrl+r", f"run {old} -> {new}")
        done = f"done: {old} is now {new}"

        def wizard_text() -> str:
            return "\n".join(line.text for line in screen.log_view.lines)

        await self.until(
            done, lambda: done in wizard_text() or "STOPPED" in wizard_text(), RENAME_S
        )
        assert done in wizard_text(), wizard_text()
        await self.until(f"console shows {new}", lambda: list(app.sources) == ["server1", new])
        await self.pilot.press("escape")
        await self.until(f"wizard closed ({new})", lambda: not isinstance(app.screen, RenameScreen))
        await self.until(
            f"server1 sees {new} active", lambda: status_of(self.model("server1"), new) == "active"
        )
        await self.until(
            f"{new} sees server1 active", lambda: status_of(self.model(new), "server1") == "active"
        )


async def scenario(
    lab: Lab, tmp_path: Path, kinds: list[type[LabNodeProcess]], back: bool = True
) -> dict[str, Any]:
    """The operator's session; returns the times each step was seen. ``back``: rename
    server3 to server2 again at the end."""
    cluster = Cluster(lab, kinds, HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], VIP, present=True, timeout=25)
    server2 = lab["server2"]
    hb_uuid = server2.host_path("/var/lib/heartbeat/hb_uuid")
    app = console_for(cluster, tmp_path / "ssh", tmp_path / "drills")
    hbtui_peer = issubclass(kinds[1], HbtuiNode)
    async with app.run_test(size=(160, 50)) as pilot:
        go = Drive(app, pilot)
        m1, m2 = go.model("server1"), go.model("server2")
        await go.until("server1 holds the VIP", lambda: owner(m1) == "server1")
        await go.until("server2's view: active", lambda: status_of(m2, "server2") == "active")
        await go.until("server2 sees server1", lambda: status_of(m2, "server1") == "active")
        if hbtui_peer:
            heard: list[int] = []

            def keepalives() -> bool:
                last = m2.nodes["server1"].last_heard_ms
                if last is not None and last not in heard:
                    heard.append(last)
                return len(heard) >= 3

            await go.until("server2 hears server1's keepalives", keepalives)
            await go.until("VIP owner: both say server1", lambda: owner(m2) == "server1")
            report = await go.drill(tmp_path / "drills")
            print(report["markdown"])
            assert report["result"] == "passed", report["markdown"]
            assert report["notes"] == []  # configs compared over the link, the log read
            ops = {(s["resource"], s["op"], s["rc"]) for s in report["scripts"]}
            assert {("failback.sh", "stop", 0), ("failback.sh", "start", 0)} <= ops, ops
            assert report["peer_unread"] is None
            theirs = {(s["resource"], s["op"], s["rc"]) for s in report["peer_scripts"]}
            assert {("failback.sh", "start", 0), ("failback.sh", "stop", 0)} <= theirs, theirs
            assert "Scripts run on server2 (its ha-log):" in report["markdown"]
            await go.until("VIP back on server1", lambda: owner(m1) == "server1")
        old_uuid = detect.parse_od_uuid(hb_uuid.read_bytes().hex(" "))

        await pilot.press("B")  # issue 17: the peer collected over the console's own link
        await go.until("B opens the bundle dialog", lambda: isinstance(app.screen, ReportScreen))
        dialog = app.screen
        assert isinstance(dialog, ReportScreen)
        await pilot.press("enter")
        await go.until("the bundle is written", lambda: dialog.state in ("done", "failed"))
        assert dialog.state == "done", dialog.outcome
        await pilot.press("escape")
        files = await asyncio.to_thread(bundle_files, tmp_path / "reports")
        assert "node server1 server2" in files["server2/etc/ha.cf"]
        assert all(HOWTO.auth_key not in text for text in files.values())
        assert "unreachable" not in files["README.txt"], files["README.txt"]
        if hbtui_peer:
            assert json.loads(files["server2/status.json"])["node"] == "server2"
        else:  # the real daemon: its own cl_status and ha-log
            assert "running" in files["server2/cl_status.txt"], files["README.txt"]
            assert "heartbeat" in files["server2/log/ha-log"]
        assert json.loads(files["server1/status.json"])["node"] == "server1"

        await pilot.press("tab")
        await go.until("tab focuses server2", lambda: app.focused_node == "server2")
        init = "/etc/init.d/hbtui" if hbtui_peer else "/etc/init.d/heartbeat"
        stop_command = f"server2 (init-script): {init} stop"
        shown = await go.confirm("s", "stop server2")
        assert stop_command in shown  # detected and shown before running
        await go.until("server2 stopped", lambda: not cluster["server2"].running())
        await go.until("server1 sees server2 dead", lambda: status_of(m1, "server2") == "dead")
        await go.until("the log shows what ran", lambda: go.logged("server2", "console: running"))
        ran = [ln.text for ln in m2.log if "console: running" in ln.text]
        assert ran[-1] == f"console: running {stop_command}", ran

        await go.confirm("u", "delete server2's hb_uuid")
        await go.until("hb_uuid gone in server2", lambda: not hb_uuid.exists())

        await pilot.press("r")
        await go.until("server2 running again", cluster["server2"].running)
        await go.until("server1 sees server2 back", lambda: status_of(m1, "server2") == "active")

        def uuid_written() -> bool:  # the real daemon creates the file, then writes into it
            return hb_uuid.exists() and hb_uuid.stat().st_size == detect.UUID_BYTES

        await go.until("server2 has a new hb_uuid", uuid_written)
        raw = hb_uuid.read_bytes()
        new_uuid = detect.parse_od_uuid(raw.hex(" "))
        assert new_uuid not in (None, old_uuid)
        new_hex = raw.hex()  # as hbtui's snapshot writes a uuid
        await go.until("VIP home on server1", lambda: owner(m1) == "server1")
        # server1 runs hbtui: it names the uuid server2's packets carry (either daemon)
        await go.until("server1 knows the new uuid", lambda: m1.nodes["server2"].uuid == new_hex)

        await go.rename("server2", "server3")
        assert server2.run(["uname", "-n"]).stdout.strip() == "server3"
        assert "node server1 server3" in (lab["server1"].etc_dir / "ha.cf").read_text()
        assert "node server1 server3" in (server2.etc_dir / "ha.cf").read_text()
        assert app.focused_node == "server3"

        if back:
            await go.rename("server3", "server2")
            assert server2.run(["uname", "-n"]).stdout.strip() == "server2"
        await go.until("VIP on server1 at the end", lambda: owner(go.model("server1")) == "server1")
        await pilot.press("q")
        await go.until("quit", lambda: not app.is_running)
    print(go.seen)
    return go.seen


async def test_console_drives_an_hbtui_peer_over_ssh(lab: Lab, tmp_path: Path) -> None:
    skip_without_sshd()
    await scenario(lab, tmp_path, [HbtuiByInitScript, HbtuiByInitScript])


@pytest.mark.interop
async def test_console_drives_the_real_daemon_over_ssh(
    lab: Lab, tmp_path: Path, real_heartbeat: None
) -> None:
    """server2 runs Heartbeat 3.0.6 (its init script, cl_status, ha-log); one rename (the
    executor renames real daemons both ways in test_rename.py)."""
    skip_without_sshd()
    await scenario(lab, tmp_path, [HbtuiByInitScript, RealHeartbeat], back=False)
