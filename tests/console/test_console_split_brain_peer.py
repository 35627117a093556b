"""Issue 17: the split-brain banner with both nodes' probes, the peer's run over its link
(a stand-in link answering as the peer's ``python3 -`` would), each with both MACs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence

from textual.pilot import Pilot

from hbtui.console.app import ConsoleApp
from hbtui.console.widgets.banner import SplitBrainBanner
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import CommandResult, PeerLink, PeerTarget
from hbtui.sources.demo_trace import trace
from hbtui.sources.peer import PeerSource
from hbtui.sources.replay import ReplaySource, initial_snapshot
from hbtui.stream.items import SnapshotTaken
from tests.console.helpers import STEADY_MS, at
from tests.console.test_console_layout import flat, screen_text

VIP = "192.168.10.10"
SERVER1_MAC, SERVER2_MAC = "02:00:c0:a8:0a:01", "02:00:c0:a8:0a:02"


class AnsweringLink:
    """Answers the probe program as server1 would while it holds the VIP too."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        self.runs += 1
        probe = {"ip": VIP, "device": "eth0", "mac": SERVER1_MAC, "here": True,
                 "macs": [SERVER2_MAC]}  # fmt: skip
        return CommandResult(tuple(argv), 0, json.dumps({"probes": [probe]}), "")


async def until(pilot: Pilot[None], predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(20):
        while not predicate():
            await pilot.pause(0.05)


async def test_the_banner_shows_both_nodes_probes_with_both_macs() -> None:
    local = {"ip": VIP, "device": "eth0", "here": True, "macs": [SERVER1_MAC],
             "mac": SERVER2_MAC}  # fmt: skip
    items = [
        *trace(),
        SnapshotTaken(STEADY_MS + 10, {"node": "server2", "runtime": {"split_brain": [local]}}),
    ]
    items.sort(key=lambda item: item.at_ms)
    source = ReplaySource(items, initial_snapshot(items))
    target = PeerTarget("server1", host="127.0.0.1", port=1, connect_timeout_s=1)  # refused
    peer = PeerSource(PeerSession(PeerLink(target), "server2"), 2.0, [(VIP, "eth0")])
    assert peer.probe is not None
    link = AnsweringLink()
    peer.probe.runner = link
    app = ConsoleApp(source, others=[peer], poll_sockets=False)
    async with app.run_test(size=(140, 44)) as pilot:
        await at(pilot, source, STEADY_MS + 20)
        await peer.probe.check_once()  # as its loop does once the link is up
        banner = app.dashboard.query_one(SplitBrainBanner)
        await until(pilot, lambda: "ARP probe from server1" in flat(screen_text(app)))
        shown = flat(screen_text(app))
        assert banner.display and link.runs == 1
        assert (
            f"SPLIT BRAIN: {VIP} on eth0 is answered by 2 machines: server2 (this node, MAC "
            f"{SERVER2_MAC}), MAC {SERVER1_MAC} (server1) (ARP probe from server2)" in shown
        ), shown
        assert (
            f"SPLIT BRAIN: {VIP} on eth0 is answered by 2 machines: server1 (MAC {SERVER1_MAC}),"
            f" MAC {SERVER2_MAC} (server2) (ARP probe from server1)" in shown
        ), shown
        crit = [ln for ln in app.models["server1"].log if ln.level == "CRIT"]
        assert crit and "Split brain seen from server1" in crit[0].text
        await pilot.press("q")


def test_both_probes_holding_the_vip_unheard_is_a_split_brain() -> None:
    """The ARP probes do not cross (the link between the nodes is cut), but each node's own
    probe finds the VIP on itself: the two views together are a split brain."""
    from hbtui.console.model import ConsoleModel
    from hbtui.console.widgets.banner import banner_lines

    def probed(node: str, held: list[str]) -> ConsoleModel:
        model = ConsoleModel(node, str)
        runtime = {"split_brain": [], "probe_held": held}
        model.apply(SnapshotTaken(1, {"node": node, "runtime": runtime}))
        return model

    ours, theirs = probed("server2", [VIP]), probed("server1", [VIP])
    (line,) = banner_lines(ours, [theirs], [theirs])
    assert line.startswith(f"SPLIT BRAIN: {VIP} is on server2 (this node) and on server1")
    assert banner_lines(ours, [], [probed("server1", [])]) == []
    assert banner_lines(probed("server2", []), [], [theirs]) == []
