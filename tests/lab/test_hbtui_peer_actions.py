"""Remote actions on an hbtui peer over SSH, through hbtui's own SysV init script.

Two hbtui nodes in the lab, each started by ``/etc/init.d/hbtui`` (the packaged script,
bound into every node with this checkout's hbtui in /etc/default/hbtui). server2 owns the
VIP (haresources names it) and is reached from server1 over a real ``sshd -i`` run inside
its namespaces. Over that one PeerSession: hbtui and its init script are detected and
shown, delete hb_uuid is refused while it runs, stop (server1 takes the VIP), the service
stays hbtui's while nothing answers, delete hb_uuid, start (a new uuid, the VIP fails back),
standby (the VIP goes to server1) and takeover (it comes back); then a stop and a start done
on server2 itself, which the session follows by probing again. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hbtui.lab.netns import Lab
from hbtui.lab.node import Node
from hbtui.remote.commands import hb_uuid_hex
from hbtui.remote.detect import PeerDaemon, PeerFacts, parse_od_uuid
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import INIT, HbtuiByInitScript
from .observe import wait_for_vip
from .ssh_peer import HBTUI_PROGRAM, peer_target, skip_without_sshd

pytestmark = [pytest.mark.lab]

SETUP = HaSetup(owner="server2")  # auto_failback on: the VIP goes home to server2
VIP = SETUP.vip_ip


async def _vip_on(node: Node, present: bool = True, timeout: float = 30.0) -> None:
    await asyncio.to_thread(wait_for_vip, node, VIP, present, timeout)


async def _facts_when(
    session: PeerSession, changed: asyncio.Event, daemon: PeerDaemon, timeout: float
) -> PeerFacts:
    """The session's facts once a probe found ``daemon`` (bounded; ``changed``: its on_change)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                changed.clear()
                if session.facts is not None and session.facts.daemon is daemon:
                    return session.facts
                await changed.wait()
    except TimeoutError:
        raise TimeoutError(f"{session.node}: no probe found {daemon} within {timeout} s") from None


async def _uuid(link: PeerLink) -> str | None:
    return parse_od_uuid((await link.run(hb_uuid_hex())).stdout)


async def test_stop_start_uuid_standby_takeover_of_an_hbtui_peer(lab: Lab, tmp_path: Path) -> None:
    skip_without_sshd()
    one, two = lab["server1"], lab["server2"]
    cluster = Cluster(lab, [HbtuiByInitScript, HbtuiByInitScript], SETUP)
    cluster.start_all()
    try:
        await _vip_on(two)
    except TimeoutError:
        print(cluster["server2"].output(), cluster["server2"].log_text())  # type: ignore[attr-defined]
        raise
    link = PeerLink(peer_target(two, tmp_path / "ssh"))
    changed = asyncio.Event()
    session = PeerSession(link, "server1", lambda _: changed.set(), hbtui_program=HBTUI_PROGRAM)
    session.start()
    try:
        facts = await session.wait_facts(30)
        assert facts.node_name == "server2" and facts.daemon is PeerDaemon.HBTUI
        assert facts.service is not None
        assert (facts.service.daemon, str(facts.service.kind)) == ("hbtui", "init-script")
        assert facts.service.describe().startswith("hbtui via init-script: stop = /etc/init.d/")
        actions = session.actions
        assert actions is not None
        # what will run is shown first: hbtui's init script, and hbtui's own standby tool
        assert actions.describe("stop") == "server2 (init-script): /etc/init.d/hbtui stop"
        assert actions.argv_for("standby") == (*HBTUI_PROGRAM, "standby", "all")
        old_uuid = facts.hb_uuid
        assert old_uuid is not None

        refused = await session.perform("delete_uuid")
        assert not refused.ok and "hbtui runs there; stop first" in refused.text

        stopped = await session.perform("stop")
        assert stopped.ok, stopped.text
        assert not cluster["server2"].running()
        await _vip_on(one, timeout=15)  # server2 released it and told server1
        status = await link.run([INIT, "status"])
        assert status.exit_status == 3, status.stdout  # LSB: not running

        # nothing answers now: the next probe keeps hbtui's init script (never heartbeat's)
        stopped_facts = await _facts_when(session, changed, PeerDaemon.NONE, timeout=20)
        assert stopped_facts.service == facts.service
        assert session.actions is not None
        assert session.actions.describe("start") == "server2 (init-script): /etc/init.d/hbtui start"

        deleted = await session.perform("delete_uuid")
        assert deleted.ok, deleted.text
        assert not two.host_path("/var/lib/heartbeat/hb_uuid").exists()

        started = await session.perform("start")
        assert started.ok, started.text
        assert cluster["server2"].running()
        assert (await link.run([INIT, "status"])).exit_status == 0
        await _vip_on(two, timeout=30)  # auto_failback: home to server2
        await _vip_on(one, present=False, timeout=10)
        fresh = await _uuid(link)
        assert fresh is not None and fresh != old_uuid
        # the session asks again after an action: hbtui answers, its stream is followed again
        restarted = await _facts_when(session, changed, PeerDaemon.HBTUI, timeout=20)
        assert restarted.hb_uuid == fresh and restarted.service == facts.service

        standby = await session.perform("standby")
        assert standby.ok, standby.text
        await _vip_on(one, timeout=20)
        await _vip_on(two, present=False, timeout=10)

        takeover = await session.perform("takeover")
        assert takeover.ok, takeover.text
        await _vip_on(two, timeout=20)
        await _vip_on(one, present=False, timeout=10)

        # stopped and started from outside the console: the session follows both
        began = asyncio.get_running_loop().time()
        await asyncio.to_thread(cluster["server2"].stop)
        await _facts_when(session, changed, PeerDaemon.NONE, timeout=20)
        seen_stopped = asyncio.get_running_loop().time() - began
        await asyncio.to_thread(cluster["server2"].start)
        await _facts_when(session, changed, PeerDaemon.HBTUI, timeout=20)
        seen_started = asyncio.get_running_loop().time() - began - seen_stopped
        print(f"outside stop seen after {seen_stopped:.2f} s, start after {seen_started:.2f} s")
    finally:
        await session.close()
        for member in cluster:
            if member.running():
                member.stop()
    assert cluster.vip_holders() == []


@pytest.mark.interop
@pytest.mark.usefixtures("real_heartbeat")
def test_the_init_script_never_starts_hbtui_beside_the_real_daemon(lab: Lab) -> None:
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], SETUP)
    cluster.start_all()
    two = lab["server2"]
    wait_for_vip(two, VIP, present=True, timeout=30)  # up and answering cl_status
    refused = two.run([INIT, "start"], timeout=30)
    assert refused.returncode == 1, refused.stdout
    assert "the heartbeat daemon runs here; stop it first" in refused.stderr
    assert two.run([INIT, "status"], timeout=30).returncode == 3
    assert not two.processes_running("hbtui.cli", "node")
