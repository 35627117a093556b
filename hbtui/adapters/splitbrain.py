"""The split-brain detector: every few seconds, ask the link who answers for each VIP.

Opt-in (``split_brain_probe = 5s`` in hbtui.conf). A VIP is in split brain when this node
has it and another machine answers the ARP probe too, or when two other machines answer.
A new split brain is logged CRIT with the MACs; its end is logged too. ``describe`` gives
what ``hbtui status`` (``runtime.split_brain``), ``--check`` (CRITICAL) and the console show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hbtui.adapters.arpprobe import probe
from hbtui.adapters.garp import GarpError
from hbtui.adapters.udpport import device_for
from hbtui.config.model import ClusterConfig
from hbtui.engine.resources import VIP_RESOURCES, parse_vip

log = logging.getLogger(__name__)

Probe = Callable[[str, str], Awaitable[tuple[str, ...]]]
Report = Callable[[str, str], None]  # (level, text) into the node's log


def probe_targets(config: ClusterConfig) -> list[tuple[str, str]]:
    """Every VIP of haresources with the device to probe it on: the one its IPaddr argument
    names, else the interface whose subnet holds it (where IPaddr puts it), else the first
    medium's device. Reads the interfaces: call it off the event loop."""
    cf = config.ha_cf
    default = cf.media[0].device if cf.media else "eth0"
    return [
        (vip.ip, vip.device or device_for(vip.ip, default))
        for group in config.haresources.groups
        for res in group.resources
        if res.name in VIP_RESOURCES
        for vip in [parse_vip(res.args)]
    ]


@dataclass(frozen=True, slots=True)
class SplitBrain:
    """One VIP held by more than one machine, as the last probe saw it."""

    ip: str
    device: str
    here: bool  # the address is on this node too
    macs: tuple[str, ...]  # the other machines that answered
    since_ms: int


class SplitBrainWatch:
    """Probes ``vips`` (ip, device) every ``interval_s`` until cancelled."""

    def __init__(
        self,
        vips: Sequence[tuple[str, str]],
        interval_s: float,
        present: Callable[[str], Awaitable[bool]],
        report: Report,
        now_ms: Callable[[], int],
        probe_fn: Probe = probe,
    ) -> None:
        self.vips = tuple(vips)
        self.interval_s = interval_s
        self.present = present
        self.report = report
        self.now_ms = now_ms
        self.probe = probe_fn
        self.found: dict[str, SplitBrain] = {}
        self.probes = 0
        self._failing: set[str] = set()

    async def run(self) -> None:
        """Probe forever (the runtime cancels the task when it stops)."""
        while True:
            await self.check_once()
            await asyncio.sleep(self.interval_s)

    async def check_once(self) -> None:
        """One round over every VIP."""
        for ip, device in self.vips:
            try:
                macs = await self.probe(device, ip)
            except GarpError as exc:
                if ip not in self._failing:  # once, not every round
                    self._failing.add(ip)
                    self.report("ERROR", f"split-brain probe of {ip} on {device} failed: {exc}")
                continue
            self._failing.discard(ip)
            self.probes += 1
            here = await self.present(ip)
            self._judge(ip, device, here, macs)

    def _judge(self, ip: str, device: str, here: bool, macs: tuple[str, ...]) -> None:
        split = (here and bool(macs)) or len(macs) >= 2
        known = self.found.get(ip)
        if split and (known is None or (known.here, known.macs) != (here, macs)):
            since = known.since_ms if known is not None else self.now_ms()
            self.found[ip] = SplitBrain(ip, device, here, macs, since)
            holders = (["this node"] if here else []) + list(macs)
            self.report(
                "CRIT",
                f"Split brain: {ip} is held by {len(holders)} machines on {device}: "
                f"{', '.join(holders)}",
            )
        elif not split and known is not None:
            del self.found[ip]
            owner = "this node" if here else (macs[0] if macs else "nobody")
            self.report("info", f"Split brain over: {ip} is held by {owner} alone")

    def describe(self) -> dict[str, Any]:
        """For the runtime snapshot: every current split brain and the probe count."""
        return {
            "interval_s": self.interval_s,
            "probes": self.probes,
            "split_brain": [
                {
                    "ip": s.ip,
                    "device": s.device,
                    "here": s.here,
                    "macs": list(s.macs),
                    "since_ms": s.since_ms,
                }
                for s in self.found.values()
            ],
        }
