"""One peer, all together: the link kept up, facts read on connect, its items fed, actions.

The console makes one :class:`PeerSession` per other node in ha.cf
(:func:`targets_for`) and redraws its peer pane on every ``on_change``. Nothing here
decides anything about the cluster; it only reports what the peer says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from pathlib import PurePosixPath
from typing import Any

from hbtui.config.model import ClusterConfig
from hbtui.remote import commands
from hbtui.remote.actions import ActionOutcome, PeerActions
from hbtui.remote.detect import PeerDaemon, PeerFacts, detect_daemon, probe_peer
from hbtui.remote.feed import RawItem, follow_peer
from hbtui.remote.ssh import LinkError, PeerLink, PeerTarget
from hbtui.stream.link import LinkState, LinkStatus

log = logging.getLogger(__name__)

Changed = Callable[["PeerSession"], None]
# How often a peer running the real daemon is asked whether it still does.
REPROBE_S = 5.0
# How often a peer where nothing runs is asked whether a daemon answers now.
IDLE_REPROBE_S = 2.0


def _no_item(kind: str, item: object) -> None:
    """Raw items nobody asked for."""


async def _first_of(*jobs: Coroutine[Any, Any, object]) -> set[int]:
    """Run ``jobs`` until the first one ends (its error raised); cancel the others.

    Returns the positions of the jobs that had ended.
    """
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()
    return {index for index, task in enumerate(tasks) if task in done}


def targets_for(
    config: ClusterConfig, overrides: Mapping[str, PeerTarget] | None = None
) -> list[PeerTarget]:
    """One target per other node of ha.cf: by node name (ssh_config may map it)."""
    overrides = overrides or {}
    return [overrides.get(peer, PeerTarget(node=peer)) for peer in config.peers]


class PeerSession:
    """See the module docstring."""

    def __init__(
        self,
        link: PeerLink,
        us: str,
        on_change: Changed | None = None,
        *,
        config_dir: PurePosixPath = commands.ETC_HA_D,
        state_dir: PurePosixPath = commands.STATE_DIR,
        ha_log: PurePosixPath = commands.HA_LOG,
        hbtui_program: commands.Argv = commands.HBTUI,
        on_item: RawItem | None = None,
    ) -> None:
        self.link = link
        self.us = us
        self.facts: PeerFacts | None = None
        self.actions: PeerActions | None = None
        self._on_change = on_change
        self._dirs = (config_dir, state_dir, ha_log)
        self.hbtui_program = hbtui_program
        self.on_item = on_item
        self._task: asyncio.Task[None] | None = None
        self._facts_ready = asyncio.Event()
        self._poke = asyncio.Event()
        link.add_listener(self._link_changed)

    @property
    def node(self) -> str:
        """The peer's node name (from ha.cf)."""
        return self.link.target.node

    @property
    def status(self) -> LinkStatus:
        """The link's state."""
        return self.link.status

    def _changed(self, *_: object) -> None:
        if self._on_change is not None:
            self._on_change(self)

    def _link_changed(self, status: LinkStatus) -> None:
        self._changed()

    def start(self) -> None:
        """Keep the link up and its items fed until :meth:`close`."""
        self.link.start()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"peer-session-{self.node}")

    async def wait_facts(self, timeout: float) -> PeerFacts:
        """Wait (bounded) for the first probe after connecting."""
        await asyncio.wait_for(self._facts_ready.wait(), timeout)
        assert self.facts is not None
        return self.facts

    async def _run(self) -> None:
        config_dir, state_dir, ha_log = self._dirs
        pause = 0.0  # before probing again over a link that stayed up
        while True:
            await self.link.wait_for(LinkState.UP, timeout=None)
            began = asyncio.get_running_loop().time()
            try:
                self.facts = await probe_peer(
                    self.link,
                    config_dir=config_dir,
                    state_dir=state_dir,
                    hbtui_program=self.hbtui_program,
                    known_service=self.actions.service if self.actions else None,
                )
                if self.facts.service is not None:
                    self.actions = PeerActions(
                        self.node, self.link, self.facts.service, state_dir, self.hbtui_program
                    )
                self._facts_ready.set()
                self._changed()
                if await self._feed(ha_log, self.facts.daemon):
                    continue  # another daemon answers there now: probe again at once
            except LinkError as exc:
                log.info("peer %s: session paused: %s", self.node, exc)
            # The feed ended (the peer's node stopped, or the link broke). Probe again soon:
            # at once after a feed that ran a while, backing off while feeds end quickly.
            lasted = asyncio.get_running_loop().time() - began
            pause = 0.0 if lasted >= REPROBE_S else min(max(2 * pause, 0.25), REPROBE_S)
            if pause:
                with contextlib.suppress(TimeoutError):
                    await self.link.wait_for(
                        LinkState.DOWN, LinkState.REFUSED, LinkState.CLOSED, timeout=pause
                    )
            if self.link.status.state is LinkState.CLOSED:
                return

    async def _feed(self, ha_log: PurePosixPath, daemon: PeerDaemon) -> bool:
        """Follow the peer until the feed ends (False) or another daemon answers (True).

        A LinkError pauses the session; other errors are bugs.
        """
        feed = follow_peer(
            self.link,
            self._changed,
            ha_log=ha_log,
            hbtui_program=self.hbtui_program,
            raw=self.on_item or _no_item,
            daemon=daemon,
        )
        return 1 in await _first_of(feed, self._daemon_changed(daemon))

    async def _daemon_changed(self, seen: PeerDaemon) -> None:
        """Return once the peer answers as another daemon than ``seen``.

        Asked right after each action here; for the real daemon by ``cl_status hbstatus``
        every REPROBE_S (cheap); where nothing runs every IDLE_REPROBE_S (a start from
        anywhere is followed). hbtui's stream ends by itself when that node stops.
        """
        every = {PeerDaemon.HEARTBEAT: REPROBE_S, PeerDaemon.NONE: IDLE_REPROBE_S}.get(seen)
        while True:
            poked = False
            with contextlib.suppress(TimeoutError):
                poked = await asyncio.wait_for(self._poke.wait(), every)
            self._poke.clear()
            if self.link.status.state is not LinkState.UP:
                continue
            if seen is PeerDaemon.HEARTBEAT and not poked:
                with contextlib.suppress(LinkError):
                    if (await self.link.run(commands.cl_status("hbstatus"), timeout=15.0)).ok:
                        continue
            daemon, _, _ = await detect_daemon(self.link, self.hbtui_program)
            if daemon is not seen and self.link.status.state is LinkState.UP:
                log.info("peer %s: %s answers now (was %s)", self.node, daemon, seen)
                return

    async def perform(self, action: str) -> ActionOutcome:
        """An operator action on this peer (refused until its service manager is known)."""
        if self.actions is None:
            if self.facts is not None:
                daemon = self.facts.daemon
                which = "hbtui or heartbeat" if daemon is PeerDaemon.NONE else str(daemon)
                text = f"{self.node}: no systemd unit or init script of {which} found there"
                return ActionOutcome(False, text)
            state = self.status.state
            return ActionOutcome(False, f"{self.node}: not connected yet (link {state})")
        try:
            return await self.actions.perform(action)
        finally:
            self._poke.set()  # stop/start may change what answers there

    async def close(self) -> None:
        """Stop the feed and the link."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.link.close()
