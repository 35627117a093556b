"""What a drill's preflight reads besides the node's snapshot: both nodes' ha.cf,
haresources and authkeys, compared by impact (``hbtui.configdiff.by_impact``: a breaking
difference refuses the drill), and the drilled node's ha-log tail for recent trouble
(``hbtui.drill.halog.trouble``), each through that node's runner: this machine's, or the
SSH link to the peer. ``hbtui drill`` and the console's ``D`` both call ``with_reads``;
after the drill, ``read_peer_scripts`` reads the peer's resource-script calls of the
drill's window from its ha-log (ha.cf ``logfile``), through its runner, into the report;
the window is put on the peer's clock (``date`` read over the same runner), so a peer whose
clock is off, or in another time zone, still gives the drill's calls and only those.

What could not be read is said, never taken as agreement: a file unread on either side
is left out of the comparison and named in ``configs["unread"]`` (the report's notes);
a missing file is compared as missing (it breaks the cluster).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from hbtui.configdiff import by_impact, parse_node_config
from hbtui.drill.checks import peers
from hbtui.drill.driver import ReadAfter, ReadMore
from hbtui.drill.halog import script_runs, trouble
from hbtui.drill.report import DrillReport
from hbtui.remote import commands
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError
from hbtui.sources.daemon_target import RECENT_LINES

READ_TIMEOUT_S = 10.0
MISSING = "No such file or directory"
CLOCK_SLACK = timedelta(seconds=2)  # the peer's ha-log is read from this before the drill
CLOCK_NOTED_S = 1.0  # a peer clock this far off ours is said in the report

Runners = Callable[[], Mapping[str, CommandRunner]]


async def _read(runner: CommandRunner, argv: commands.Argv) -> tuple[str | None, str]:
    """The command's output, or None and why it gave none."""
    try:
        done = await runner.run(argv, timeout=READ_TIMEOUT_S)
    except LinkError as exc:
        return None, str(exc)
    if not done.ok:
        return None, done.stderr.strip() or f"exit status {done.exit_status}"
    return done.stdout, ""


async def config_texts(
    runner: CommandRunner, config_dir: PurePosixPath
) -> tuple[dict[str, str], dict[str, str]]:
    """The node's config files by name (a missing one absent), and why each file that
    could not be read (other than missing) was not."""
    names = commands.CONFIG_FILES
    reads = [_read(runner, commands.config_file(name, config_dir)) for name in names]
    texts, unread = {}, {}
    for name, (text, why) in zip(names, await asyncio.gather(*reads), strict=True):
        if text is not None:
            texts[name] = text
        elif MISSING not in why:
            unread[name] = why
    return texts, unread


def compare(
    node: str,
    ours: tuple[dict[str, str], dict[str, str]],
    peer: str,
    theirs: tuple[dict[str, str], dict[str, str]],
) -> dict[str, list[str]]:
    """``by_impact`` of the files read on both nodes; ``unread`` names the others."""
    (our_texts, our_unread), (their_texts, their_unread) = ours, theirs
    skipped = set(our_unread) | set(their_unread)
    found = by_impact(
        node, {n: t for n, t in our_texts.items() if n not in skipped},
        peer, {n: t for n, t in their_texts.items() if n not in skipped},
    )  # fmt: skip
    found["unread"] = []
    for who, unread in ((node, our_unread), (peer, their_unread)):
        by_reason: dict[str, list[str]] = {}
        for name, why in unread.items():  # ha.cf, haresources, authkeys in that order
            by_reason.setdefault(why, []).append(name)
        found["unread"] += [
            f"{', '.join(n)} not compared ({who}: {why})" for why, n in by_reason.items()
        ]
    return found


async def log_tail(
    runner: CommandRunner, node: str, ha_cf_text: str
) -> tuple[list[str] | None, str]:
    """The last lines of the node's ha-log (ha.cf ``logfile``); None and why when unread."""
    ha_cf = parse_node_config(node, {"ha.cf": ha_cf_text}).ha_cf
    if ha_cf is None or ha_cf.logfile is None:
        return None, "ha.cf names no logfile" if ha_cf is not None else "ha.cf is not valid"
    path = str(ha_cf.logfile)
    text, why = await _read(runner, ("tail", "-n", str(RECENT_LINES), "--", path))
    if text is None:
        return None, f"{path}: {why}"
    return text.splitlines(), ""


async def recent_trouble(
    runner: CommandRunner, node: str, ha_cf_text: str
) -> tuple[list[str] | None, str]:
    """Recent trouble in the node's ha-log (ha.cf ``logfile``); None and why when unread."""
    lines, why = await log_tail(runner, node, ha_cf_text)
    return (None, why) if lines is None else (trouble(node, lines), "")


async def with_reads(
    snap: dict[str, Any], runners: Mapping[str, CommandRunner], config_dir: PurePosixPath
) -> dict[str, Any]:
    """``snap`` with ``configs`` (both nodes' files compared; absent when the peer has no
    runner) and ``trouble`` (when the snapshot has none) read through ``runners``."""
    node, others = str(snap.get("node") or ""), list(peers(snap))
    runner = runners.get(node)
    if runner is None or len(others) != 1:
        return snap  # the preflight refuses a cluster that is not two nodes
    peer = others[0]
    peer_runner = runners.get(peer)
    reads = [config_texts(runner, config_dir)]
    if peer_runner is not None:
        reads.append(config_texts(peer_runner, config_dir))
    read = await asyncio.gather(*reads)
    out = dict(snap)
    if peer_runner is not None:
        out["configs"] = compare(node, read[0], peer, read[1])
    if out.get("trouble") is None:
        (texts, unread), why = read[0], ""
        if "ha.cf" in texts:
            out["trouble"], why = await recent_trouble(runner, node, texts["ha.cf"])
        else:
            why = f"{config_dir / 'ha.cf'}: {unread.get('ha.cf', 'missing')}"
        if why:
            out["trouble_unread"] = why
    return out


def preflight_reads(runners: Runners, config_dir: PurePosixPath) -> ReadMore:
    """``with_reads`` over the runners ``runners()`` gives at each drill (the console's
    nodes change with a rename)."""

    async def reads(snap: dict[str, Any]) -> dict[str, Any]:
        return await with_reads(snap, runners(), config_dir)

    return reads


def local_time(rfc3339: str) -> datetime:
    """An RFC 3339 time as the naive local time an ha-log line carries."""
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).astimezone().replace(tzinfo=None)


@dataclass(frozen=True)
class PeerClock:
    """The peer's clock: ``ahead_s`` of ours (to within half the read's round trip) and
    its UTC offset, what its ha-log's naive times are in."""

    ahead_s: float
    utc_offset: timedelta

    def naive(self, unix_s: float) -> datetime:
        """Our Unix time ``unix_s`` as the peer's ha-log would date it."""
        at = datetime.fromtimestamp(unix_s + self.ahead_s, timezone(self.utc_offset))
        return at.replace(tzinfo=None)


def parse_clock(text: str, before: float, after: float) -> PeerClock | None:
    """``date +%s.%N %z`` output read between our ``before`` and ``after``; None if odd."""
    try:
        unix, zone = text.split()
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        return PeerClock(float(unix) - (before + after) / 2, offset)
    except (ValueError, IndexError):
        return None


async def peer_clock(runner: CommandRunner) -> PeerClock | None:
    """The node's clock read through its runner; None when it could not be read."""
    before = time.time()
    text, _ = await _read(runner, commands.clock())
    return parse_clock(text, before, time.time()) if text is not None else None


def _since(report: DrillReport, clock: PeerClock | None) -> datetime:
    """From when the peer's ha-log is read, on its clock (ours if it was not read)."""
    started = datetime.fromisoformat(report.started.replace("Z", "+00:00")).timestamp()
    at = clock.naive(started) if clock else local_time(report.started)
    if clock and abs(clock.ahead_s) >= CLOCK_NOTED_S:
        side = "ahead of" if clock.ahead_s > 0 else "behind"
        report.notes.append(
            f"{report.peer}'s clock is {abs(clock.ahead_s):.1f} s {side} {report.node}'s:"
            " its ha-log was read on its own clock"
        )
    return at.replace(microsecond=0) - CLOCK_SLACK


async def read_peer_scripts(
    report: DrillReport, runners: Mapping[str, CommandRunner], config_dir: PurePosixPath
) -> None:
    """The peer's script calls from the drill's start (less ``CLOCK_SLACK``, on the peer's
    clock) on, read from its ha-log through its runner into ``report.peer_scripts``; else
    ``peer_unread`` says why not."""
    runner = runners.get(report.peer)
    if runner is None:
        report.peer_unread = f"no link to {report.peer}"
        return
    ha_cf, why = await _read(runner, commands.config_file("ha.cf", config_dir))
    lines: list[str] | None = None
    if ha_cf is None:
        why = f"{config_dir / 'ha.cf'}: {why}"
    else:
        lines, why = await log_tail(runner, report.peer, ha_cf)
    if lines is None:
        report.peer_unread = f"{report.peer}: {why}"
        return
    since = _since(report, await peer_clock(runner))
    report.peer_scripts, report.peer_unread = script_runs(report.peer, lines, since), None


def after_reads(runners: Runners, config_dir: PurePosixPath) -> ReadAfter:
    """``read_peer_scripts`` over the runners ``runners()`` gives after each drill."""

    async def reads(report: DrillReport) -> None:
        await read_peer_scripts(report, runners(), config_dir)

    return reads
