"""The peer's view: reducer, split brain and one-way loss, and the ha-log feed over sshd."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path, PurePosixPath

from hbtui.remote.feed import follow_peer
from hbtui.remote.peerview import PeerView, disagreements
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd

SNAP = {
    "node": "server2",
    "status": "active",
    "rsc_hold": "all",
    "nodes": {"server2": {"status": "active"}, "server1": {"status": "dead"}},
    "vips": [{"resource": "IPaddr::192.168.10.10/24", "ip": "192.168.10.10", "owner": "server2"}],
    "rejected": [{"reason": "bad_auth", "ip": "192.168.10.1", "count": 3}],
}


def test_split_brain_is_called_out_with_both_views() -> None:
    view = PeerView("server2")
    view.apply_event({"type": "snapshot", "snapshot": SNAP})
    assert view.rejected == {"bad_auth": 3}
    found = disagreements(
        "server1", {"server1": "active", "server2": "dead"}, {"192.168.10.10": "server1"}, view
    )
    assert found[0].kind == "split-brain"
    assert "server1 sees server2 dead, server2 sees server1 dead" in found[0].text


def test_one_way_loss() -> None:
    view = PeerView("server2")
    view.apply_snapshot(SNAP | {"vips": []})
    found = disagreements("server1", {"server2": "active"}, {}, view)
    assert [d.kind for d in found] == ["one-way"]
    assert "our keepalives do not reach it" in found[0].text


def test_events_update_the_view() -> None:
    view = PeerView("server2")
    view.apply_snapshot(SNAP)
    view.apply_event(
        {"type": "KeepaliveReceived", "node": "server1", "status": "active", "at_ms": 5,
         "gap_ms": 1000},
        us="server1",
    )  # fmt: skip
    view.apply_event({"type": "VipRemoved", "ip": "192.168.10.10"})
    view.apply_event({"type": "Dropped", "count": 2})
    assert view.members["server1"] == "active" and view.gap_from_us_ms == 1000
    assert view.vip_owners["192.168.10.10"] is None and view.dropped_events == 2


def test_real_daemon_log_lines() -> None:
    view = PeerView("server2")
    view.apply_log_line("Nov 26 03:38:33 server2 heartbeat: [645]: info: Status update for "
                        "node server1: status active")  # fmt: skip
    view.apply_log_line("Nov 26 03:40:00 server2 heartbeat: [645]: WARN: node server1: is dead")
    assert view.members == {"server1": "dead"} and len(view.log) == 2


async def test_feed_tails_the_peer_log(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    ha_log = tmp_path / "ha-log"
    ha_log.write_text("line one\nline two\n")
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    view = PeerView("server2")
    two, grew = asyncio.Event(), asyncio.Event()

    def changed(v: PeerView) -> None:
        if len(v.log) >= 2:
            two.set()
        if len(v.log) >= 3:
            grew.set()

    task = asyncio.create_task(
        follow_peer(link, view, changed, us="server1", ha_log=PurePosixPath(ha_log))
    )
    try:
        # the first two lines, then one appended: tail -F must deliver it
        await asyncio.wait_for(two.wait(), 10)
        with ha_log.open("a") as handle:
            handle.write("line three\n")
        await asyncio.wait_for(grew.wait(), 10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await link.close()
    assert list(view.log) == ["line one", "line two", "line three"]
