"""The resource agents Debian installs in /etc/ha.d/resource.d, run as Heartbeat runs them
(issue 16): ``Filesystem`` on a shared loop device, ``IPsrcaddr``, ``SendArp`` and an
/etc/init.d service (the LSB fallback), with ``failback.sh`` last.

Each lab node has the Debian /etc/ha.d (shellfuncs, resource.d; what a machine moving off
the real daemon has) and its own mount namespace, so the filesystem is mounted where the
group runs and nowhere else. One loop device is the shared disk of both nodes, as a SAN
LUN would be: it must never be mounted on both (ext4 mounted twice is corrupted). Every
node gets a default route (IPsrcaddr changes its source address). hbtui with hbtui, and a
real Heartbeat 3.0.6 daemon beside hbtui both ways round: cold start, graceful stop of
server1 (the group moves), server1 back (auto_failback on); each node's agents in the
same order and the same outcome. Every wait is bounded.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hbtui.lab.netns import Lab
from hbtui.lab.node import Node

from .cluster import DEBIAN_HA_DIR, SITE_FILES, Cluster, LabNodeProcess, RealHeartbeat
from .haconfig import HaSetup
from .halog import protocol_complaints
from .hbtui_node import HbtuiNode
from .observe import wait_for_vip, wait_until

pytestmark = pytest.mark.lab

VIP = "192.168.10.10"
MOUNT = "/run/hbdata"  # /run is private to each node
SERVICE_LOG = "/var/log/hbsvc.log"
SERVICE = f"""#!/bin/sh
### BEGIN INIT INFO
# Provides:          hbsvc
# Required-Start:    $network
# Required-Stop:     $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: lab service started by the cluster (LSB fallback of haresources)
### END INIT INFO
echo "$(date +%s.%3N) $1" >> {SERVICE_LOG}
case "$1" in
  start) touch /run/hbsvc.running ;;
  stop) rm -f /run/hbsvc.running ;;
  status)
    if [ -e /run/hbsvc.running ]; then echo "hbsvc is running"; exit 0; fi
    echo "hbsvc is stopped"; exit 3 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
"""
# SendArp announces a second address (a service behind the node answering for it). For the
# VIP itself the real daemon would skip it: the real IPaddr's own send_arp leaves the pid file
# SendArp reads as "running" (hbtui's built-in IPaddr announces the VIP itself).
ANNOUNCED = "192.168.10.20"
# SendArp's own mark that it is started (send_arp itself exits after its announcements)
SEND_ARP_PIDFILE = f"/run/resource-agents/SendArp_SendArp_{ANNOUNCED}"
REAL_COLD_START_S = 14.0


class HbtuiWithDebianHaD(HbtuiNode):
    """hbtui's node on a machine that has Debian's /etc/ha.d (shellfuncs, resource.d)."""

    def prepare(self, setup: HaSetup) -> None:
        shutil.copytree(
            DEBIAN_HA_DIR, self.node.etc_dir, symlinks=True, dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(*SITE_FILES),
        )  # fmt: skip
        super().prepare(setup)


@pytest.fixture
def shared_disk(lab_dir: Path) -> Iterator[str]:
    """A 32 MiB ext4 image on a loop device (the nodes' shared disk); detached after."""
    if not Path("/dev/loop-control").exists() or shutil.which("mkfs.ext4") is None:
        pytest.skip("needs loop devices and mkfs.ext4")
    image = lab_dir / "shared.img"
    with image.open("wb") as out:
        out.truncate(32 * 2**20)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, timeout=60)
    made = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True,
                          text=True, timeout=30, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"losetup: {made.stderr.strip()}")
    device = made.stdout.strip()
    try:
        yield device
    finally:
        subprocess.run(["losetup", "-d", device], timeout=30, check=False)


@pytest.fixture
def lab_routed(lab: Lab) -> Lab:
    """The two-node lab, each node with a default route and the lab's init.d service."""
    for node in (lab["server1"], lab["server2"]):
        node.run(["ip", "route", "add", "default", "via", "192.168.10.254", "dev", "eth0"],
                 check=True)  # fmt: skip
        service = node.host_path("/etc/init.d/hbsvc")
        service.write_text(SERVICE)
        service.chmod(0o755)
    return lab


def mounted(node: Node) -> bool:
    """The shared filesystem is mounted in ``node``'s mount namespace."""
    mounts = Path(f"/proc/{node.anchor_pid}/mounts").read_text()
    return any(line.split()[1] == MOUNT for line in mounts.splitlines())


def source_is_vip(node: Node) -> bool:
    """IPsrcaddr's work: the default route of ``node`` says ``src <VIP>``."""
    route = node.run(["ip", "-4", "route", "show", "default"], check=True).stdout
    return f"src {VIP}" in route


def service_calls(node: Node) -> list[str]:
    """The init.d service's calls on ``node``, in order."""
    path = node.host_path(SERVICE_LOG)
    return [line.split()[1] for line in path.read_text().splitlines()] if path.exists() else []


def holds_everything(node: Node) -> Callable[[], bool]:
    """Every resource of the group runs on ``node``."""

    def check() -> bool:
        return (
            node.has_address(VIP) and mounted(node) and source_is_vip(node)
            and node.host_path(SEND_ARP_PIDFILE).exists()
            and node.host_path("/run/hbsvc.running").exists()
        )  # fmt: skip

    return check


def holds_nothing(node: Node) -> bool:
    """No resource of the group is left on ``node``."""
    return not (
        node.has_address(VIP) or mounted(node) or source_is_vip(node)
        or node.host_path(SEND_ARP_PIDFILE).exists()
        or node.host_path("/run/hbsvc.running").exists()
    )  # fmt: skip


class MountWatch:
    """Samples both nodes' mounts every 10 ms in a thread: was the disk ever mounted twice?"""

    def __init__(self, lab: Lab) -> None:
        self.nodes = (lab["server1"], lab["server2"])
        self.both = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if all(mounted(node) for node in self.nodes):
                self.both += 1
            self.samples += 1
            time.sleep(0.01)

    def __enter__(self) -> MountWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def timing(what: str, seconds: float) -> None:
    print(f"[lab agents] {what}: {seconds:.3f} s")


Kinds = tuple[Callable[..., LabNodeProcess], Callable[..., LabNodeProcess]]


@pytest.mark.parametrize(
    "kinds",
    [
        (HbtuiWithDebianHaD, HbtuiWithDebianHaD),
        pytest.param((RealHeartbeat, HbtuiWithDebianHaD), marks=pytest.mark.interop),
        pytest.param((HbtuiWithDebianHaD, RealHeartbeat), marks=pytest.mark.interop),
    ],
    ids=["hbtui-hbtui", "real1-hbtui2", "hbtui1-real2"],
)
def test_debian_agents_and_an_init_d_service_move_with_the_group(
    lab_routed: Lab, shared_disk: str, kinds: Kinds
) -> None:
    if RealHeartbeat in kinds and (reason := RealHeartbeat.available()):
        pytest.skip(reason)
    resources = (f"IPsrcaddr::{VIP}", f"SendArp::{ANNOUNCED}/eth0",
                 f"Filesystem::{shared_disk}::{MOUNT}::ext4", "hbsvc", "failback.sh")  # fmt: skip
    setup = HaSetup(resources=resources)
    lab = lab_routed
    server1, server2 = lab["server1"], lab["server2"]
    cluster = Cluster(lab, list(kinds), setup)
    one, two = cluster["server1"], cluster["server2"]
    with MountWatch(lab) as watch:
        began = cluster.start_all()
        wait_for_vip(server1, VIP, timeout=REAL_COLD_START_S + 6)
        wait_until(holds_everything(server1), 30, "every agent started on server1")
        timing(f"{one.kind}+{two.kind}: cold start -> group on server1", time.monotonic() - began)
        assert holds_nothing(server2)
        moving = time.monotonic()
        one.stop(timeout=60)
        wait_until(holds_everything(server2), 30, "every agent started on server2")
        timing("graceful stop of server1 -> group on server2", time.monotonic() - moving)
        assert holds_nothing(server1)  # IPsrcaddr gave the route back its own source
        back = time.monotonic()
        one.start()
        wait_until(holds_everything(server1), 40, "the group back on server1 (auto_failback)")
        wait_until(lambda: holds_nothing(server2), 10, "nothing left on server2")
        timing("server1 back -> group on server1", time.monotonic() - back)
    assert watch.samples > 100 and watch.both == 0, "the shared disk was mounted on both nodes"
    # each node ran the service as Heartbeat does: status before a start, a stop to release
    assert service_calls(server1) == ["status", "start", "stop", "status", "start"]
    assert service_calls(server2) == ["status", "start", "stop"]
    for member in (one, two):
        if isinstance(member, RealHeartbeat):
            assert protocol_complaints(member.log_text()) == []
        else:
            log = member.log_text()
            assert " ERROR: " not in log and " CRIT: " not in log, log
        member.stop(timeout=60)
    assert holds_nothing(server1) and holds_nothing(server2)
