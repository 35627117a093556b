"""A deterministic trace of the HOWTO cluster seen from server2: steady state, server1
crashes (held behind a ``kill`` gate), failover, then server1 returns (held behind a
``start`` gate) and auto_failback gives the group back.

Used by the console tests, the SVG screenshots and ``hbtui console --replay demo``.
Log lines follow the wording of the real daemon's ha-log (see the vectors).
"""

from __future__ import annotations

from typing import Any

from hbtui.engine import events as ev
from hbtui.stream.items import LogLine, ReplayGate, SnapshotTaken, SourceItem

KEEPALIVE_MS = 1000
WARNTIME_MS = 3000
DEADTIME_MS = 5000
VIP_TOKEN = "IPaddr::192.168.10.10/24"
VIP = "192.168.10.10"
GROUP = (VIP_TOKEN,)
WALL_OFFSET_MS = 1_795_663_800_000  # 2026-11-26 03:30:00.000 UTC at t=0


def _stamp(at_ms: int) -> str:
    seconds = (WALL_OFFSET_MS + at_ms) // 1000 % 86400
    return f"Nov 26 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _hb(at_ms: int, level: str, text: str, pid: int = 120) -> LogLine:
    return LogLine(at_ms, level, f"{_stamp(at_ms)} server2 heartbeat: [{pid}]: {level}: {text}")


def _rm(at_ms: int, source: str, text: str, pid: int) -> LogLine:
    seconds = (WALL_OFFSET_MS + at_ms) // 1000 % 86400
    day = f"2026/11/26_{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return LogLine(at_ms, "info", f"{day}  {source}(default)[{pid}]:    info: {text}")


def snapshot() -> dict[str, Any]:
    """server2's picture at t=0: both nodes active, server1 holds the VIP."""
    return {
        "node": "server2",
        "now_ms": 0,
        "status": "active",
        "warntime_ms": WARNTIME_MS,
        "keepalive_ms": KEEPALIVE_MS,
        "nodes": {
            "server2": {
                "self": True,
                "status": "active",
                "uuid": "5e2b7c1a9d3f4e60b1a2c3d4e5f60718",
                "generation": 4,
            },
            "server1": {
                "self": False,
                "status": "active",
                "uuid": "a1f0c2d3e4b5469788796a5b4c3d2e1f",
                "generation": 7,
                "link": "eth0",
                "last_heard_ms": None,
                "deadtime_ms": DEADTIME_MS,
                "deadline_ms": DEADTIME_MS,
            },
        },
        "groups": [{"key": VIP_TOKEN, "home": "server1", "running_here": False}],
        "resources": [
            {"token": VIP_TOKEN, "status": "on server1"},
            {"token": "failback.sh", "status": "on server1"},
        ],
        "vips": [
            {"resource": VIP_TOKEN, "ip": VIP, "owner": "server1", "device": "eth0"},
        ],
        "rejected": [],
    }


def _keepalives(start: int, stop: int, seq0: int, gap0: int | None) -> list[SourceItem]:
    out: list[SourceItem] = []
    at, seq, gap = start, seq0, gap0
    i = 0
    while at <= stop:
        out.append(
            ev.KeepaliveReceived(at, "server1", "eth0", gap, seq, "active", at + DEADTIME_MS)
        )
        i += 1
        gap = KEEPALIVE_MS + (i * 37 % 23) - 11  # a little deterministic jitter
        at += gap
        seq += 1
    return out


STEADY_UNTIL_MS = 20_500
LAST_HEARD_MS = _keepalives(412, STEADY_UNTIL_MS, 4107, None)[-1].at_ms  # before the crash


def trace() -> list[SourceItem]:
    """The whole trace (see the module docstring)."""
    items: list[SourceItem] = [
        SnapshotTaken(0, snapshot()),
        _hb(5, "info", "Status update for node server1: status active"),
        _hb(6, "info", "Comm_now_up(): updating status to active"),
    ]
    steady = _keepalives(412, STEADY_UNTIL_MS, 4107, None)
    items += steady
    for at in (7_300, 7_301, 14_302):
        items.append(
            ev.PacketRejected(
                at, "bad_signature", ("192.168.10.3", 694), "key 1 sha1 mismatch", "server3"
            )
        )
    items.sort(key=lambda i: i.at_ms)
    items.append(ReplayGate(LAST_HEARD_MS + 100, "kill"))
    dead = LAST_HEARD_MS + DEADTIME_MS
    items += [
        ev.PeerLate(LAST_HEARD_MS + WARNTIME_MS, "server1", WARNTIME_MS),
        _hb(LAST_HEARD_MS + WARNTIME_MS, "WARN", "node server1: is late (3 s without status)"),
        ev.PeerDead(dead, "server1", LAST_HEARD_MS, DEADTIME_MS, False),
        ev.NodeStateChanged(dead, "server1", "active", "dead", "deadtime"),
        _hb(dead, "WARN", "node server1: is dead"),
        _hb(dead, "WARN", "No STONITH device configured."),
        _hb(dead, "WARN", "Shared disks are not protected."),
        _hb(dead, "info", "Resources being acquired from server1."),
        _hb(dead, "info", "Link server1:eth0 dead."),
        ev.TakeoverStarted(dead + 1, "server1", "dead", GROUP),
        _rm(dead + 2, "mach_down", f"Taking over resource group {VIP_TOKEN}", 201),
        _rm(
            dead + 3,
            "ResourceManager",
            f"Acquiring resource group: server1 {VIP_TOKEN} failback.sh",
            225,
        ),
        ev.VipAdded(dead + 38, VIP_TOKEN, VIP, "eth0", "eth0:0"),
        _rm(
            dead + 38,
            "IPaddr(IPaddr_192.168.10.10)",
            "eth0:0 192.168.10.10/24 up, 5 gratuitous ARPs",
            329,
        ),
        ev.ScriptStarted(
            dead + 40, 11, "failback.sh", ("/etc/ha.d/resource.d/failback.sh", "status")
        ),
        ev.ScriptExited(dead + 44, 11, 0, False),
        ev.ScriptStarted(
            dead + 45, 12, "failback.sh", ("/etc/ha.d/resource.d/failback.sh", "start")
        ),
        _rm(dead + 45, "ResourceManager", "Running /etc/ha.d/resource.d/failback.sh  start", 225),
        ev.ScriptOutput(dead + 51, 12, "stdout", "failback.sh: starting on server2"),
        ev.ScriptExited(dead + 52, 12, 0, False),
        ev.ResourcesChanged(dead + 53, "all", GROUP),
        ev.TakeoverDone(
            dead + 58,
            "server1",
            "dead",
            GROUP,
            ev.TakeoverPhases(LAST_HEARD_MS, dead, dead + 1, dead + 38, dead + 52),
        ),
        _rm(dead + 58, "mach_down", "mach_down takeover complete for node server1.", 201),
        _hb(dead + 59, "info", "mach_down takeover complete."),
        ReplayGate(dead + 10_000, "start"),
    ]
    back = dead + 10_000
    items += [
        ev.PeerRestarted(back, "server1", 7, 8),
        ev.NodeStateChanged(back, "server1", "dead", "init", "new generation"),
        _hb(back, "info", "Heartbeat restart on node server1"),
        _hb(back, "info", "Link server1:eth0 up."),
        ev.NodeStateChanged(back + 500, "server1", "init", "active", "status"),
        _hb(back + 500, "info", "Status update for node server1: status active"),
        ev.Failback(back + 600, GROUP, "server2", "server1", "offered"),
        _hb(back + 600, "info", "remote resource transition completed."),
        ev.ScriptStarted(
            back + 610, 13, "failback.sh", ("/etc/ha.d/resource.d/failback.sh", "stop")
        ),
        ev.ScriptOutput(back + 617, 13, "stdout", "failback.sh: stopping on server2"),
        ev.ScriptExited(back + 618, 13, 0, False),
        ev.VipRemoved(back + 640, VIP_TOKEN, VIP, "eth0"),
        _rm(
            back + 640,
            "ResourceManager",
            f"Releasing resource group: server1 {VIP_TOKEN} failback.sh",
            611,
        ),
        ev.ResourcesChanged(back + 650, "none", ()),
        ev.Failback(back + 660, GROUP, "server2", "server1", "released"),
        _hb(back + 660, "info", "server1 wants to go standby [foreign]"),
    ]
    items += _keepalives(back + 12, back + 60_000, 1, None)[0:1]
    items += _keepalives(back + 1012, back + 60_000, 2, 1000)
    items.sort(key=lambda i: (i.at_ms, 0))  # stable: equal times keep their order
    return items
