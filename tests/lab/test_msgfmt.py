"""ha.cf ``msgfmt`` against the real Heartbeat 3.0.6 daemon (issue 16, docs/protocol.md §2).

* The daemon accepts classic text datagrams as hbtui seals them (``seal_classic``: the
  form daemons on cluster-glue up to 1.0.9 sent), authenticated by their ``auth`` field,
  and refuses a tampered one with ``string2msg_ll: node [server2] failed authentication``.
  A stand-in peer in server2 sends them with hbtui's wire code.
* A real daemon and an hbtui node, both configured ``msgfmt classic`` and then both
  ``msgfmt netstring``, see each other active and the VIP fails over when the holder is
  power-cut (hbtui holds it under classic, the real daemon under netstring). On the wire
  every datagram of both nodes is netstring signed by its trailer, with the legacy
  ``auth`` field under classic only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.lab.netns import Lab
from hbtui.lab.nodeproc import NODE_ENV
from hbtui.wire import packet
from hbtui.wire.pcap import read_datagrams

from .cluster import Cluster, RealHeartbeat
from .haconfig import HaSetup
from .halog import protocol_complaints
from .hbtui_node import HbtuiNode
from .observe import capture, wait_for_vip, wait_until
from .test_interop_mixed import DEADTIME_S, KEEPALIVE_S, cold_start, settle_after_start, timing

pytestmark = [pytest.mark.lab, pytest.mark.interop, pytest.mark.usefixtures("real_heartbeat")]

HOWTO = HaSetup()
VIP = HOWTO.vip_ip
KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, HOWTO.auth_key.encode())})

# Run inside server2: status messages of a made-up server2 as classic text datagrams to
# server1, one every 250 ms; argv: count, first seq, and "tamper" to change a signed field.
CLASSIC_PEER = """
import socket, sys, time
from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.wire.message import Message
from hbtui.wire.packet import seal_classic
count, first, tamper = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "tamper"
keys = AuthKeys("authkeys", 1, {1: AuthKey(1, AuthMethod.SHA1, sys.argv[4].encode())})
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for seq in range(first, first + count):
    msg = Message.of(
        ("t", "status"), ("st", "up" if seq < 3 else "active"), ("dt", "1b58"),
        ("protocol", "1"), ("src", "server2"), ("srcuuid", bytes(range(16))),
        ("seq", f"{seq:x}"), ("hg", "6b06000d"), ("ts", f"{int(time.time()):x}"),
        ("ld", "0.00 0.00 0.00 1/100 1"), ("ttl", "3"),
    )
    data = seal_classic(msg, keys)
    if tamper:
        data = data.replace(b"st=active", b"st=dead")
    out.sendto(data if seq % 2 else data[:-1], ("192.168.10.1", 694))  # with and without NUL
    time.sleep(0.25)
"""


def send_classic(lab: Lab, count: int, first: int, tamper: bool = False) -> None:
    argv = [sys.executable, "-c", CLASSIC_PEER, str(count), str(first)]
    argv += ["tamper" if tamper else "plain", HOWTO.auth_key]
    done = lab["server2"].run(argv, timeout=count * 0.25 + 20, env=NODE_ENV)
    assert done.returncode == 0, done.stderr


def test_the_real_daemon_takes_classic_text_signed_by_its_auth_field(lab: Lab) -> None:
    real = RealHeartbeat(lab["server1"])
    real.prepare(HOWTO)
    real.start()
    began = time.monotonic()
    heard = "info: Status update for node server2: status active"
    send_classic(lab, 12, 1)
    wait_until(lambda: heard in real.log_text(), 10, "server2 heard in classic form")
    timing("classic text: server2 active at the real daemon", time.monotonic() - began)
    assert "Link server2:eth0 up." in real.log_text()
    send_classic(lab, 3, 13, tamper=True)
    refused = "WARN: string2msg_ll: node [server2] failed authentication"
    wait_until(lambda: real.log_text().count(refused) == 3, 10, "tampered classic refused")
    assert "status dead" not in real.log_text()
    assert [c for c in protocol_complaints(real.log_text()) if refused not in c] == []


# msgfmt -> (server1's kind, server2's kind): the VIP holder is power-cut
ORIENTATION = {"classic": (HbtuiNode, RealHeartbeat), "netstring": (RealHeartbeat, HbtuiNode)}


@pytest.mark.parametrize("msgfmt", list(ORIENTATION))
def test_a_mixed_cluster_under_msgfmt(lab: Lab, lab_dir: Path, msgfmt: str) -> None:
    setup = HaSetup(extra_ha_cf=(f"msgfmt {msgfmt}",))
    cluster = Cluster(lab, list(ORIENTATION[msgfmt]), setup)
    hbtui = next(m for m in cluster if isinstance(m, HbtuiNode))
    real = next(m for m in cluster if isinstance(m, RealHeartbeat))
    pcap = lab_dir / f"msgfmt-{msgfmt}.pcap"
    with capture(lab, pcap):
        cold_start(cluster)
        assert f"Status update for node {hbtui.node.name}: status active" in real.log_text()
        peer = hbtui.snapshot()["nodes"][real.node.name]
        assert peer["status"] == "active", peer
        settle_after_start(cluster)
        crashed = time.monotonic()
        cluster["server1"].crash()
        taken = wait_for_vip(lab["server2"], VIP, timeout=DEADTIME_S + 4)
    timing(f"msgfmt {msgfmt}: power cut of server1 -> VIP on server2", taken - crashed)
    assert DEADTIME_S - KEEPALIVE_S <= taken - crashed <= DEADTIME_S + 1.5
    assert protocol_complaints(real.log_text()) == []
    senders: dict[str, int] = {}
    for d in read_datagrams(pcap.read_bytes()):
        msg = packet.unseal(d.payload, KEYS)  # netstring with its trailer, from both
        assert d.payload.startswith(b"###\n") and ("auth" in msg) is (msgfmt == "classic")
        senders[d.src[0]] = senders.get(d.src[0], 0) + 1
    assert sorted(senders) == ["192.168.10.1", "192.168.10.2"], senders
