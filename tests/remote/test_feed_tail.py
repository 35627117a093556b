"""The peer feed over a real sshd: the ha-log is tailed, history first, then live lines."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path, PurePosixPath

from hbtui.remote.feed import follow_peer
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd


async def test_feed_tails_the_peer_log(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    ha_log = tmp_path / "ha-log"
    ha_log.write_text("line one\nline two\n")
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    seen: list[tuple[str, object]] = []
    two, grew = asyncio.Event(), asyncio.Event()

    def arrived(kind: str, item: object) -> None:
        seen.append((kind, item))
        if len(seen) >= 2:
            two.set()
        if len(seen) >= 3:
            grew.set()

    task = asyncio.create_task(
        follow_peer(link, lambda: None, ha_log=PurePosixPath(ha_log), raw=arrived)
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
    assert seen == [
        ("log-history", "line one"),
        ("log-history", "line two"),
        ("log", "line three"),
    ]
