"""netlink VIP, gratuitous ARP and ucast UDP in real network namespaces (root only).

Two namespaces made per test, joined by a veth pair named eth0 on both sides, with the
HOWTO addresses 192.168.10.1/24 and .2/24. The adapters run in a helper process started
with ``ip netns exec`` (see nshelper_adapters.py): the test process never changes
namespace, so a failing adapter cannot leave a thread or socket in the wrong one, and
every helper is killed by PID. Namespaces are deleted in the fixture's finally.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HELPER = Path(__file__).resolve().parent / "nshelper_adapters.py"
REPO = Path(__file__).resolve().parents[2]
VIP = "192.168.10.10"
NODE1 = "192.168.10.1"
NODE2 = "192.168.10.2"

pytestmark = pytest.mark.lab


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)


def _namespaces_usable() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    probe = f"hbtprobe{os.getpid()}"
    made = _ip("netns", "add", probe)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    _ip("netns", "del", probe)
    return None


SKIP_REASON = _namespaces_usable()


@dataclass
class NsPair:
    """Two namespaces joined by eth0 <-> eth0; node1 = 192.168.10.1, node2 = .2."""

    node1: str
    node2: str

    def json_lines(self, ns: str, command: str, args: dict[str, Any], timeout: float = 20):
        proc = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, str(HELPER), command, json.dumps(args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]

    def start(self, ns: str, command: str, args: dict[str, Any]) -> subprocess.Popen[str]:
        """Start a listener helper and wait (bounded) for its ``ready`` line."""
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, str(HELPER), command, json.dumps(args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert proc.stdout is not None
        first = _read_line_unbuffered(proc.stdout.fileno(), timeout=15)
        if json.loads(first or "null") != "ready":
            _, err = stop(proc)
            pytest.fail(f"{command} helper in {ns} said {first!r}: {err}")
        return proc

    def addresses(self, ns: str) -> list[dict[str, Any]]:
        out = _ip("-n", ns, "-j", "addr", "show", "dev", "eth0")
        assert out.returncode == 0, out.stderr
        return [a for a in json.loads(out.stdout)[0]["addr_info"] if a["family"] == "inet"]

    def mac(self, ns: str) -> str:
        out = _ip("-n", ns, "-j", "link", "show", "dev", "eth0")
        return str(json.loads(out.stdout)[0]["address"])


def _read_line_unbuffered(fd: int, timeout: float) -> str:
    """One line, byte by byte, so that nothing after it sits in a Python buffer where
    ``communicate()`` would never see it."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        byte = os.read(fd, 1)
        if not byte:
            break
        data += byte
    return data.decode()


def stop(proc: subprocess.Popen[str], timeout: float = 15) -> tuple[str, str]:
    """Collect a helper's output, killing it by PID if it overstays."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate(timeout=5)


@pytest.fixture
def ns_pair() -> Iterator[NsPair]:
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    tag = uuid.uuid4().hex[:8]
    pair = NsPair(f"hbt-{tag}-1", f"hbt-{tag}-2")
    made: list[str] = []
    try:
        for ns in (pair.node1, pair.node2):
            assert _ip("netns", "add", ns).returncode == 0
            made.append(ns)
        link = _ip(
            "link", "add", "eth0", "netns", pair.node1, "type", "veth",
            "peer", "name", "eth0", "netns", pair.node2,
        )  # fmt: skip
        assert link.returncode == 0, link.stderr
        for ns, address in ((pair.node1, NODE1), (pair.node2, NODE2)):
            for args in (
                ("link", "set", "lo", "up"),
                ("link", "set", "eth0", "up"),
                ("addr", "add", f"{address}/24", "dev", "eth0"),
            ):
                done = _ip("-n", ns, *args)
                assert done.returncode == 0, done.stderr
        yield pair
    finally:
        for ns in made:
            _ip("netns", "del", ns)


def test_vip_add_label_prefix_broadcast_and_remove(ns_pair: NsPair) -> None:
    steps = [
        {"op": "add", "ip": VIP},
        {"op": "present", "ip": VIP},
        {"op": "add", "ip": "192.168.10.11"},
        {"op": "add", "ip": VIP},
        {"op": "list"},
    ]
    out = ns_pair.json_lines(ns_pair.node1, "vip", {"steps": steps})
    first, present, second, again, listing = out
    assert first == {
        "ip": VIP,
        "prefix": 24,
        "device": "eth0",
        "ifindex": first["ifindex"],
        "label": "eth0:0",
        "broadcast": "192.168.10.255",
        "already_present": False,
    }
    assert present["present"]["label"] == "eth0:0"
    assert second["label"] == "eth0:1"
    assert again["already_present"] and again["label"] == "eth0:0"
    assert [v["ip"] for v in listing["vips"]] == [VIP, "192.168.10.11"]
    kernel = {a["local"]: a for a in ns_pair.addresses(ns_pair.node1)}
    assert kernel[VIP]["label"] == "eth0:0"
    assert kernel[VIP]["prefixlen"] == 24
    assert kernel[VIP]["broadcast"] == "192.168.10.255"
    assert kernel["192.168.10.11"]["label"] == "eth0:1"
    assert kernel[NODE1]["label"] == "eth0"  # the primary address is untouched

    out = ns_pair.json_lines(
        ns_pair.node1,
        "vip",
        {"steps": [{"op": "remove", "ip": VIP}, {"op": "remove", "ip": VIP}, {"op": "list"}]},
    )
    assert out[0]["removed"]["label"] == "eth0:0"
    assert out[1] == {"removed": None}
    assert [v["ip"] for v in out[2]["vips"]] == ["192.168.10.11"]
    assert VIP not in {a["local"] for a in ns_pair.addresses(ns_pair.node1)}
    # the freed label is reused first
    out = ns_pair.json_lines(ns_pair.node1, "vip", {"steps": [{"op": "add", "ip": VIP}]})
    assert out[0]["label"] == "eth0:0"


def test_a_stale_vip_is_removed_before_the_node_starts(ns_pair: NsPair) -> None:
    """kill -9 left the VIP (and a second one) on eth0: ``hbtui node``'s early sweep removes
    what haresources names, leaves the rest, and a second sweep finds nothing."""
    for ip, label in ((VIP, "eth0:0"), ("192.168.10.99", "eth0:1")):
        done = _ip("-n", ns_pair.node1, "addr", "add", f"{ip}/24", "dev", "eth0", "label", label)
        assert done.returncode == 0, done.stderr
    (out,) = ns_pair.json_lines(ns_pair.node1, "stale", {"ips": [VIP, "192.168.10.11"]})
    assert out == {"removed": [VIP], "why": None}
    left = {a["local"] for a in ns_pair.addresses(ns_pair.node1)}
    assert VIP not in left and {"192.168.10.99", NODE1} <= left
    (again,) = ns_pair.json_lines(ns_pair.node1, "stale", {"ips": [VIP]})
    assert again == {"removed": [], "why": None}


def test_vip_errors_are_clean(ns_pair: NsPair) -> None:
    steps = [
        {"op": "add", "ip": "10.99.0.1"},
        {"op": "add", "ip": VIP, "device": "nosuchdev"},
        {"op": "add", "ip": "192.168.10.12", "prefix": 32, "device": "eth0"},
    ]
    no_route, no_dev, host_route = ns_pair.json_lines(ns_pair.node1, "vip", {"steps": steps})
    assert "no route to 10.99.0.1" in no_route["error"]
    assert "no such network device: nosuchdev" in no_dev["error"]
    assert host_route["prefix"] == 32 and host_route["broadcast"] is None


def test_address_watch_sees_add_and_remove(ns_pair: NsPair) -> None:
    times, added, removed = ns_pair.json_lines(ns_pair.node1, "vip-watch", {"ip": VIP})
    assert added["added"] and not removed["added"]
    assert added["label"] == "eth0:0" and added["prefix"] == 24
    # the event is read between the start of add() and the removal
    assert times["before"] <= added["monotonic_s"] <= times["removed"]
    assert added["monotonic_s"] <= removed["monotonic_s"]


def _parse_arp(frame_hex: str) -> dict[str, Any]:
    frame = bytes.fromhex(frame_hex)
    return {
        "eth_dst": frame[0:6].hex(":"),
        "eth_src": frame[6:12].hex(":"),
        "ethertype": frame[12:14].hex(),
        "op": int.from_bytes(frame[20:22], "big"),
        "sha": frame[22:28].hex(":"),
        "spa": ".".join(str(b) for b in frame[28:32]),
        "tha": frame[32:38].hex(":"),
        "tpa": ".".join(str(b) for b in frame[38:42]),
    }


def test_gratuitous_arp_frames_count_fields_and_spacing(ns_pair: NsPair) -> None:
    count, interval = 6, 0.05
    capture = ns_pair.start(
        ns_pair.node2, "arp-capture", {"device": "eth0", "count": count, "timeout": 10}
    )
    try:
        sent = ns_pair.json_lines(
            ns_pair.node1,
            "garp",
            {"call": {"device": "eth0", "ip": VIP, "count": count, "interval_s": interval}},
        )
    finally:
        out, err = stop(capture)
    assert sent[0]["report"]["frames_sent"] == count
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    frames = [line for line in lines if "hex" in line]
    assert len(frames) == count, err
    mac = ns_pair.mac(ns_pair.node1)
    for k, frame in enumerate(frames):
        arp = _parse_arp(frame["hex"])
        assert arp["eth_dst"] == "ff:ff:ff:ff:ff:ff"
        assert arp["eth_src"] == mac and arp["sha"] == mac
        assert arp["ethertype"] == "0806"
        assert arp["spa"] == VIP and arp["tpa"] == VIP
        if k % 2 == 0:
            assert arp["op"] == 1 and arp["tha"] == "00:00:00:00:00:00"
        else:
            assert arp["op"] == 2 and arp["tha"] == mac
    times = [f["t"] for f in frames]
    # first frame at once, then on an absolute schedule
    assert times[0] - sent[0]["start"] < 0.2
    total = times[-1] - times[0]
    assert (count - 1) * interval * 0.6 <= total <= (count - 1) * interval + 0.3


def test_gratuitous_arp_is_cancellable(ns_pair: NsPair) -> None:
    capture = ns_pair.start(
        ns_pair.node2, "arp-capture", {"device": "eth0", "count": 20, "timeout": 1.5}
    )
    try:
        out = ns_pair.json_lines(
            ns_pair.node1,
            "garp",
            {
                "call": {"device": "eth0", "ip": VIP, "count": 20, "interval_s": 0.25},
                "cancel_after": 0.6,
            },
        )
    finally:
        captured, _ = stop(capture)
    assert out == [{"cancelled": True, "active": True}]
    frames = [json.loads(line) for line in captured.splitlines() if '"hex"' in line]
    assert 2 <= len(frames) <= 4  # t=0, 0.25, 0.5 and nothing after the cancel


def test_ucast_between_namespaces_on_port_694(ns_pair: NsPair) -> None:
    media = [["eth0", NODE1], ["eth0", NODE2]]  # as in the HOWTO: both nodes listed
    receiver = ns_pair.start(
        ns_pair.node2,
        "udp",
        {"media": media, "port": 694, "expect": 3, "timeout": 10, "second_open": True},
    )
    try:
        sender = ns_pair.json_lines(
            ns_pair.node1,
            "udp",
            {
                "media": [*media, ["eth0", "192.168.10.255"]],
                "port": 694,
                "send": ["hello", "world"],
                "send_to": [["direct", NODE2]],
                "expect": 2,  # its own copies, over loopback (not "direct")
                "timeout": 5,
            },
        )
    finally:
        out, err = stop(receiver)
    got = [json.loads(line) for line in out.splitlines() if line.strip()]
    # a second node on the same port is refused, naming the holder (ip netns exec execs);
    # if psutil's /proc scan fails, the kernel's socket table still shows the port taken
    assert "port_in_use" in got[0], got
    holders = got[0]["holders"]
    pid, name = holders[0] if len(holders) == 1 else (None, "")
    named = pid == receiver.pid and name.startswith("python")  # python or python3
    assert named or holders == [[None, "PID not visible"]], got
    if got[0]["holders"][0][0] is not None:
        assert f"PID {receiver.pid}" in got[0]["port_in_use"]
    data = [g for g in got if "data" in g]
    assert [d["data"] for d in data] == ["hello", "world", "direct"], err
    assert all(d["addr"][0] == NODE1 and d["addr"][1] != 694 for d in data)
    assert data[0]["ms"] <= data[1]["ms"]
    own = [line for line in sender if "data" in line]
    assert [d["data"] for d in own] == ["hello", "world"]
    stats = sender[-1]
    assert stats["sent"] == 7  # 2 datagrams x 3 media + 1 direct
    assert stats["sent_bytes"] == 3 * len("hello") + 3 * len("world") + len("direct")
    assert stats["received"] == 2 and stats["received_bytes"] == len("helloworld")
    # the subnet broadcast without SO_BROADCAST is refused: counted, not raised
    assert stats["send_errors"] == {"EACCES": 2}


def test_ucast_skip_local_sends_to_peers_only_and_listens_on_every_device(
    ns_pair: NsPair,
) -> None:
    # node2's only eth0 entry is itself: skipped for sending, yet eth0 must still listen
    receiver = ns_pair.start(
        ns_pair.node2,
        "udp",
        {
            "media": [["eth0", NODE2], ["lo", "127.0.0.2"]],
            "port": 694,
            "skip_local": True,
            "expect": 1,
            "timeout": 10,
        },
    )
    try:
        sender = ns_pair.json_lines(
            ns_pair.node1,
            "udp",
            {
                "media": [["eth0", NODE1], ["eth0", NODE2]],
                "port": 694,
                "skip_local": True,
                "send": ["hello"],
            },
        )
    finally:
        out, err = stop(receiver)
    got = [json.loads(line) for line in out.splitlines() if line.strip()]
    data = [g for g in got if "data" in g]
    assert [d["data"] for d in data] == ["hello"], err
    assert data[0]["addr"][0] == NODE1
    assert sender[-1]["sent"] == 1 and sender[-1]["sent_bytes"] == len("hello")  # not to NODE1


def _second_link(pair: NsPair) -> None:
    """eth1 <-> eth1 between the two namespaces, 192.168.20.1/24 and .2/24."""
    link = _ip(
        "link", "add", "eth1", "netns", pair.node1, "type", "veth",
        "peer", "name", "eth1", "netns", pair.node2,
    )  # fmt: skip
    assert link.returncode == 0, link.stderr
    for ns, address in ((pair.node1, "192.168.20.1"), (pair.node2, "192.168.20.2")):
        up = ("link", "set", "eth1", "up")
        for args in (up, ("addr", "add", f"{address}/24", "dev", "eth1")):
            done = _ip("-n", ns, *args)
            assert done.returncode == 0, done.stderr


def test_bcast_mcast_and_ucast_at_once_each_datagram_tagged_with_its_link(
    ns_pair: NsPair,
) -> None:
    """issue 16: one send goes out on every medium; the receiver learns the link of each.

    eth0 has no configured broadcast (``ip addr add`` without ``brd``): the subnet's
    192.168.10.255 is used.
    """
    _second_link(ns_pair)
    mcast = ["mcast", "eth0", "239.0.0.43", 7000, 1, 0]
    receiver = ns_pair.start(
        ns_pair.node2,
        "udp",
        {"media": [["bcast", "eth0"], mcast, ["eth1", "192.168.20.1"]], "port": 694,
         "expect": 3, "timeout": 10},
    )  # fmt: skip
    try:
        sender = ns_pair.json_lines(
            ns_pair.node1,
            "udp",
            {"media": [["bcast", "eth0"], mcast, ["eth1", "192.168.20.2"]], "port": 694,
             "send": ["hello"]},
        )  # fmt: skip
    finally:
        out, err = stop(receiver)
    got = [json.loads(line) for line in out.splitlines() if line.strip()]
    data = [g for g in got if "data" in g]
    assert sorted((d["link"], d["addr"][0]) for d in data) == [
        ("eth0", NODE1),  # bcast
        ("eth0", NODE1),  # mcast
        ("eth1", "192.168.20.1"),  # ucast
    ], err
    assert sender[-1]["sent"] == 3 and sender[-1]["send_errors"] == {}


def test_a_bcast_device_without_ipv4_is_a_clear_error(ns_pair: NsPair) -> None:
    out = ns_pair.json_lines(ns_pair.node1, "udp", {"media": [["bcast", "nosuch0"]], "port": 694})
    assert out == [{"error": "interface nosuch0 has no IPv4 address (or does not exist)"}]


def test_the_peer_probe_program_finds_both_holders_with_plain_python3(ns_pair: NsPair) -> None:
    """Issue 17: ``arpwho``'s source, fed to an isolated ``python3 -`` as the console feeds
    a peer's (no hbtui there), sees its own MAC, that it holds the VIP, and the other MAC."""
    from hbtui.sources.peer_arp import parse_answer, program_argv, program_text

    for ns in (ns_pair.node1, ns_pair.node2):  # both hold it: a split brain
        assert _ip("-n", ns, "addr", "add", f"{VIP}/24", "dev", "eth0").returncode == 0
    vips = [(VIP, "eth0"), ("192.168.10.99", "eth0"), (VIP, "nosuch0")]
    argv = program_argv(("python3", "-I"), 0.3, vips)
    began = time.monotonic()
    done = subprocess.run(
        ["ip", "netns", "exec", ns_pair.node1, *argv], input=program_text(),
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    held, nobody, missing = parse_answer(done.stdout)
    assert time.monotonic() - began < 5
    assert (held.here, held.macs, held.mac) == (True, (ns_pair.mac(ns_pair.node2),),
                                                 ns_pair.mac(ns_pair.node1))  # fmt: skip
    assert (nobody.here, nobody.macs, nobody.error) == (False, (), None)
    assert missing.device == "nosuch0" and missing.error
    bad = subprocess.run([*argv[:3], "7", "x=eth0"], input=program_text(),
                         capture_output=True, text=True, timeout=20, check=False)  # fmt: skip
    assert bad.returncode == 2 and "WAIT_SECONDS" in bad.stderr
