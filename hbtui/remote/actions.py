"""Operator actions on a peer through its own service manager (detected, shown first).

stop / start / restart go through the systemd unit or the init script; delete hb_uuid is
refused while the daemon runs there; standby / takeover are asked of the daemon the
service manages: the real daemon's hb_standby / hb_takeover, or ``hbtui standby|takeover``
(run as ``hbtui_program``, e.g. a venv path) for an hbtui node.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from hbtui.remote import commands
from hbtui.remote.commands import Argv, ServiceManager
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError

# A graceful stop may wait for resource scripts (the init script waits up to 180 s).
ACTION_TIMEOUT_S = 200.0
PEER_ACTIONS = ("stop", "start", "restart", "delete_uuid", "standby", "takeover")


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What an action did, in words for the log pane."""

    ok: bool
    text: str


class PeerActions:
    """The console's action keys, for one node reached through ``runner``."""

    def __init__(
        self,
        node: str,
        runner: CommandRunner,
        service: ServiceManager,
        state_dir: PurePosixPath = commands.STATE_DIR,
        hbtui_program: Argv = commands.HBTUI,
    ) -> None:
        self.node = node
        self.runner = runner
        self.service = service
        self.state_dir = state_dir
        self.hbtui_program = hbtui_program

    def _hold(self, verb: str) -> Argv:
        """standby / takeover all, by the tool of the daemon the service manages."""
        if self.service.daemon == commands.HBTUI_NAME:
            return commands.hbtui_hold(verb, "all", self.hbtui_program)
        return commands.hb_standby() if verb == "standby" else commands.hb_takeover()

    def argv_for(self, action: str) -> Argv:
        """What ``action`` will run (shown in the confirm modal before running it)."""
        table: dict[str, Argv] = {
            "stop": self.service.stop,
            "start": self.service.start,
            "restart": self.service.restart,
            "delete_uuid": commands.delete_hb_uuid(self.state_dir),
            "standby": self._hold("standby"),
            "takeover": self._hold("takeover"),
        }
        if action not in table:
            raise ValueError(f"unknown action {action!r}")
        return table[action]

    def describe(self, action: str) -> str:
        """``server2 (init-script): /etc/init.d/heartbeat stop``."""
        return f"{self.node} ({self.service.kind}): {' '.join(self.argv_for(action))}"

    async def is_running(self) -> bool:
        """Whether the service manager says the daemon runs there (status exit 0)."""
        return (await self.runner.run(self.service.status, timeout=30.0)).ok

    async def perform(self, action: str) -> ActionOutcome:
        """Run one of PEER_ACTIONS; never raises for a remote failure."""
        try:
            argv = self.argv_for(action)
            if action == "delete_uuid" and await self.is_running():
                daemon = self.service.daemon
                text = f"{self.node}: delete hb_uuid refused, {daemon} runs there; stop first"
                return ActionOutcome(False, text)
            result = await self.runner.run(argv, timeout=ACTION_TIMEOUT_S)
        except (LinkError, ValueError) as exc:
            return ActionOutcome(False, f"{self.node}: {action} failed: {exc}")
        output = (result.stdout + result.stderr).strip()
        verdict = "done" if result.ok else f"failed (exit {result.exit_status})"
        text = f"{self.node}: {result.command_line}: {verdict}"
        return ActionOutcome(result.ok, f"{text}\n{output}" if output else text)
