"""Keep a PeerView current from a PeerLink: the hbtui stream, or cl_status + ha-log.

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
from hbtui.remote.peerview import PeerView
from hbtui.remote.ssh import LinkError, PeerLink

log = logging.getLogger(__name__)

CL_STATUS_EVERY_S = 2.0
Changed = Callable[[PeerView], None]
# Raw items as they arrive, for a consumer that wants more than the view:
# ("event", dict) from hbtui --follow, ("log", str) from the ha-log (("log-history", str)
# for the lines written before we looked: shown, but they say nothing of the present),
# ("cl_status", {node: status}) from the real daemon.
RawItem = Callable[[str, object], None]


def _ignore(kind: str, item: object) -> None:
    """The default RawItem consumer."""


async def _follow_hbtui(
    link: PeerLink,
    view: PeerView,
    changed: Changed,
    us: str,
    program: commands.Argv,
    raw: RawItem,
) -> None:
    async for line in link.stream(commands.hbtui_status(follow=True, program=program)):
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            view.apply_log_line(line)
            raw("log", line)
        else:
            if isinstance(item, dict):
                view.apply_event(item, us)
                raw("event", item)
        changed(view)
    raw("ended", "the hbtui status stream ended (the node stopped)")


async def _poll_cl_status(link: PeerLink, view: PeerView, changed: Changed, raw: RawItem) -> None:
    while True:
        listed = await link.run(commands.cl_status("listnodes"), timeout=10.0)
        statuses: dict[str, str] = {}
        for name in listed.stdout.split():
            answer = await link.run(commands.cl_status("nodestatus", name), timeout=10.0)
            statuses[name] = answer.stdout.strip() or "?"
        view.apply_cl_status(listed.stdout, statuses)
        raw("cl_status", statuses)
        changed(view)
        await asyncio.sleep(CL_STATUS_EVERY_S)


async def _tail_log(
    link: PeerLink, view: PeerView, changed: Changed, path: PurePosixPath, raw: RawItem
) -> None:
    live = False
    async for line in link.stream(commands.tail_follow(path)):
        if not live and line.strip() == commands.LIVE_MARK:
            live = True
            continue
        view.apply_log_line(line, live=live)
        raw("log" if live else "log-history", line)
        changed(view)


async def follow_peer(
    link: PeerLink,
    view: PeerView,
    changed: Changed,
    *,
    us: str,
    ha_log: PurePosixPath = commands.HA_LOG,
    hbtui_program: commands.Argv = commands.HBTUI,
    raw: RawItem = _ignore,
    daemon: PeerDaemon | None = None,
) -> PeerDaemon:
    """Feed ``view`` until the link drops; returns what the peer was found running.

    ``daemon`` is what a probe just found there (asked here when None).
    """
    if daemon is None:  # hbtui's --follow starts with a snapshot: no status needed here
        daemon, _, _ = await detect_daemon(link, hbtui_program)
    try:
        if daemon is PeerDaemon.HBTUI:
            await _follow_hbtui(link, view, changed, us, hbtui_program, raw)
        else:
            tasks = [_tail_log(link, view, changed, ha_log, raw)]
            if daemon is PeerDaemon.HEARTBEAT:
                tasks.append(_poll_cl_status(link, view, changed, raw))
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, LinkError | asyncssh.Error | OSError
                ):
                    raise result
    except (LinkError, asyncssh.Error, OSError) as exc:
        log.info("peer %s: feed ended: %s", view.node, exc)
    with contextlib.suppress(Exception):
        changed(view)
    return daemon
