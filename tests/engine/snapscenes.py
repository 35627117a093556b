"""Scenes for the snapshot tests: small clusters stopped at telling moments.

A scene calls ``shoot(label, node, now_ms)`` at each moment worth picturing;
``data/snapshot_golden.json`` holds the dicts ``Node.snapshot`` gave there before the
snapshot became typed (the typed one must give the very same).
"""

from __future__ import annotations

from collections.abc import Callable

from enginesim import IPS, Cluster, FakePeer

from hbtui.engine.messages import status
from hbtui.engine.node import Node

Shoot = Callable[[str, Node, int | None], None]  # (label, node, now_ms): picture it now
Scene = Callable[[Shoot], None]


def _pair() -> Cluster:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    return c


def _shoot_all(c: Cluster, shoot: Shoot, now: int | None, prefix: str = "") -> None:
    for name, mem in c.members.items():
        if mem.node is not None:
            shoot(prefix + name, mem.node, now)


def _walk(c: Cluster, shoot: Shoot, stops: list[tuple[int, str]]) -> None:
    """Run to each time and picture every node there (labels prefixed)."""
    for t, prefix in stops:
        c.run_until(t)
        _shoot_all(c, shoot, t, prefix)


def steady(shoot: Shoot) -> None:
    c = _pair()
    c.run_until(30000)
    _shoot_all(c, shoot, 30000)
    _shoot_all(c, shoot, None, "no-now-")


def starting(shoot: Shoot) -> None:
    c = Cluster()
    c.start("server2")
    c.run_until(3)
    _shoot_all(c, shoot, 3)


def peer_dead(shoot: Shoot) -> None:
    c = _pair()
    c.run_until(20000)
    c.kill("server1")
    _walk(c, shoot, [(25000, "silent-"), (25001, "declared-"), (40000, "later-")])
    c.start("server1")  # a new generation
    _walk(c, shoot, [(40001, "restarting-"), (45000, "back-")])


def standby_in_progress(shoot: Shoot) -> None:
    c = _pair()
    c.run_until(5000)
    c["server1"].stop_rc = [1]  # the first stop fails: the release waits for its retry
    c.command("server1", "standby")
    _walk(
        c, shoot, [(5000, "asked-"), (5001, "answered-"), (5002, "releasing-"), (6100, "released-")]
    )


def rejected_packets(shoot: Shoot) -> None:
    c = _pair()
    c.run_until(3000)
    stranger = FakePeer("server2", key=b"SomethingElseEntirely")
    for t in range(3):
        c.inject("server1", stranger.make(status("active", 5000), 3000 + t), IPS["server2"])
    unknown = FakePeer("server9")
    c.inject("server1", unknown.make(status("active", 5000)), "192.168.10.9")
    c.inject("server1", b"garbage", "192.168.10.8")
    _shoot_all(c, shoot, 3000)


def wrong_key_both_ways(shoot: Shoot) -> None:
    c = Cluster(server2={"key": b"SomethingElseEntirely"})
    c.start("server1")
    c.start("server2")
    c.run_until(60000)
    _shoot_all(c, shoot, 60000)


def graceful_stop(shoot: Shoot) -> None:
    c = _pair()
    c.run_until(5000)
    c["server1"].stop_rc = [1]
    c.command("server1", "stop")
    _shoot_all(c, shoot, 5000, "stopping-")
    c.run_until(5500)
    _shoot_all(c, shoot, 5500, "retrying-")


SCENES: dict[str, Scene] = {
    "steady": steady,
    "starting": starting,
    "peer_dead": peer_dead,
    "standby_in_progress": standby_in_progress,
    "rejected_packets": rejected_packets,
    "wrong_key_both_ways": wrong_key_both_ways,
    "graceful_stop": graceful_stop,
}


def pictures(take: Callable[[Node, int | None], object]) -> dict[str, list[tuple[str, object]]]:
    """Every scene run once: ``take(node, now_ms)`` at each of its moments, by label."""
    out: dict[str, list[tuple[str, object]]] = {}
    for name, scene in SCENES.items():
        shots = out[name] = []

        def shoot(label: str, node: Node, now: int | None, shots: list = shots) -> None:
            shots.append((label, take(node, now)))

        scene(shoot)
    return out
