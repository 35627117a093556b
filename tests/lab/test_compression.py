"""Traditional compression and ``uuidfrom nodename`` beside the real Heartbeat 3.0.6 daemon
(issue 16, docs/protocol.md §2.4 and §8).

Both nodes run ``compression zlib``, ``compression_threshold 1``, ``traditional_compression
yes`` and ``uuidfrom nodename``. R1 messages are too small to be compressed but for the
node-list reply, so ha.cf also names nine more nodes with 96-character names that never come
up: each side's ``repnodes`` is then over 1 KB and goes compressed. The cluster forms, each
side expands the other's compressed reply (hbtui counts no bad packet, the daemon logs no
complaint), and every node's ``srcuuid`` is the one derived from its name.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hbtui.adapters.uuidname import uuid_from_name
from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.lab.netns import Lab
from hbtui.wire import compress, packet
from hbtui.wire.pcap import read_datagrams

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .halog import complaints, protocol_complaints
from .hbtui_node import HbtuiNode
from .observe import capture, wait_until
from .test_interop_mixed import timing

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

ABSENT = tuple(f"absent{i}" + "x" * 89 for i in range(9))  # 96 characters each
SETUP = HaSetup(
    extra_ha_cf=(
        "compression zlib",
        "compression_threshold 1",
        "traditional_compression yes",
        "uuidfrom nodename",
        f"node {' '.join(ABSENT)}",
    )
)
KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, SETUP.auth_key.encode())})
IPS = {"192.168.10.1": "server1", "192.168.10.2": "server2"}
# the daemon says so once at start when traditional compression is on: not about the peer;
# and the nine nodes that never come up are declared dead at initdead, each with a mach_down
# that takes "foreign" resources: R1 resource bookkeeping, not the wire (recorded, issue 16)
NOT_THE_WIRE = ("Traditional compression selected", "Both machines own")
BENIGN = {"from_self", "not_for_us"}


def test_compressed_node_lists_both_ways(lab: Lab, lab_dir: Path) -> None:
    cluster = Cluster(lab, [HbtuiNode, RealHeartbeat], SETUP)
    hbtui = cluster["server1"]
    real = cluster["server2"]
    assert isinstance(hbtui, HbtuiNode)
    pcap = lab_dir / "compression.pcap"
    with capture(lab, pcap):
        began = cluster.start_all()
        heard = "Status update for node server1: status active"
        wait_until(lambda: heard in real.log_text(), 30, "server1 active at the daemon")
        wait_until(
            lambda: hbtui.snapshot()["nodes"]["server2"]["status"] == "active",
            10,
            "server2 active at hbtui",
        )
        timing("compression: both active", time.monotonic() - began)
        time.sleep(2)  # a few keepalives more after the node lists
    datagrams = [d for d in read_datagrams(pcap.read_bytes()) if d.src[0] in IPS]
    compressed: dict[str, set[str]] = {"server1": set(), "server2": set()}
    for d in datagrams:
        sender = IPS[d.src[0]]
        msg = packet.unseal(d.payload, KEYS)
        assert msg.get_bytes("srcuuid") == uuid_from_name(sender), sender
        if compress.is_compressed(packet.split(d.payload)[0]):
            compressed[sender].add(msg.type or "?")
    assert compressed == {"server1": {"repnodes"}, "server2": {"repnodes"}}, compressed
    rejected = [r for r in hbtui.snapshot()["rejected"] if r["reason"] not in BENIGN]
    assert rejected == []
    log = real.log_text()
    assert protocol_complaints(log) == []
    assert [c for c in complaints(log) if not any(w in c for w in NOT_THE_WIRE)] == []
    assert "decompress" not in log
