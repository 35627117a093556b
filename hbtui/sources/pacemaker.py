"""``PacemakerFeed``: a Corosync + Pacemaker cluster read with ``crm_mon -1
--output-as=xml`` through a command runner (this machine, or a peer over SSH).

crm_mon's XML output does not stream (Pacemaker 2.1 prints it once), so the feed polls, but
no faster than needed: every ``idle_s`` (2 s) while the cluster is quiet, every ``busy_s``
(0.5 s) while it settles (no DC, a node joining or unclean, a resource starting or stopping,
or the previous reading changed something), and at once after an action. One reading costs
crm_mon 15-60 ms here. The CIB's resources section (for the VIP addresses) is read again
only when the set of resources changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from hbtui.crm.actions import CrmAction
from hbtui.crm.changes import changes
from hbtui.crm.cib import vip_addresses
from hbtui.crm.feed import ActionResult, CrmSample, settling
from hbtui.crm.state import CrmParseError, CrmState, parse_crm_mon
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult, LinkError

CRM_MON = ["crm_mon", "-1", "--output-as=xml"]
CIB_RESOURCES = ["cibadmin", "--query", "--scope", "resources"]
READ_TIMEOUT_S = 15.0
ACTION_TIMEOUT_S = 60.0


def _failed(what: str, result: CommandResult) -> str:
    """``what`` failed, with the exit status and the last line it printed."""
    said = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return f"{what} exited {result.exit_status}" + (f": {said[-1]}" if said else "")


class PacemakerFeed:
    """See the module docstring."""

    def __init__(
        self,
        runner: CommandRunner,
        where: str,
        *,
        read_only: bool = False,
        idle_s: float = 2.0,
        busy_s: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.runner = runner
        self.where = where
        self.read_only = read_only
        self.idle_s = idle_s
        self.busy_s = busy_s
        self.clock = clock
        self._poke = asyncio.Event()
        self._closed = False
        self._vip_ids: frozenset[str] | None = None
        self._vips: dict[str, str] = {}

    async def _read(self) -> tuple[CrmState | None, str | None]:
        """One crm_mon reading, or why there is none."""
        try:
            result = await self.runner.run(CRM_MON, timeout=READ_TIMEOUT_S)
        except LinkError as exc:
            return None, f"crm_mon on {self.where}: {exc}"
        if not result.ok and not result.stdout.strip():
            return None, _failed(f"crm_mon on {self.where}", result)
        try:
            return parse_crm_mon(result.stdout), None
        except CrmParseError as exc:
            return None, f"on {self.where}: {exc}"

    async def _refresh_vips(self, state: CrmState) -> str | None:
        """Read the VIP addresses when the resources changed; why not, if it failed."""
        ids = frozenset(r.id for r in state.resources)
        if ids == self._vip_ids:
            return None
        try:
            result = await self.runner.run(CIB_RESOURCES, timeout=READ_TIMEOUT_S)
            if not result.ok:
                return _failed(f"cibadmin on {self.where}", result)
            self._vips = vip_addresses(result.stdout)
        except (LinkError, CrmParseError) as exc:
            return f"VIP addresses from {self.where}: {exc}"
        self._vip_ids = ids
        return None

    async def samples(self) -> AsyncIterator[CrmSample]:
        """Readings until :meth:`close`; a failed reading is a sample with ``error``."""
        previous: CrmState | None = None
        while not self._closed:
            at = self.clock()
            state, error = await self._read()
            found = changes(previous, state, at) if state is not None else []
            if state is not None:
                error = await self._refresh_vips(state)
                previous = state
            busy = state is not None and (bool(found) or settling(state))
            wait = self.busy_s if busy else self.idle_s
            yield CrmSample(at, state, tuple(found), dict(self._vips), error, wait)
            self._poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), wait)

    async def act(self, action: CrmAction) -> ActionResult:
        """Run the action's command; the next reading follows at once."""
        if self.read_only:
            return ActionResult(
                False, f"{action.verb}: refused, this view of {self.where} is read-only"
            )
        try:
            result = await self.runner.run(action.argv(), timeout=ACTION_TIMEOUT_S)
        except LinkError as exc:
            return ActionResult(False, f"$ {action.command()}\n{exc}")
        finally:
            self._poke.set()
        said = "\n".join(s for s in (result.stdout.strip(), result.stderr.strip()) if s)
        status = "ok" if result.ok else f"exited {result.exit_status}"
        return ActionResult(
            result.ok, f"$ {action.command()} ({status})" + (f"\n{said}" if said else "")
        )

    async def close(self) -> None:
        """End :meth:`samples` (at its next wait)."""
        self._closed = True
        self._poke.set()
