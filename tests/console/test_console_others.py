"""The other-nodes pane's checks: a stopped node's view is history, two owners = split brain."""

from __future__ import annotations

import io

from hbtui.console.model import ConsoleModel, VipView
from hbtui.console.widgets.others import (
    Glance,
    card_keys,
    card_parts,
    compare,
    countdown_lines,
    short_line,
)

VIP = "192.168.10.10"


def model(us: str, peer: str, peer_status: str, owner: str | None) -> ConsoleModel:
    made = ConsoleModel(us, str)
    made.node(us).status = "active"
    made.node(peer).status = peer_status
    made.vips[VIP] = VipView("IPaddr::192.168.10.10/24", VIP, owner=owner)
    return made


def test_both_holding_the_vip_is_split_brain_with_the_evidence() -> None:
    one = model("server1", "server2", "dead", "server1")
    two = Glance("server2", model("server2", "server1", "dead", "server2"), True, 0, "demo node")
    found = compare(one, True, two)
    assert found[0].kind == "split-brain"
    assert "held by server1 and by server2" in found[0].text
    assert "server1 sees server2 dead" in found[0].text


def test_a_stopped_node_is_not_compared() -> None:
    one = model("server1", "server2", "unknown", "server1")  # killed: VIP left on eth0
    two = Glance("server2", model("server2", "server1", "dead", "server2"), True, 0, "demo node")
    assert compare(one, False, two) == []


def test_one_way_loss_is_called_out() -> None:
    one = model("server1", "server2", "active", "server1")
    two = Glance("server2", model("server2", "server1", "dead", None), True, 0, "demo node")
    kinds = [d.kind for d in compare(one, True, two)]
    assert kinds == ["one-way"]


def test_countdown_as_the_other_node_counts_it() -> None:
    other = model("server2", "server1", "active", "server1")
    view = other.node("server1")
    view.last_heard_ms, view.deadline_ms = 1000, 6000
    glance = Glance("server2", other, True, 4500, "demo node")
    from rich.console import Console

    console = Console(width=80, record=True, file=io.StringIO())
    console.print(*card_parts(glance, []))
    text = console.export_text()
    assert "server1: heard 3.5 s ago, dead in 1.5 s" in text
    assert "held by server1" in text


def test_calm_countdowns_move_in_whole_seconds_and_only_they_change_the_look() -> None:
    other = model("server2", "server1", "active", "server1")
    view = other.node("server1")
    view.last_heard_ms, view.deadline_ms = 1000, 6000  # keepalive 1 s: overdue from 2500
    lines = [countdown_lines(Glance("server2", other, True, t, "demo node")) for t in (1200, 1900)]
    assert lines[0] == lines[1] and lines[0][0].plain == "server1: heard 0.0 s ago, dead in 5.0 s"
    keys = [
        card_keys(card_parts(Glance("server2", other, True, t, "demo node"), []))
        for t in (1200, 2600, 2700)
    ]
    assert keys[0][0] == keys[1][0] == keys[2][0]  # same shape: a repaint, never a reflow
    assert keys[0][1] != keys[1][1] != keys[2][1]  # overdue: every tenth of a second shows


def test_short_line_drops_the_log_prefixes() -> None:
    assert short_line("Nov 26 05:33:52 server2 heartbeat: [8]: info: Link up.") == "info: Link up."
    assert short_line("2026/11/26_05:33:52  mach_down(default)[8]:    info: x") == "info: x"
    assert short_line("plain") == "plain"


def test_a_peer_that_cannot_be_reached_is_unreachable_never_not_running() -> None:
    """Issue 14.7: a DNS failure, a refused connection or an unknown host key shows as
    "unreachable: <why>", never "not running" (we do not know whether it runs)."""
    from hbtui.console.widgets.link import unreachable
    from hbtui.stream.link import HostKeyRefusal, HostKeyVerdict, LinkState, LinkStatus

    dns = LinkStatus("server2", LinkState.DOWN, "[Errno -2] Name or service not known", 2, 5.0)
    glance = Glance("server2", model("server2", "server1", "active", "server1"), False, 0,
                    "peer over SSH", dns)  # fmt: skip
    head = str(card_parts(glance, [])[0])
    assert "unreachable: [Errno -2] Name or service not known" in head
    assert "not running" not in head
    refused = LinkStatus("server2", LinkState.DOWN, "Connection refused", 3)
    assert unreachable(refused) == "unreachable: Connection refused"
    refusal = HostKeyRefusal(HostKeyVerdict.UNKNOWN, "server2", 22, "SHA256:x", "ssh-ed25519")
    assert unreachable(LinkStatus("server2", LinkState.REFUSED, refusal=refusal)) == (
        "unreachable: host key unknown"
    )
    assert unreachable(LinkStatus("server2", LinkState.UP)) is None
    assert unreachable(LinkStatus("server2", LinkState.CONNECTING, attempts=1)) is None
    stopped = Glance("server2", model("server2", "server1", "active", "server1"), False, 0,
                     "peer over SSH", LinkStatus("server2", LinkState.UP))  # fmt: skip
    assert "not running" in str(card_parts(stopped, [])[0])  # reached, and it does not run
