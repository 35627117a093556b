"""The guided hostname change end to end on two real Heartbeat 3.0.6 nodes in the lab.

server1's view is this test (commands enter server1's namespaces); server2 is reached over
SSH: a real OpenSSH ``sshd -i`` started inside server2's namespaces as the link's
ProxyCommand, with generated host and user keys and a strict known_hosts. The wizard's plan
renames server2 -> server3 and back; each run must end with both nodes seeing each other
as active under the new names, with fresh hb_uuids.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path, PurePosixPath

import pytest

from hbtui.engine.events import KeepaliveReceived
from hbtui.lab.netns import Lab
from hbtui.lab.runner import NodeRunner
from hbtui.remote import detect
from hbtui.remote.commands import init_script_service
from hbtui.remote.detect import PeerDaemon
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink
from hbtui.rename.execute import execute_plan, read_rename_node
from hbtui.rename.plan import plan_rename
from hbtui.sources.peer import PeerSource
from hbtui.stream.items import SnapshotTaken

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HbtuiNode
from .observe import wait_for_vip, wait_until
from .postmortem_of import postmortem_of
from .ssh_peer import HBTUI_PROGRAM, peer_target, skip_without_sshd

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

HOWTO = HaSetup()
# /etc/hostname is not private to a lab node (and /etc/hosts is a bind-mounted file that
# cannot be replaced by rename), so the wizard keeps the name in the node's private /var/log.
HOSTNAME_FILE = PurePosixPath("/var/log/lab-hostname")


async def _rename(
    one: NodeRunner, peer: PeerLink, names: tuple[str, str], old: str, new: str
) -> None:
    first, second = names
    service = init_script_service()  # never systemd here: it would act on the host
    nodes = [
        await read_rename_node(
            first, one, service=service, hosts_file=None, hostname_file=HOSTNAME_FILE
        ),
        await read_rename_node(
            second, peer, service=service, hosts_file=None, hostname_file=HOSTNAME_FILE
        ),
    ]
    old_uuids = {n.old_uuid for n in nodes}
    assert None not in old_uuids
    plan = plan_rename(nodes, old, new, verify_s=40.0)
    print("\n".join(plan.lines()))
    assert plan.problems == ()
    outcomes = await execute_plan(plan, {first: one, second: peer}, poll_s=0.5)
    for outcome in outcomes:
        for command in (*outcome.actions, *outcome.checks):
            print("\n".join(command.lines()))
    assert [o.step.key for o in outcomes if o.ok] == [
        "check", "stop", "uuid", "rename", "start", "verify"
    ]  # fmt: skip
    fresh = (await one.run(["od", "-An", "-tx1", "/var/lib/heartbeat/hb_uuid"])).stdout
    assert str(uuid.UUID(bytes=bytes.fromhex("".join(fresh.split())))) not in old_uuids


async def test_rename_server2_to_server3_and_back(lab: Lab, tmp_path: Path) -> None:
    skip_without_sshd()
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], HOWTO.vip_ip, present=True, timeout=25)
    one = NodeRunner(lab["server1"])
    peer = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
    await peer.connect_once()
    try:
        assert (await peer.run(["uname", "-n"])).stdout == "server2\n"
        await _rename(one, peer, ("server1", "server2"), "server2", "server3")
        assert (await peer.run(["uname", "-n"])).stdout == "server3\n"
        ha_cf = (await peer.run(["cat", "/etc/ha.d/ha.cf"])).stdout
        assert "node server1 server3" in ha_cf
        log = (await peer.run(["cat", "/var/log/ha-log"])).stdout
        assert "No uuid found for current node - generating a new uuid." in log

        await _rename(one, peer, ("server1", "server3"), "server3", "server2")
        assert (await peer.run(["uname", "-n"])).stdout == "server2\n"
        assert "node server1 server2" in (await one.run(["cat", "/etc/ha.d/ha.cf"])).stdout
    finally:
        await peer.close()
    wait_for_vip(lab["server1"], HOWTO.vip_ip, present=True, timeout=25)
    assert cluster.vip_holders() == ["server1"]
    logs = {name: cluster[name].log_text() for name in ("server1", "server2")}
    config = tmp_path / "ha.d"
    shutil.copytree(lab["server1"].host_path("/etc/ha.d"), config)
    # both renames stopped both nodes gracefully (at once: each logs that it took nothing):
    # stops, never a node declared dead; server2's log holds server3's lines, as server3's
    entries = postmortem_of(logs, tmp_path / "postmortem", config)
    assert entries and {e["kind"] for e in entries} == {"stop"}, entries
    assert not any("declared_dead" in e for e in entries), entries
    named = {e["from"] for e in entries} | {e["to"] for e in entries}
    assert named == {"server1", "server2", "server3"}, entries


async def test_peer_view_and_remote_actions_on_the_real_daemon(lab: Lab, tmp_path: Path) -> None:
    """From server1: server2's own view over SSH, then stop / delete hb_uuid / start it."""
    skip_without_sshd()
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], HOWTO.vip_ip, present=True, timeout=25)
    link = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
    sees_us = asyncio.Event()
    statuses: dict[str, str] = {}
    log_lines: list[str] = []

    def arrived(kind: str, item: object) -> None:
        if kind == "cl_status" and isinstance(item, dict):  # cl_status polled, server1 active
            statuses.update(item)
            if item.get("server1") == "active":
                sees_us.set()
        elif kind.startswith("log") and isinstance(item, str):
            log_lines.append(item)

    session = PeerSession(link, "server1", on_item=arrived)
    session.start()
    try:
        facts = await session.wait_facts(20)
        assert facts.node_name == "server2" and facts.daemon is PeerDaemon.HEARTBEAT
        assert facts.service is not None and facts.service.kind == "init-script"
        assert facts.hb_uuid is not None
        await asyncio.wait_for(sees_us.wait(), 20)
        assert statuses.get("server2") == "active"
        assert any("heartbeat" in line for line in log_lines)  # tail -F of its ha-log

        assert session.actions is not None
        # systemd is absent here; the init script is what will run, shown before running
        assert session.actions.describe("stop") == (
            "server2 (init-script): /etc/init.d/heartbeat stop"
        )
        refused = await session.perform("delete_uuid")
        assert not refused.ok and "stop first" in refused.text
        stopped = await session.perform("stop")
        assert stopped.ok, stopped.text
        assert not cluster["server2"].running()
        deleted = await session.perform("delete_uuid")
        assert deleted.ok, deleted.text
        assert not lab["server2"].host_path("/var/lib/heartbeat/hb_uuid").exists()
        started = await session.perform("start")
        assert started.ok, started.text
        assert cluster["server2"].running()
        # the init script returns once the daemon forked; it writes its new hb_uuid soon after
        new_uuid = lab["server2"].host_path("/var/lib/heartbeat/hb_uuid")
        written = lambda: new_uuid.exists() and new_uuid.stat().st_size == 16  # noqa: E731
        await asyncio.to_thread(wait_until, written, 20, "server2's new hb_uuid")
        fresh = await link.run(["od", "-An", "-tx1", "/var/lib/heartbeat/hb_uuid"])
        assert detect.parse_od_uuid(fresh.stdout) not in (None, facts.hb_uuid)
    finally:
        await session.close()


async def test_stream_of_an_hbtui_peer_as_a_console_source(lab: Lab, tmp_path: Path) -> None:
    """Two hbtui nodes: server2's `hbtui status --follow` over SSH, as the console reads it."""
    skip_without_sshd()
    cluster = Cluster(lab, [HbtuiNode, HbtuiNode], HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], HOWTO.vip_ip, present=True, timeout=25)
    link = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
    source = PeerSource(PeerSession(link, "server1", hbtui_program=HBTUI_PROGRAM))
    snapshot: dict[str, object] = {}
    heard: list[KeepaliveReceived] = []

    async def read() -> None:
        async for item in source.events():
            if isinstance(item, SnapshotTaken):
                snapshot.update(item.data)
            elif isinstance(item, KeepaliveReceived) and item.node == "server1":
                heard.append(item)
                if len(heard) >= 3:
                    return

    try:
        await asyncio.wait_for(read(), 30)
    finally:
        await source.close()
    assert source.session.facts is not None
    assert source.session.facts.daemon is PeerDaemon.HBTUI
    assert snapshot["node"] == "server2"
    assert {v["ip"]: v["owner"] for v in snapshot["vips"]} == {HOWTO.vip_ip: "server1"}  # type: ignore[attr-defined]
    gaps = [k.gap_ms for k in heard if k.gap_ms is not None]
    assert gaps and all(500 <= g <= 1500 for g in gaps)  # keepalive 1 s, as server2 hears us
    now = source.now_ms()
    assert all(abs(k.at_ms - now) < 10_000 for k in heard)  # moved onto our clock
    assert snapshot["nodes"]["server1"]["status"] == "active"  # type: ignore[index]
