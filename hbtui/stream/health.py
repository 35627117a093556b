"""How healthy a node's cluster looks from its snapshot, in monitoring-plugin terms.

``assess(snapshot, warntime_ms)`` reads one ``Node.snapshot()`` (as ``hbtui status --json``
prints it) and returns a ``Health``: the worst ``State`` found (OK 0, WARNING 1, CRITICAL 2,
UNKNOWN 3, the exit codes of the Nagios / monitoring-plugins convention), one finding per
problem, and perfdata. It judges only what this one node knows; a split brain is seen when
this node and a peer it hears both claim a group.

CRITICAL: a stop failed and the group is held here; a group nobody alive holds while the
node is stable; two nodes claiming one group; two machines answering for a VIP (the node's
opt-in ARP probe, ``runtime.split_brain``); a peer declared dead.
WARNING: a peer silent for longer than warntime (late heartbeat); packets from a peer
failing authentication; this node still starting (init) or a standby handshake open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from hbtui.engine.snapshot import NodeSnapshot, PeerSnapshot


class State(IntEnum):
    """Monitoring-plugin states; the value is the exit code."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or, for OK, one fact) and how bad it is."""

    state: State
    text: str


@dataclass(frozen=True, slots=True)
class Perf:
    """One perfdata value: ``label=value[uom];warn;crit``."""

    label: str
    value: int
    uom: str = ""
    warn: int | None = None
    crit: int | None = None

    def render(self) -> str:
        """The perfdata token (monitoring-plugins guidelines)."""
        tail = ";".join("" if v is None else str(v) for v in (self.warn, self.crit)).rstrip(";")
        return f"{self.label}={self.value}{self.uom}" + (f";{tail}" if tail else "")


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict: worst state, findings (worst first) and perfdata."""

    node: str
    findings: tuple[Finding, ...]
    perf: tuple[Perf, ...] = field(default=())

    @property
    def state(self) -> State:
        """The worst finding's state (OK when there is none)."""
        return max((f.state for f in self.findings), default=State.OK)

    def lines(self) -> list[str]:
        """Plugin output: a status line with perfdata, then one line per finding."""
        problems = [f.text for f in self.findings if f.state is not State.OK]
        summary = "; ".join(problems) or "; ".join(f.text for f in self.findings) or "ok"
        perf = " ".join(p.render() for p in self.perf)
        head = f"HBTUI {self.state.name} - {self.node}: {summary}"
        return [f"{head} | {perf}" if perf else head] + [
            f"{f.state.name}: {f.text}" for f in self.findings
        ]


def assess(data: Mapping[str, Any], warntime_ms: int) -> Health:
    """See the module docstring. Raises ``KeyError``/``ValueError`` on a malformed snapshot."""
    snap = NodeSnapshot.from_dict(data)
    findings: list[Finding] = []
    perf: list[Perf] = []
    alive = [p for p in snap.peers if p.live.status != "dead"]
    for peer in snap.peers:
        findings.extend(_peer_findings(peer, warntime_ms))
        silence = _silence_ms(peer, snap.now_ms)
        if silence is not None:
            perf.append(
                Perf(f"silence_{peer.name}", silence, "ms", warntime_ms, peer.live.deadtime_ms)
            )
    if snap.stop_failed:
        findings.append(
            Finding(
                State.CRITICAL,
                f"stop failed for {', '.join(snap.stop_failed)}: held here until the operator "
                "retries the stop, confirms the cleanup or self-fences",
            )
        )
    if snap.status.value == "init" or snap.phase.value != "stable":
        findings.append(
            Finding(State.WARNING, f"{snap.node} is {snap.status.value} ({snap.phase.value})")
        )
    if snap.standby is not None:
        findings.append(
            Finding(State.WARNING, f"standby/takeover handshake open ({snap.standby.value})")
        )
    stable = snap.phase.value == "stable" and not snap.busy
    held = 0
    for group in snap.groups:
        holders = [snap.node] if covers(snap.rsc_hold, group.home, snap.node) else []
        holders += [p.name for p in alive if p.rsc_hold and covers(p.rsc_hold, group.home, p.name)]
        held += bool(holders)
        if len(holders) > 1:
            findings.append(
                Finding(
                    State.CRITICAL,
                    f"split brain: group {group.key} claimed by {' and '.join(holders)}",
                )
            )
        elif not holders and stable:
            findings.append(Finding(State.CRITICAL, f"nobody holds group {group.key}"))
    probed = _probed_split_brains(data)
    for ip, holders in probed:
        findings.append(
            Finding(State.CRITICAL, f"split brain: {ip} answered by {' and '.join(holders)}")
        )
    for vip in snap.vips:
        findings.append(Finding(State.OK, f"{vip.ip} on {vip.owner or 'nobody'}"))
    perf += [
        Perf("peers_alive", len(alive), "", None, max(0, len(snap.peers) - 1) or None),
        Perf("groups_held", held, "", None, None),
        Perf("stop_failed", len(snap.stop_failed), "", None, 1),
        Perf("split_brain", len(probed), "", None, 1),
        Perf("auth_failures", sum(p.live.auth_failures_in_window for p in snap.peers), "", 1),
    ]
    order = sorted(findings, key=lambda f: -f.state)
    return Health(snap.node, tuple(order), tuple(perf))


def _probed_split_brains(data: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """What the node's ARP probe found (``runtime.split_brain``, when it probes)."""
    runtime = data.get("runtime") or {}
    out = []
    for entry in runtime.get("split_brain") or []:
        me = f"this node ({entry['mac']})" if entry.get("mac") else "this node"
        holders = ([me] if entry.get("here") else []) + list(entry.get("macs") or [])
        out.append((str(entry["ip"]), holders))
    return out


def _peer_findings(peer: PeerSnapshot, warntime_ms: int) -> list[Finding]:
    live = peer.live
    if live.status == "dead":
        return [Finding(State.CRITICAL, f"peer {peer.name} dead")]
    out = []
    if live.status == "unknown":
        out.append(Finding(State.WARNING, f"peer {peer.name} never heard"))
    if live.remaining_ms is not None and live.deadtime_ms - live.remaining_ms > warntime_ms:
        silent = (live.deadtime_ms - live.remaining_ms) / 1000
        out.append(Finding(State.WARNING, f"late heartbeat: {peer.name} silent {silent:.1f} s"))
    if live.auth_failures_in_window:
        out.append(
            Finding(
                State.WARNING,
                f"{live.auth_failures_in_window} packets from {peer.name} failed authentication",
            )
        )
    return out


def _silence_ms(peer: PeerSnapshot, now_ms: int | None) -> int | None:
    if peer.live.last_heard_ms is None or now_ms is None:
        return None
    return max(0, now_ms - peer.live.last_heard_ms)


def covers(hold: str, home: str, holder: str) -> bool:
    """Does ``holder``'s rsc_hold take in a group whose home is ``home``?"""
    if hold == "all":
        return True
    if hold == "local":
        return home == holder
    return hold == "foreign" and home != holder
