"""``hbtui postmortem`` on recordings this test makes (issue 17): two real Heartbeat 3.0.6
daemons, and two hbtui nodes, in the namespace lab, each pair through one sequence: cold
start (server1 takes the VIP: no entry), kill -9 of server1 (failover to server2), server1
started again (auto_failback: failback), and a graceful stop of server1 (stop: server2 takes
over). On hbtui, server1 is killed and started once more before the stop: server2's ha-log is
then a flapping cluster the drill's preflight refuses (two failovers).

A netlink watcher in each node (``AddressEvents``) dates every add and removal of the VIP,
and tcpdump on the bridge records udp/694. The report must hold exactly those moves, with
``vip_added`` within the log's resolution of netlink's add on the taker (1 s: both write
ha-log lines to the second; hbtui logs "added <ip> on <dev>" in the same format) and each
failover's ``declared_dead`` within 1 s of the ``node server1: is dead`` line. Given the
capture, a failover's ``last_heard`` is server1's last keepalive on the wire, to the ms.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hbtui.drill.halog import trouble
from hbtui.lab.netns import Lab

from .cluster import Cluster, LabNodeProcess, RealHeartbeat
from .haconfig import HaSetup
from .hbtui_node import HbtuiNode
from .observe import AddressEvents, capture, wait_for_vip, wait_until
from .postmortem_of import line_times, phase_time, postmortem_of, wall

pytestmark = pytest.mark.lab

HOWTO = HaSetup()
VIP = HOWTO.vip_ip
NAMES = ("server1", "server2")
DONE = "mach_down takeover complete."  # server2 took over (after a kill or a stop)
BACK = "Standby resource acquisition done"  # server1 took its group back (failback)
KINDS: dict[str, type[LabNodeProcess]] = {"real": RealHeartbeat, "hbtui": HbtuiNode}
# how far a phase time may be before netlink's: both write ha-log lines to the second; the
# watcher sees an address a few ms after the kernel adds it
RESOLUTION_S = 1.0
SLACK_S = 0.05
WIRE_MS = 5.0  # last_heard from the capture vs tcpdump's own time of that packet
PACKET = re.compile(r"^\d+\.\d+ IP ")  # tcpdump -tt: a packet's first line
STATUS = re.compile(r"(?:^|\))t=status\b")


@dataclass(frozen=True)
class Move:
    """What the lab did: `kind` from `src` to `dst`, begun at monotonic `began`."""

    kind: str
    src: str
    dst: str
    began: float


class Sequence:
    """One cluster driven through the moves; each step waits (bounded) for its log lines."""

    def __init__(self, cluster: Cluster, lab: Lab) -> None:
        self.cluster, self.lab = cluster, lab
        self.moves: list[Move] = []

    def count(self, name: str, needle: str) -> int:
        return self.cluster[name].log_text().count(needle)

    def _step(self, kind: str, dst: str, needle: str, act: Callable[[], None]) -> None:
        src = "server2" if dst == "server1" else "server1"
        before = self.count(dst, needle)
        began = time.monotonic()
        act()
        wait_for_vip(self.lab[dst], VIP, present=True, timeout=25)
        wait_for_vip(self.lab[src], VIP, present=False, timeout=10)
        wait_until(lambda: self.count(dst, needle) > before, 10, f"{needle!r} on {dst}")
        self.moves.append(Move(kind, src, dst, began))

    def kill(self) -> None:
        """kill -9 of server1: failover. Its VIP stays on the dead node's interface; the
        next start must find none (as after a reboot), so it is removed by hand at once."""

        def crash() -> None:
            self.cluster["server1"].crash()
            self.lab["server1"].run(["ip", "addr", "del", HOWTO.vip, "dev", "eth0"], check=True)

        self._step("failover", "server2", DONE, crash)

    def come_back(self) -> None:
        """server1 started again: auto_failback gives it its group back."""
        self._step("failback", "server1", BACK, self.cluster["server1"].start)

    def stop(self) -> None:
        """Graceful stop of the holder server1: server2 takes over."""
        self._step("stop", "server2", DONE, self.cluster["server1"].stop)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_postmortem_of_a_recorded_sequence_reports_each_move_at_its_times(
    lab: Lab, kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "real":
        request.getfixturevalue("real_heartbeat")
    cluster = Cluster(lab, [KINDS[kind], KINDS[kind]], HOWTO)
    steps = Sequence(cluster, lab)
    netns = {node.name: node.netns for node in lab}
    with AddressEvents(netns, VIP) as watch, capture(lab, tmp_path / "hb.pcap") as pcap:
        cluster.start_all()
        wait_for_vip(lab["server1"], VIP, present=True, timeout=25)  # cold start
        steps.kill()
        steps.come_back()
        if kind == "hbtui":  # the real daemon's wording: tests/runtime/test_runtime_drill_daemon
            flap_again(steps)
        steps.stop()
    logs = {name: cluster[name].log_text() for name in NAMES}
    config = tmp_path / "ha.d"
    shutil.copytree(lab["server1"].host_path("/etc/ha.d"), config)

    entries = postmortem_of(logs, tmp_path / "plain", config)
    assert [(e["kind"], e["from"], e["to"]) for e in entries] == [
        (m.kind, m.src, m.dst) for m in steps.moves
    ], entries
    dead_lines = iter(line_times(logs["server2"], "node server1: is dead"))
    for entry, move in zip(entries, steps.moves, strict=True):
        assert VIP in " ".join(entry["resources"]), entry
        added = [at for name, on, at in watch.events if name == move.dst and on]
        taken = wall(min(at for at in added if at >= move.began))
        error = phase_time(entry, "vip_added") - taken
        print(f"[lab postmortem {kind}] {move.kind}: vip_added - netlink {error * 1000:.0f} ms")
        assert -RESOLUTION_S - SLACK_S <= error <= SLACK_S, (entry, taken)
        if move.kind == "failover":  # the Done-when: within 1 s of the "is dead" line
            dead_line = next(dead_lines)
            assert abs(phase_time(entry, "declared_dead") - dead_line) <= 1.0, (entry, dead_line)
        else:
            assert "declared_dead" not in entry, entry
    on_the_wire(entries, steps.moves, logs, config, pcap, tmp_path)


def on_the_wire(
    entries: list[dict[str, Any]],
    moves: list[Move],
    logs: dict[str, str],
    config: Path,
    pcap: Path,
    tmp: Path,
) -> None:
    """With the capture the same entries come out, each failover's last_heard being server1's
    last keepalive before the kill as tcpdump dates it (the logs put on the capture's clock)."""
    wired = postmortem_of(logs, tmp / "wired", config, pcap)
    assert [(e["kind"], e["from"], e["to"]) for e in wired] == [
        (e["kind"], e["from"], e["to"]) for e in entries
    ]
    sent = server1_keepalives(pcap)
    for entry, plain, move in zip(wired, entries, moves, strict=True):
        if move.kind != "failover":
            continue
        last = max(at for at in sent if at <= wall(move.began))
        error_ms = (phase_time(entry, "last_heard") - last) * 1000
        print(f"[lab postmortem] last_heard - last keepalive in the pcap: {error_ms:.1f} ms")
        assert abs(error_ms) <= WIRE_MS, (entry, last)
        assert abs(phase_time(entry, "declared_dead") - phase_time(plain, "declared_dead")) < 1


def server1_keepalives(pcap: Path) -> list[float]:
    """Unix times of server1's status packets (its keepalives), as tcpdump reads the file:
    a packet is a status when a line of its text holds the field ``t=status`` (classic
    text: a line of its own; netstring: ``11:(0)t=status,``)."""
    argv = ["tcpdump", "-r", str(pcap), "-n", "-tt", "-A", "src", "host", HOWTO.node_ip("server1")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    found: list[float] = []
    at, status = 0.0, False
    for line in done.stdout.splitlines():
        if PACKET.match(line):
            if status:
                found.append(at)
            at, status = float(line.split()[0]), False
        elif STATUS.search(line):
            status = True
    return [*found, at] if status else found


def flap_again(steps: Sequence) -> None:
    """server1 killed again after its failback: server2's ha-log, as hbtui wrote it, is a
    flapping cluster the drill's preflight refuses (two failovers); then it comes back."""
    server2 = steps.cluster["server2"]
    assert trouble("server2", server2.log_text().splitlines()) == []
    steps.kill()
    found = trouble("server2", server2.log_text().splitlines())
    assert any("failed over 2 times" in why for why in found), found
    steps.come_back()
