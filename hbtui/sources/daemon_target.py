"""``DaemonTarget``: a node running the real Heartbeat daemon, as a drill's target.

The drill (``hbtui.drill.driver``) needs a snapshot, standby, takeover and an event
stream. The real daemon has none of them as such; this target builds them from its own
tools, run through a ``StreamRunner`` (``LocalRunner`` on this node, a ``PeerLink`` on a
peer over SSH):

- the snapshot from ``cl_status`` (hbstatus, nodestatus of each node, rscstatus:
  ``transition`` is a move under way), the addresses on the node's interfaces (``ip``),
  the configured VIPs (haresources), and the ha-log: a standby handshake under way
  (``hbtui.drill.halog.DaemonLog``), and, read once, the recent trouble (failovers,
  restart loops, stop failures, keys that differ) that refuses a drill. A VIP not here
  is the peer's only while the peer is active and nothing moves;
- standby and takeover by ``hb_standby all`` / ``hb_takeover all``; the move counts as
  under way until the daemon logs its end (``Standby resource acquisition done``, ``Other
  node completed standby takeover``) or gives up;
- the events from following the ha-log (``tail -F``): each line as a ``LogLine`` (the
  drill's per-phase times come from them) and what it says (scripts run, their output and
  failures, a stop failure, a node declared dead). A console that already follows the
  log hands each item to ``read`` instead (``WatchSource`` here, ``PeerSource`` for a
  peer over SSH, whose target ``peer_target`` makes from the peer's own config files).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import PurePath, PurePosixPath
from typing import Any

from hbtui.configdiff import parse_node_config
from hbtui.drill.halog import DaemonLog, trouble
from hbtui.engine.resources import VIP_RESOURCES, parse_vip
from hbtui.remote import commands
from hbtui.remote.runner import StreamRunner
from hbtui.remote.ssh import LinkError
from hbtui.stream.halog import level_of
from hbtui.stream.items import LogLine, SourceItem
from hbtui.stream.source import Outcome

RECENT_LINES = 3000  # how much of the ha-log the preflight reads for recent trouble
POLL_EVERY_S = 0.2  # cl_status rounds no closer than this (each is 4+ API clients)
STATUS_TIMEOUT_S = 5.0
MOVE_TIMEOUT_S = 30.0
_INET = re.compile(r"\binet (\d+\.\d+\.\d+\.\d+)/")


class DaemonTarget:
    """See the module docstring."""

    def __init__(
        self,
        runner: StreamRunner,
        node: str,
        nodes: Sequence[str],
        vips: Sequence[dict[str, Any]],
        logfile: PurePath | None,
        poll_every_s: float = POLL_EVERY_S,
    ) -> None:
        """``vips``: haresources' addresses (``config_extras``' ``configured_vips``);
        ``poll_every_s``: the least time between two snapshots' cl_status rounds."""
        self.runner, self.node, self.logfile = runner, node, logfile
        self.nodes = tuple(nodes)
        self.vips = [dict(v) for v in vips]
        self.log = DaemonLog(node)
        self._trouble: list[str] | None = None  # read once, at the first snapshot
        self._asked = False  # a standby or takeover given, its end not yet logged
        self.poll_every_s = poll_every_s
        self._polled = -poll_every_s  # monotonic seconds of the last cl_status round

    def now_ms(self) -> int:
        return int(time.monotonic() * 1000)

    async def _out(self, *args: str) -> tuple[bool, str]:
        try:
            done = await self.runner.run(args, timeout=STATUS_TIMEOUT_S)
        except LinkError:
            return False, ""
        return done.ok, done.stdout

    async def _recent_trouble(self) -> list[str]:
        if self._trouble is None:
            self._trouble = []
            if self.logfile is not None:
                ok, text = await self._out("tail", "-n", str(RECENT_LINES), "--", str(self.logfile))
                self._trouble = trouble(self.node, text.splitlines()) if ok else []
        return self._trouble

    async def snapshot(self) -> dict[str, Any]:
        """The node as a drill reads it (empty: heartbeat does not run there)."""
        wait = self._polled + self.poll_every_s - time.monotonic()
        if wait > 0:  # spare the daemon's API: the drill polls every 50 ms
            await asyncio.sleep(wait)
        self._polled = time.monotonic()
        running, _ = await self._out(*commands.cl_status("hbstatus"))
        if not running:
            return {}
        asked = [self._out(*commands.cl_status("nodestatus", n)) for n in self.nodes]
        rsc_asked = self._out(*commands.cl_status("rscstatus"))
        answers = await asyncio.gather(rsc_asked, self._out("ip", "-o", "addr", "show"), *asked)
        rsc, addrs = answers[0][1].strip(), set(_INET.findall(answers[1][1]))
        statuses = {
            n: out.split()[0]
            for n, (_, out) in zip(self.nodes, answers[2:], strict=True)
            if out.split()
        }
        moving = self._asked or self.log.handshake is not None
        others = [n for n in self.nodes if n != self.node and statuses.get(n) == "active"]
        away = others[0] if len(others) == 1 and not moving and rsc != "transition" else None
        vips = [
            {"resource": v.get("resource"), "ip": v["ip"],
             "owner": self.node if v["ip"] in addrs else away}
            for v in self.vips
        ]  # fmt: skip
        return {
            "node": self.node,
            "status": statuses.get(self.node, "?"),
            "nodes": {
                n: {"self": n == self.node, "status": statuses.get(n, "?")} for n in self.nodes
            },
            "vips": vips,
            "rsc_hold": rsc,
            "busy": rsc == "transition",
            "standby": self.log.handshake or ("asked" if self._asked else None),
            "trouble": await self._recent_trouble(),
            "daemon": "heartbeat",
        }

    async def _hold(self, argv: commands.Argv) -> Outcome:
        self._asked = self.logfile is not None  # without a log: cl_status and the VIP only
        try:
            done = await self.runner.run(argv, timeout=MOVE_TIMEOUT_S)
        except LinkError as exc:
            self._asked = False
            return Outcome(False, str(exc))
        said = (done.stdout + done.stderr).strip()
        if not done.ok:
            self._asked = False
            return Outcome(False, f"{done.command_line}: exit {done.exit_status} {said}".strip())
        return Outcome(True, f"{done.command_line}: asked")

    async def standby(self) -> Outcome:
        """``hb_standby all``: give the group to the peer."""
        return await self._hold(commands.hb_standby())

    async def takeover(self) -> Outcome:
        """``hb_takeover all``: ask the peer for the group."""
        return await self._hold(commands.hb_takeover())

    def read(self, item: SourceItem) -> list[SourceItem]:
        """An item of a follower of this node's ha-log, and what its line says."""
        if not isinstance(item, LogLine):
            return [item]
        ended = self.log.ended
        said = self.log.read(item.text, item.at_ms)
        if self.log.ended > ended:
            self._asked = False
        return [item, *said]

    async def events(self) -> AsyncIterator[SourceItem]:
        """The ha-log's new lines and what they say, until the reader stops."""
        if self.logfile is None:
            return
        live = False
        async for text in self.runner.stream(commands.tail_follow(PurePosixPath(self.logfile), 0)):
            if not live:
                live = text.strip() == commands.LIVE_MARK
                continue
            for item in self.read(LogLine(self.now_ms(), level_of(text), text)):
                yield item

    async def close(self) -> None:
        """Nothing to release: each read is its own command (the runner is the caller's)."""


def peer_target(runner: StreamRunner, node: str, texts: dict[str, str]) -> DaemonTarget | None:
    """The real daemon on a peer, from its config files as read over the link (ha.cf's
    nodes and logfile, haresources' VIPs); None when its ha.cf cannot be read."""
    config = parse_node_config(node, texts)
    if config.ha_cf is None:
        return None
    groups = config.haresources.groups if config.haresources is not None else ()
    vips = [{"resource": r.token, "ip": parse_vip(r.args).ip}
            for g in groups for r in g.resources if r.name in VIP_RESOURCES]  # fmt: skip
    logfile = config.ha_cf.logfile or commands.HA_LOG
    return DaemonTarget(runner, node, config.ha_cf.nodes, vips, logfile)
