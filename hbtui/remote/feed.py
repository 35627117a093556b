"""Follow a peer over its PeerLink: the hbtui stream, or cl_status + ha-log, as raw items.

One coroutine per peer; it returns when the link drops (the caller restarts it once the
link is up again) or when the hbtui stream ends (the node stopped). Whether another daemon
answers there now is the caller's watch (:class:`~hbtui.remote.session.PeerSession`). Polls
of cl_status are scheduled only after the previous one finished, so they never overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import PurePosixPath

import asyncssh

from hbtui.remote import commands
from hbtui.remote.detect import PeerDaemon, detect_daemon
from hbtui.remote.ssh import LinkError, PeerLink

log = logging.getLogger(__name__)

CL_STATUS_EVERY_S = 2.0
Changed = Callable[[], None]
# Items as they arrive:
# ("event", dict) from hbtui --follow, ("log", str) from the ha-log (("log-history", str)
# for the lines written before we looked: shown, but they say nothing of the present),
# ("cl_status", {node: status}) from the real daemon.
RawItem = Callable[[str, object], None]


def _ignore(kind: str, item: object) -> None:
    """The default RawItem consumer."""


async def _follow_hbtui(
    link: PeerLink,
    changed: Changed,
    program: commands.Argv,
    raw: RawItem,
) -> None:
    async for line in link.stream(commands.hbtui_status(follow=True, program=program)):
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raw("log", line)
        else:
            if isinstance(item, dict):
                raw("event", item)
        changed()
    raw("ended", "the hbtui status stream ended (the node stopped)")


async def _poll_cl_status(link: PeerLink, changed: Changed, raw: RawItem) -> None:
    while True:
        listed = await link.run(commands.cl_status("listnodes"), timeout=10.0)
        statuses: dict[str, str] = {}
        for name in listed.stdout.split():
            answer = await link.run(commands.cl_status("nodestatus", name), timeout=10.0)
            statuses[name] = answer.stdout.strip() or "?"
        raw("cl_status", statuses)
        changed()
        await asyncio.sleep(CL_STATUS_EVERY_S)


async def _tail_log(link: PeerLink, changed: Changed, path: PurePosixPath, raw: RawItem) -> None:
    live = False
    async for line in link.stream(commands.tail_follow(path)):
        if not live and line.strip() == commands.LIVE_MARK:
            live = True
            continue
        raw("log" if live else "log-history", line)
        changed()


async def follow_peer(
    link: PeerLink,
    changed: Changed,
    *,
    ha_log: PurePosixPath = commands.HA_LOG,
    hbtui_program: commands.Argv = commands.HBTUI,
    raw: RawItem = _ignore,
    daemon: PeerDaemon | None = None,
) -> PeerDaemon:
    """Follow the peer until the link drops; returns what the peer was found running.

    ``daemon`` is what a probe just found there (asked here when None).
    """
    if daemon is None:  # hbtui's --follow starts with a snapshot: no status needed here
        daemon, _, _ = await detect_daemon(link, hbtui_program)
    try:
        if daemon is PeerDaemon.HBTUI:
            await _follow_hbtui(link, changed, hbtui_program, raw)
        else:
            tasks = [_tail_log(link, changed, ha_log, raw)]
            if daemon is PeerDaemon.HEARTBEAT:
                tasks.append(_poll_cl_status(link, changed, raw))
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, LinkError | asyncssh.Error | OSError
                ):
                    raise result
    except (LinkError, asyncssh.Error, OSError) as exc:
        log.info("peer %s: feed ended: %s", link.target.node, exc)
    with contextlib.suppress(Exception):
        changed()
    return daemon
