"""The console's split-brain probe on real Heartbeat 3.0.6 daemons (issue 17): two real
daemons with different keys both take the VIP (they split); the console in watch mode on
server1 (hbtui.conf ``split_brain_probe``) finds server2's MAC answering for the VIP it
holds, and the console's probe from server2's side, run over a real sshd with server2's own
python3 (no hbtui there), finds server1's MAC. And a VIP added by hand on the standby of a
healthy pair is found the same way."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hbtui.lab.netns import Lab
from hbtui.lab.nodeproc import NODE_ENV
from hbtui.remote.ssh import PeerLink
from hbtui.sources.peer_arp import PeerArpProbe

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HBTUI
from .observe import wait_for_vip, wait_until
from .postmortem_of import postmortem_of
from .ssh_peer import peer_target, skip_without_sshd

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

# the real daemon ignores hbtui.conf; the console watching it reads split_brain_probe there
HOWTO = HaSetup(hbtui_settings=("start_probe = no", "split_brain_probe = 1"))
VIP = HOWTO.vip_ip
SERVER1_MAC, SERVER2_MAC = "02:00:c0:a8:0a:01", "02:00:c0:a8:0a:02"
PROBE = """
import asyncio, json
from pathlib import Path
from typing import Any
from hbtui.config.loader import load_config
from hbtui.sources.loader_watch import watch_source
config, problems = load_config(Path("/etc/ha.d"), "server1", partial=True)
source = watch_source(Path("/etc/ha.d"), config, "server1", 1)  # as the console picks it
async def main():
    watch = source.split_brain_watch()
    assert watch is not None, "hbtui.conf asks for the probe"
    await watch.check_once()
    print(json.dumps((await source.snapshot())["runtime"]))
asyncio.run(main())
"""


def probe_from_server1(lab: Lab) -> dict[str, object]:
    """What the watch source's probe says in server1's namespaces."""
    done = lab["server1"].run([HBTUI[0], "-c", PROBE], timeout=30, env=NODE_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def test_real_daemons_with_different_keys_split_and_the_probe_sees_it(
    lab: Lab, tmp_path: Path
) -> None:
    skip_without_sshd()
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO,
                      {"server2": replace(HOWTO, auth_key="NotTheSameKeyAtAll")})  # fmt: skip
    began = cluster.start_all()
    wait_for_vip(lab["server1"], VIP, timeout=25)
    wait_for_vip(lab["server2"], VIP, timeout=25)  # each takes it after initdead: split
    print(f"[lab split] both real daemons hold the VIP {time.monotonic() - began:.1f} s in")
    found = probe_from_server1(lab)
    (split,) = found["split_brain"]  # type: ignore[misc]
    assert split["ip"] == VIP and split["here"] is True and split["macs"] == [SERVER2_MAC]
    assert split["mac"] == SERVER1_MAC  # this node's own, for the banner
    said: list[tuple[str, str]] = []
    link = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
    try:
        await link.connect_once()
        probe = PeerArpProbe(link, "server2", [(VIP, "eth0")], 1.0,
                             lambda lvl, text: said.append((lvl, text)), lambda: 0)  # fmt: skip
        began = time.monotonic()
        await probe.check_once()
        print(f"[lab split] the probe from server2 over SSH: {time.monotonic() - began:.2f} s")
    finally:
        await link.close()
    (seen,) = probe.describe()["split_brain"]
    assert (seen["here"], seen["macs"], seen["mac"]) == (True, [SERVER1_MAC], SERVER2_MAC), said
    assert probe.describe()["probe_held"] == [VIP]
    assert said[0][0] == "CRIT" and "seen from server2" in said[0][1]
    logs = {name: cluster[name].log_text() for name in ("server1", "server2")}
    config = tmp_path / "ha.d"
    shutil.copytree(lab["server1"].host_path("/etc/ha.d"), config)
    postmortem_of_the_split(postmortem_of(logs, tmp_path, config))


def postmortem_of_the_split(entries: list[dict[str, Any]]) -> None:
    """The nodes' ha-logs: each declared the other dead though its packets failed
    authentication (keys differ): one split brain in which both may hold the VIP."""
    pairs = sorted((e["kind"], e["from"], e["to"]) for e in entries)
    assert pairs[:2] == [("failover", "server1", "server2"), ("failover", "server2", "server1")]
    # the split brain is named after whichever declaration came first
    assert [(k, {a, b}) for k, a, b in pairs[2:]] == [("split_brain", {"server1", "server2"})]
    for entry in entries:
        assert "failed authentication" in entry["why"] and "(keys differ)" in entry["why"], entry
    (split,) = [e for e in entries if e["kind"] == "split_brain"]
    assert split["why"].endswith(f"both nodes may hold {VIP}"), split


def test_a_vip_added_by_hand_on_the_standby_is_found(lab: Lab) -> None:
    cluster = Cluster(lab, [RealHeartbeat, RealHeartbeat], HOWTO)
    cluster.start_all()
    wait_for_vip(lab["server1"], VIP, timeout=25)
    assert probe_from_server1(lab)["split_brain"] == []
    lab["server2"].run(["ip", "addr", "add", f"{VIP}/24", "dev", "eth0"], timeout=10)
    wait_until(lambda: lab["server2"].has_address(VIP), 5, "VIP added by hand")
    (split,) = probe_from_server1(lab)["split_brain"]  # type: ignore[misc]
    assert split["macs"] == [SERVER2_MAC]
