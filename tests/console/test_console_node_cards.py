"""Node cards reused across focus changes (seen at 80x24 in tmux: after tab to server2 and
back, server1's card for server2 had lost its deadtime countdown for good)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from hbtui.console.model import ConsoleModel
from hbtui.console.widgets.countdown import CountdownBar
from hbtui.console.widgets.node_card import NodeCard
from hbtui.console.widgets.nodes import NodesPanel


def view_from(us: str, peer: str) -> ConsoleModel:
    model = ConsoleModel(us, str)
    model.node(us).status = "active"
    peer_view = model.node(peer)
    peer_view.status, peer_view.last_heard_ms, peer_view.deadline_ms = "active", 1000, 6000
    peer_view.deadtime_ms = 5000
    return model


class Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield NodesPanel()


async def test_a_card_that_showed_its_own_node_counts_down_again_as_a_peer() -> None:
    server1, server2 = view_from("server1", "server2"), view_from("server2", "server1")
    app = Panel()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(NodesPanel)
        for model in (server1, server2, server1):  # focus: server1, tab, tab back
            panel.reset()
            panel.show(model)
            await pilot.pause()
            panel.tick(model, 2000)
            await pilot.pause()
        bars = {c.node_name: c.query_one(CountdownBar) for c in panel.query(NodeCard)}
        assert bars["server2"].display, "server2's countdown hidden on server1's view"
        assert not bars["server1"].display  # our own card has no countdown
