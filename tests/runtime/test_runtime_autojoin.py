"""autojoin through the runtime (docs/protocol.md §8.1): the join is written to hostcache in
the state dir in the daemon's format, and a restart reads it back (the member is known
before it speaks). server1 lists only itself; server2 (the HOWTO config) joins it."""

from __future__ import annotations

import uuid
from pathlib import Path

from rtkit import Lan, make_member, wait_event, wait_for

from hbtui.engine.events import NodeJoined

ALONE = {"nodes": ("server1",), "autojoin": "other"}


async def test_a_join_is_kept_in_hostcache_and_read_back_at_restart(tmp_path: Path) -> None:
    lan = Lan()
    one = make_member("server1", lan, tmp_path, ha_cf=ALONE)
    two = make_member("server2", lan, tmp_path)
    events = one.runtime.events("test", lossy=False)
    cache = tmp_path / "server1" / "state" / "hostcache"
    try:
        await one.runtime.start()
        await two.runtime.start()
        joined = await wait_event(events, lambda e: isinstance(e, NodeJoined), 5)
        assert (joined.node, joined.sender[0]) == ("server2", "192.168.10.2")
        two_uuid = (tmp_path / "server2" / "state" / "hb_uuid").read_bytes()
        one_uuid = (tmp_path / "server1" / "state" / "hb_uuid").read_bytes()
        want = [
            f"server1\t{uuid.UUID(bytes=one_uuid)}\t100\t",
            f"server2\t{uuid.UUID(bytes=two_uuid)}\t100\t",
        ]
        await wait_for(lambda: cache.exists() and cache.read_text().splitlines() == want, 5)
        one.runtime.kill()
        await one.runtime.wait_closed()
        again = make_member("server1", lan, tmp_path, ha_cf=ALONE)
        await again.runtime.start()
        seen = again.runtime.snapshot()["nodes"]["server2"]
        assert seen["joined"] is True and seen["uuid"] == two_uuid.hex()
        await wait_for(lambda: again.runtime.snapshot()["nodes"]["server2"]["status"] == "active")
        halog = (again.logdir / "ha-log").read_text()
        assert halog.count("Adding new node [server2] to configuration.") == 1  # first run's
        again.runtime.kill()
    finally:
        one.runtime.kill()
        two.runtime.kill()
