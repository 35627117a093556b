"""The split-brain probe from a peer's side, over its SSH link (issue 17).

Every few seconds the console sends ``adapters/arpwho.py``'s own source text to the peer's
``python3 -`` (a real-daemon peer has no hbtui): the peer ARP-probes each VIP on its
interface and says its own MAC, whether it holds the address and which other MACs
answered. The answers are judged as this node's own probe's are (``SplitBrainView``): a
split brain is said CRIT once and put in the peer's snapshot (``runtime.split_brain``) for
the console's banner. A probe that cannot run (no python3, not root, a broken link, a wrong
answer) is said once, until one succeeds, and is never taken for a split brain.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hbtui.adapters import arpwho
from hbtui.adapters.splitbrain import Report, SplitBrainView
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult, LinkError

PYTHON = ("python3",)
WAIT_S = 0.3  # how long the peer listens for answers
RUN_TIMEOUT_S = 10.0  # the whole run over SSH: python's start, the probe, the answer


class AnswerError(ValueError):
    """The peer's answer is not what the probe program prints."""


@dataclass(frozen=True, slots=True)
class PeerAnswer:
    """What the peer's probe says about one VIP (``error``: it could not probe it)."""

    ip: str
    device: str
    here: bool = False
    macs: tuple[str, ...] = ()
    mac: str | None = None
    error: str | None = None


@cache
def program_text() -> str:
    """The probe program sent to the peer: ``arpwho``'s own source."""
    return Path(arpwho.__file__).read_text(encoding="utf-8")


def program_argv(
    python: Sequence[str], wait_s: float, vips: Sequence[tuple[str, str]]
) -> list[str]:
    """``python3 - WAIT IP=DEVICE...`` (the program comes on stdin)."""
    return [*python, "-", f"{wait_s:g}", *(f"{ip}={device}" for ip, device in vips)]


def _text(entry: dict[str, object], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise AnswerError(f"probes[].{key}: expected a string, got {value!r:.40}")
    return value


def parse_answer(stdout: str) -> list[PeerAnswer]:
    """The program's JSON line (the last line: a login banner may come first)."""
    lines = stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except ValueError as exc:
        raise AnswerError(f"not JSON: {lines[-1]!r:.80}") from exc
    probes = data.get("probes") if isinstance(data, dict) else None
    if not isinstance(probes, list):
        raise AnswerError(f"expected {{'probes': [...]}}, got {stdout.strip()!r:.80}")
    found = []
    for entry in probes:
        if not isinstance(entry, dict):
            raise AnswerError(f"probes[]: expected an object, got {entry!r:.40}")
        ip, device = _text(entry, "ip"), _text(entry, "device")
        if "error" in entry:
            found.append(PeerAnswer(ip, device, error=_text(entry, "error")))
            continue
        macs = entry.get("macs")
        if not isinstance(macs, list) or not all(isinstance(m, str) for m in macs):
            raise AnswerError(f"probes[].macs: expected a list of MACs, got {macs!r:.60}")
        here = entry.get("here")
        if not isinstance(here, bool):
            raise AnswerError(f"probes[].here: expected true or false, got {here!r:.20}")
        found.append(PeerAnswer(ip, device, here, tuple(macs), _text(entry, "mac")))
    return found


def _failure(done: CommandResult) -> str:
    said = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return f"{done.argv[0]} exited {done.exit_status}" + (f": {said[-1]}" if said else "")


class PeerArpProbe(SplitBrainView):
    """Probes ``vips`` (ip, device) from ``node`` over ``runner`` every ``interval_s``."""

    def __init__(
        self,
        runner: CommandRunner,
        node: str,
        vips: Sequence[tuple[str, str]],
        interval_s: float,
        report: Report,
        now_ms: Callable[[], int],
        python: Sequence[str] = PYTHON,
    ) -> None:
        super().__init__(interval_s, report, now_ms, prober=node)
        self.runner = runner
        self.vips = tuple(vips)
        self.python = tuple(python)
        self._broken: str | None = None  # why the last run failed as a whole (said once)

    async def run(self, ready: Callable[[], bool]) -> None:
        """Probe every ``interval_s`` while ``ready()`` (the link is up) until cancelled."""
        while True:
            if ready():
                await self.check_once()
            await asyncio.sleep(self.interval_s)

    async def check_once(self) -> None:
        """One run of the program on the peer, every VIP judged."""
        argv = program_argv(self.python, WAIT_S, self.vips)
        try:
            program = await asyncio.to_thread(program_text)  # read once (cached), off the loop
            done = await self.runner.run(argv, input_text=program, timeout=RUN_TIMEOUT_S)
            if not done.ok:
                raise AnswerError(_failure(done))
            answers = parse_answer(done.stdout)
        except (LinkError, AnswerError) as exc:
            if self._broken is None:
                self.report("ERROR", f"split-brain probe from {self.prober} failed: {exc}")
            self._broken = str(exc)
            return
        if self._broken is not None:
            self._broken = None
            self.report("info", f"split-brain probe from {self.prober} works again")
        for answer in answers:
            if answer.error is not None:
                self.failed(answer.ip, answer.device, answer.error)
            else:
                self.judge(answer.ip, answer.device, answer.here, answer.macs, answer.mac)
