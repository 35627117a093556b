"""Scenes of the console that need no root, over recorded input: the post-mortem of the real
daemon's ha-logs (tests/wire/vectors), the split-brain banner found by the ARP probe (the demo
trace plus the probe's snapshot, as test_console_layout has it) and the Wire pane's keepalive
gap histogram over a recorded lossy link (tests/console/traces, scripts/record_lossy_link.py).

Each scene is an app and the Pilot steps before its picture; the snapshot tests and
scripts/screenshots_offline.py take them from here, so the README's pictures are the tested ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from hbtui.console.app import ConsoleApp
from hbtui.console.postmortem_app import PostmortemApp
from hbtui.postmortem.files import read_log
from hbtui.postmortem.timeline import Settings, analyse
from hbtui.sources.demo_trace import trace
from hbtui.sources.replay import ReplaySource, initial_snapshot
from hbtui.stream import trace as tracefile
from hbtui.stream.items import SnapshotTaken
from tests.console.helpers import AFTER_FAILOVER_MS, at, crash_server1, settle

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "wire" / "vectors"
LOSSY_TRACE = HERE / "traces" / "lossy-link-server1.jsonl"
NODES = ("server1", "server2")
# the vectors' ha.cf (tests/wire/vectors/README.md): deadtime 5, warntime 3, auth 1 sha1
HOWTO = Settings(deadtime_s=5, warntime_s=3, key="key 1 (sha1)", nodes=NODES)
# server2's ha-log: server1 killed, server2 takes over; server1 restarts, auto_failback
INCIDENT = ("ha-log-b-node-dead-takeover-server2.txt", "ha-log-c-failback-server2.txt")
# what server2's ARP probe found (runtime.split_brain): server1's MAC (the lab's
# 02:00:c0:a8:0a:<index>, hbtui/lab/netns.py) answers for the VIP server2 holds
PROBE_FOUND = {"ip": "192.168.10.10", "device": "eth0", "here": True, "mac": "02:00:c0:a8:0a:02",
               "macs": ["02:00:c0:a8:0a:01"]}  # fmt: skip

Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def _nothing(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def postmortem() -> tuple[App[Any], Steps]:
    """``hbtui postmortem`` of server2's ha-log over a failover and the failback after it."""
    # named as an operator gives them (no directory: the picture holds no path of this machine)
    logs = [replace(read_log(VECTORS / name, NODES), path=Path(name)) for name in INCIDENT]
    return PostmortemApp(analyse(logs, HOWTO)), _nothing


def postmortem_findings() -> tuple[App[Any], Steps]:
    """The same with ``v``: script calls and problems."""
    app, _ = postmortem()

    async def steps(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)

    return app, steps


def split_brain() -> tuple[App[Any], Steps]:
    """The demo trace's crash of server1 seen from server2: server2 took the VIP, but the
    killed server1 left it on its eth0 (kill -9 releases nothing) and its MAC still answers
    server2's ARP probe: the banner above every pane."""
    found = {"node": "server2", "runtime": {"split_brain": [PROBE_FOUND]}}
    items = [*trace(), SnapshotTaken(AFTER_FAILOVER_MS - 100, found)]
    items.sort(key=lambda item: item.at_ms)
    source = ReplaySource(items, initial_snapshot(items))
    app = ConsoleApp(source, poll_sockets=False)

    async def steps(pilot: Pilot[Any]) -> None:
        await crash_server1(pilot, source)
        await at(pilot, source, AFTER_FAILOVER_MS)

    return app, steps


def gap_histogram(view_presses: int = 0) -> tuple[App[Any], Steps]:
    """The recorded lossy link played to its end; ``v`` pressed ``view_presses`` times (the
    compact layout shows the Wire pane on the third)."""
    items = tracefile.load(LOSSY_TRACE)
    source = ReplaySource(items, initial_snapshot(items))
    app = ConsoleApp(source, poll_sockets=False)

    async def steps(pilot: Pilot[Any]) -> None:
        await at(pilot, source, items[-1].at_ms)
        for _ in range(view_presses):
            await pilot.press("v")
        await settle(pilot)

    return app, steps
