"""``hbtui report`` collects a peer over a real OpenSSH sshd (run inside the lab node):
its config, redacted authkeys (never the key), hb_uuid, ha-log and ``hbtui status --json``
from the peer's running node."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from hbtui.lab.netns import Lab
from hbtui.remote.ssh import PeerLink
from hbtui.report.collect import Where, collect
from tests.lab.cluster import Cluster
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import CONTROL_SOCKET, HbtuiNode
from tests.lab.observe import wait_for_vip

from .ssh_peer import HBTUI_PROGRAM, peer_target, skip_without_sshd

pytestmark = pytest.mark.lab

SETUP = HaSetup()


async def test_report_collects_a_peer_over_ssh_without_its_key(lab: Lab, tmp_path: Path) -> None:
    skip_without_sshd()
    cluster = Cluster(lab, [HbtuiNode, HbtuiNode], SETUP)
    try:
        cluster.start_all()
        wait_for_vip(lab["server1"], SETUP.vip_ip, timeout=30)
        link = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
        try:
            await link.connect_once()
            where = Where(logs=(PurePosixPath("/var/log/ha-log"),), hbtui=HBTUI_PROGRAM,
                          control_socket=CONTROL_SOCKET)  # fmt: skip
            items, secrets = await collect(link, where)
        finally:
            await link.close()
    finally:
        for member in cluster:
            member.crash()
    got = dict(items)
    assert secrets == {SETUP.auth_key}
    assert "node server1 server2" in got["etc/ha.cf"]
    assert SETUP.auth_key not in got["etc/authkeys.redacted"]
    assert "1 sha1 sha256:" in got["etc/authkeys.redacted"]
    assert len(got["state/hb_uuid.hex"].strip()) == 32
    assert "heartbeat" in got["log/ha-log"]
    assert json.loads(got["status.json"])["node"] == "server2"
