"""Metrics of a running node: the exporter fed by a real runtime's event stream while its
peer is killed and taken over (fake LAN and fakes for addresses and scripts)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rtkit import VIP, Lan, make_member, wait_for

from hbtui.metrics.exporter import MetricsExporter
from tests.metrics.promtext import sample


async def test_a_failover_shows_in_the_metrics(tmp_path: Path) -> None:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    out = tmp_path / "hbtui.prom"
    exporter = MetricsExporter(1000, two.runtime.snapshot, 0.0, out)
    task = asyncio.create_task(exporter.count(two.runtime.events("metrics", lossy=False)))
    await one.runtime.start()
    await two.runtime.start()
    try:
        await wait_for(lambda: VIP in one.vips.addresses, 5)
        await wait_for(lambda: sum(exporter.tally.keepalives.values()) >= 3, 5)
        text = exporter.text()
        assert sample(text, "hbtui_peer_up", peer="server1") == 1
        assert sample(text, "hbtui_vip_owner_info", vip=VIP, owner="server1") == 1
        left = sample(text, "hbtui_peer_deadline_seconds", peer="server1")
        assert left is not None and 0 < left <= 12  # the HOWTO's deadtime (initial grace)
        one.runtime.kill()
        await wait_for(lambda: VIP in two.vips.addresses, 15)
        await wait_for(lambda: sum(exporter.tally.takeovers.values()) == 1, 5)
        await exporter.write()
        text = out.read_text()
        assert sample(text, "hbtui_peer_up", peer="server1") == 0
        assert sample(text, "hbtui_takeovers_total", from_node="server1", reason="dead") == 1
        assert sample(text, "hbtui_vip_held", vip=VIP, resource=f"IPaddr::{VIP}/24") == 1
        assert sample(text, "hbtui_peer_deaths_total", peer="server1") == 1
        runs = sample(text, "hbtui_script_runs_total", resource="failback.sh", op="start",
                      result="ok")  # fmt: skip
        assert runs == 1
        gaps = sample(text, "hbtui_keepalive_gap_seconds_count", peer="server1")
        assert gaps is not None and gaps >= 2
    finally:
        one.runtime.kill()
        two.runtime.kill()
        task.cancel()
