"""Build the post-mortem ``Report`` from the logs of one or both nodes.

Each node's log gives its own view (``walk.NodeWalk``); views of the same event from two nodes
(the taker's and the giver's) are merged, the taker's times first. Without a capture the two
nodes' clocks are not aligned: the report says so and estimates their offset from lines both
logs date (a shutdown, a standby request).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from hbtui.postmortem.capture import Capture, align, clock_offsets
from hbtui.postmortem.facts import F, Fact, facts_of
from hbtui.postmortem.files import NodeLog, by_host, merge_node
from hbtui.postmortem.model import Entry, Kind, Problem, Report
from hbtui.postmortem.order import in_log_order
from hbtui.postmortem.walk import NodeWalk

LAST_HEARD_WINDOW = timedelta(minutes=5)  # a longer silence is not this failover's
CLOCK_SLACK = timedelta(seconds=15)  # two nodes' views of one event, clocks apart
ALIVE_AFTER = timedelta(seconds=2)  # a "dead" node logging this long after: it was alive
LOOP_WINDOW = timedelta(minutes=10)
LOOP_COUNT = 3
_IP = re.compile(r"^(?:IPaddr2?::)?(\d+\.\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class Settings:
    """What the configuration adds (all optional): timers and the active key."""

    deadtime_s: float | None = None
    warntime_s: float | None = None
    key: str | None = None  # "key 1 (sha1)"
    nodes: tuple[str, ...] = ()


def hms(at: datetime) -> str:
    """``10:41:07``, or ``10:41:07.203`` when the log gave milliseconds."""
    text = at.strftime("%H:%M:%S")
    return f"{text}.{at.microsecond // 1000:03d}" if at.microsecond else text


def _seconds(value: float) -> str:
    return f"{value:g}"


def what_moved(resources: list[str]) -> str:
    """The VIPs of a group (``192.168.10.10``), else its resources, for a sentence."""
    ips = [m[1] for r in resources if (m := _IP.match(r))]
    if ips:
        return " and ".join(ips)
    return " ".join(resources)


def _merge(entries: list[Entry], into: dict[int, Entry]) -> list[Entry]:
    """Two nodes' views of one move become one entry; ``into`` records, by ``id``, the entry
    each of ``entries`` became."""
    merged: list[Entry] = []
    for entry in sorted(entries, key=lambda e: e.at):
        twin = next((m for m in reversed(merged) if _same_event(m, entry)), None)
        into[id(entry)] = twin or entry
        if twin is None:
            merged.append(entry)
            continue
        taker, other = (entry, twin) if twin.to_node not in twin.seen_by else (twin, entry)
        phases = {**other.phases, **taker.phases}
        twin.phases = phases
        twin.taken = twin.taken and entry.taken
        if Kind.FAILBACK in (twin.kind, entry.kind):
            twin.kind = Kind.FAILBACK
        if twin.to_node == "?":
            twin.to_node = entry.to_node
        twin.resources += [r for r in entry.resources if r not in twin.resources]
        twin.where += entry.where
        twin.seen_by |= entry.seen_by
        twin.notes += entry.notes
        twin.at = min(twin.at, entry.at)
    return merged


def _moved(entry: Entry) -> bool:
    """A standby or failback handshake that moved nothing is no event (the real daemon runs
    one on every join, even when the node going standby holds nothing)."""
    return bool(entry.resources) or entry.kind not in (Kind.STANDBY, Kind.FAILBACK)


def _same_event(a: Entry, b: Entry) -> bool:
    kinds = {a.kind, b.kind}
    same_kind = len(kinds) == 1 or kinds == {Kind.STANDBY, Kind.FAILBACK}
    to_ok = a.to_node == b.to_node or "?" in (a.to_node, b.to_node)
    return (
        same_kind
        and a.from_node == b.from_node
        and to_ok
        and not (a.seen_by & b.seen_by)
        and abs(a.at - b.at) <= CLOCK_SLACK
    )


def _alive_after(walk: NodeWalk | None, start: datetime) -> datetime | None:
    """The last moment a node's own log shows it running after ``start`` (not stopping)."""
    if walk is None:
        return None
    later = [f for f in walk.facts if start + ALIVE_AFTER < f.at <= start + timedelta(minutes=5)]
    if any(f.kind is F.SHUTDOWN_START for f in later) or not later:
        return None
    return later[-1].at


def _auth_window(walk: NodeWalk, src: str, at: datetime, span: float) -> list[Fact]:
    lo, hi = at - timedelta(seconds=span + 5), at + timedelta(seconds=5)
    return [f for f in walk.auth.get(src, []) if lo <= f.at <= hi]


def _split_brains(entries: list[Entry], walks: dict[str, NodeWalk], s: Settings) -> list[Entry]:
    found: list[tuple[Entry, str]] = []  # each split brain, with the clause that proves it
    for entry in entries:
        dead_at = entry.phases.get("declared_dead")
        if entry.kind is not Kind.FAILOVER or dead_at is None:
            continue
        observer = walks.get(entry.to_node)
        own = _alive_after(walks.get(entry.from_node), dead_at)
        bad = (
            _auth_window(observer, entry.from_node, dead_at, s.deadtime_s or 30) if observer else []
        )
        if own is None and not bad:
            continue
        if bad:
            clause = (
                f"{entry.from_node} was alive: its packets failed authentication at "
                f"{entry.to_node} from {hms(bad[0].at)} to {hms(bad[-1].at)} (keys differ)"
            )
        else:
            clause = f"{entry.from_node} was alive: its own log goes on to {hms(own or dead_at)}"
        entry.notes.append(f"but {clause}")
        phases = {k: v for k, v in entry.phases.items() if k != "last_heard"}
        twin = next((b for b, _ in found if abs(b.at - dead_at) <= CLOCK_SLACK), None)
        if twin is not None:  # the other side of the same split: what it took counts too
            twin.resources += [r for r in entry.resources if r not in twin.resources]
            twin.phases = {**phases, **twin.phases}
            twin.seen_by |= entry.seen_by
            continue
        brain = Entry(
            Kind.SPLIT_BRAIN,
            entry.from_node,
            entry.to_node,
            list(entry.resources),
            {"declared_dead": dead_at, **phases},
            at=dead_at,
            where=list(entry.where[:1]),
            seen_by=set(entry.seen_by),
        )
        found.append((brain, clause))
    for brain, clause in found:
        held = what_moved(brain.resources)
        both = f"; both nodes may hold {held}" if held else "; each node acts alone"
        brain.why = (
            f"{brain.to_node} declared {brain.from_node} dead at {hms(brain.at)}"
            f" though {clause}{both}"
        )
    return [brain for brain, _ in found]


def _why(entry: Entry, walks: dict[str, NodeWalk], s: Settings) -> str:
    p = entry.phases
    took_at = p.get("vip_added") or p.get("scripts_done") or p.get("decided")
    moved = what_moved(entry.resources)
    took = (
        f"{entry.to_node} took {moved}"
        if moved
        else f"{entry.to_node} took nothing (no group to take)"
    )
    took += f" at {hms(took_at)}" if took_at and moved else ""
    src, dst = entry.from_node, entry.to_node
    if dst not in entry.seen_by and moved:  # only the giver's log: it does not say
        taker = "the taker's log" if dst == "?" else f"{dst}'s log"
        took = f"{taker} (not given) tells when {moved} was taken"
    if entry.kind is Kind.FAILOVER:
        dead = p["declared_dead"]
        observer = walks.get(dst)
        if observer is not None and id(entry) in observer.never_heard:
            start = observer.starts[-1]
            head = (
                f"{dst} never heard {src} after its own start at {hms(start)};"
                f" declared it dead at {hms(dead)}"
            )
        elif "last_heard" in p and s.deadtime_s is not None:
            gap = (dead - p["last_heard"]).total_seconds()
            head = (
                f"{src} stopped sending at {hms(p['last_heard'])}; no packet for {gap:.1f} s "
                f"(deadtime {_seconds(s.deadtime_s)}); {dst} declared it dead at {hms(dead)}"
            )
        else:
            head = f"{dst} declared {src} dead at {hms(dead)}"
        parts = [head, took]
    elif entry.kind is Kind.STOP and not entry.taken:
        nothing = f"nobody took {moved}" if moved else "nothing was taken over"
        parts = [f"{src} stopped gracefully at {hms(entry.at)}; {dst} was stopping too: {nothing}"]
    elif entry.kind is Kind.STOP:
        parts = [f"{src} stopped gracefully at {hms(entry.at)} and handed over", took]
    elif entry.kind is Kind.FAILBACK:
        parts = [
            f"{dst} came back; auto_failback: {src} gave its groups back at {hms(entry.at)}",
            took,
        ]
    elif entry.kind in (Kind.STANDBY, Kind.TAKEOVER):
        parts = [f"{src} went standby at {hms(entry.at)}", took]
    elif entry.kind is Kind.HEAL:
        parts = [f"{src} returned after a partition at {hms(entry.at)}"]
    else:
        parts = [f"split brain seen by {dst} at {hms(entry.at)}"]
    return "; ".join([*parts, *entry.notes])


def _estimate_last_heard(entry: Entry, walks: dict[str, NodeWalk], s: Settings) -> None:
    dead = entry.phases.get("declared_dead")
    observer = walks.get(entry.to_node)
    if entry.kind is not Kind.FAILOVER or dead is None or s.deadtime_s is None:
        return
    if observer is not None and id(entry) in observer.never_heard:
        return
    entry.phases["last_heard"] = dead - timedelta(seconds=s.deadtime_s)


def _last_heard_on_the_wire(entry: Entry, capture: Capture) -> None:
    """A failover's last_heard: the dead node's last status the capture saw before it was
    declared dead (to the ms), when there is one within the plausible window."""
    dead = entry.phases.get("declared_dead")
    if entry.kind is not Kind.FAILOVER or dead is None:
        return
    last = capture.last_status_before(entry.from_node, dead)
    if last is not None and dead - last <= LAST_HEARD_WINDOW:
        entry.phases["last_heard"] = last


def _key_problems(walks: dict[str, NodeWalk], s: Settings) -> list[Problem]:
    problems = []
    for walk in walks.values():
        for src, facts in walk.auth.items():
            key = walk.keys.get(src)
            how = f" with {key.detail}" if key else (f" with {s.key}" if s.key else "")
            text = (
                f"keys differ: {src}'s packets fail authentication at {walk.node}{how} since "
                f"{hms(facts[0].at)} ({len(facts)} times until {hms(facts[-1].at)})"
            )
            problems.append(Problem(facts[0].at, "keys_differ", text, facts[0].where))
    return problems


def _wire_key_problems(capture: Capture) -> list[Problem]:
    """Senders whose datagrams in the capture fail authentication with the authkeys given."""
    problems = []
    for src, v in sorted(capture.verdicts.items()):
        if not v.failed or v.first_failed is None or v.last_failed is None:
            continue
        text = (
            f"keys differ: {src}'s packets fail authentication in the capture ({v.why}) since "
            f"{hms(v.first_failed)}: {v.failed} of {v.failed + v.passed} until "
            f"{hms(v.last_failed)}"
        )
        problems.append(Problem(v.first_failed, "keys_differ", text, ", ".join(capture.files)))
    return problems


def _stops(walks: dict[str, NodeWalk]) -> dict[str, list[datetime]]:
    """Each node's graceful stops, as its own log or its peers' tell them."""
    stops: dict[str, list[datetime]] = {}
    for walk in walks.values():
        for f in walk.facts:
            if f.kind is F.SHUTDOWN_START:
                stops.setdefault(walk.node, []).append(f.at)
            elif f.kind is F.SHUTDOWN_NOTICE:
                stops.setdefault(f.subject, []).append(f.at)
    return stops


def _unplanned(starts: list[datetime], stops: list[datetime]) -> list[datetime]:
    """The starts no graceful stop came before since the previous start: the node had died,
    been killed or rebooted (a stop and start by the operator, a rename say, is no loop)."""
    out = []
    for before, at in zip([None, *starts], starts, strict=False):
        if before is None or not any(before <= t <= at for t in stops):
            out.append(at)
    return out


def _loops(walks: dict[str, NodeWalk], entries: list[Entry]) -> list[Problem]:
    problems = []
    starts: dict[str, list[datetime]] = {}
    for walk in walks.values():
        for node, times in walk.joins.items():
            merged = starts.setdefault(node, [])
            merged += [t for t in times if all(abs(t - m) > CLOCK_SLACK for m in merged)]
    stops = _stops(walks)
    moved = (Kind.FAILOVER, Kind.FAILBACK, Kind.STOP)
    moves = [e.at for e in entries if e.kind in moved and e.taken]
    unplanned = ", with no graceful stop in between"
    series = [
        (f"{n} started", _unplanned(sorted(ts), stops.get(n, [])), unplanned)
        for n, ts in starts.items()
    ] + [("resources moved", moves, "")]
    for label, times, why in series:
        for i in range(len(times) - LOOP_COUNT + 1):
            window = [t for t in times[i:] if t - times[i] <= LOOP_WINDOW]
            if len(window) >= LOOP_COUNT:
                text = (
                    f"restart loop: {label} {len(window)} times between {hms(window[0])}"
                    f" and {hms(window[-1])}{why}"
                )
                problems.append(Problem(window[0], "restart_loop", text, ""))
                break
    return problems


def _clock_note(walks: dict[str, NodeWalk]) -> list[str]:
    nodes = sorted(walks)
    if len(nodes) < 2:
        return []
    notes = []
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            line = (
                f"the logs of {a} and {b} are not clock-aligned (no capture given): times"
                " from different nodes may be off by their clocks' difference"
            )
            offsets = _offsets(walks[a], walks[b])
            if offsets and abs(median := statistics.median(offsets)) >= 2:
                ahead, behind = (b, a) if median > 0 else (a, b)
                line += (
                    f"; {ahead}'s clock looks {abs(median):.0f} s ahead of {behind}'s"
                    f" ({len(offsets)} paired lines)"
                )
            notes.append(line)
    return notes


def _offsets(a: NodeWalk, b: NodeWalk) -> list[float]:
    """b's time minus a's for lines both logs date (shutdown start/notice, standby request)."""

    def marks(walk: NodeWalk, other: str) -> list[tuple[str, datetime]]:
        out = []
        for f in walk.facts:
            if f.kind is F.SHUTDOWN_START:
                out.append((f"stop {walk.node}", f.at))
            elif f.kind is F.SHUTDOWN_NOTICE and f.subject == other:
                out.append((f"stop {other}", f.at))
            elif f.kind is F.STANDBY_ASK:
                out.append((f"standby {f.subject}", f.at))
        return out

    ma, mb = marks(a, b.node), marks(b, a.node)
    offsets = []
    for label, at in ma:
        near = [t for lb, t in mb if lb == label and abs(t - at) <= timedelta(seconds=60)]
        if near:
            offsets.append(min((t - at).total_seconds() for t in near))
    return offsets


def analyse(
    logs: list[NodeLog], settings: Settings | None = None, capture: Capture | None = None
) -> Report:
    """The report for these logs (one node's or several); with a ``capture`` of udp/694 the
    logs are put on its clock and a failover's last_heard is the dead node's last status
    on the wire."""
    s = settings or Settings()
    clock_notes: list[str] = []
    if capture is not None:
        logs, clock_notes = align(logs, clock_offsets(capture))
    by_node: dict[str, list[NodeLog]] = {}
    for log in (part for whole in logs for part in by_host(whole)):
        by_node.setdefault(log.node, []).append(log)
    known = sorted(set(by_node) | set(s.nodes))
    walks: dict[str, NodeWalk] = {}
    for node, mine in by_node.items():
        peers = [n for n in known if n != node]
        walks[node] = NodeWalk(node, peers).walk(facts_of(node, merge_node(mine)))
    into: dict[int, Entry] = {}
    merged = _merge([e for w in walks.values() for e in w.entries], into)
    entries = [e for e in merged if _moved(e)]
    for entry in entries:
        _estimate_last_heard(entry, walks, s)
        if capture is not None:
            _last_heard_on_the_wire(entry, capture)
    brains = _split_brains(entries, walks, s)
    for entry in entries:
        entry.why = _why(entry, walks, s)
    entries = in_log_order([*entries, *brains], (w.entries for w in walks.values()), into)
    problems = [p for w in walks.values() for p in w.problems]
    problems += _key_problems(walks, s) + _loops(walks, entries)
    if capture is not None:
        problems += _wire_key_problems(capture)
    problems += [
        Problem(
            b.at,
            "both_holding" if b.resources else "split_brain",
            f"split brain: {b.why}",
            b.where[0] if b.where else "",
        )
        for b in brains
    ]
    times = [line.at for log in logs for line in log.lines]
    return Report(
        nodes=known,
        files=[str(log.path) for log in logs],
        entries=entries,
        late=sorted((x for w in walks.values() for x in w.late), key=lambda x: x.at),
        scripts=sorted((c for w in walks.values() for c in w.scripts), key=lambda c: c.at),
        problems=sorted(problems, key=lambda p: p.at),
        notes=clock_notes if capture is not None else _clock_note(walks),
        first=min(times) if times else None,
        last=max(times) if times else None,
    )
