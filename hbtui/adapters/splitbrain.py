"""The split-brain detector: every few seconds, ask the link who answers for each VIP.

Opt-in (``split_brain_probe = 5s`` in hbtui.conf). A VIP is in split brain when this node
has it and another machine answers the ARP probe too, or when two other machines answer.
A new split brain is logged CRIT with the MACs (this node's own too); its end is logged too.
The console judges a peer's answers (sources/peer_arp.py) with the same ``SplitBrainView``.
``describe`` gives what ``hbtui status`` (``runtime.split_brain``), ``--check`` (CRITICAL)
and the console show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hbtui.adapters.arpprobe import probe
from hbtui.adapters.arpwho import own_mac
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
    here: bool  # the address is on the probing node too
    macs: tuple[str, ...]  # the other machines that answered
    since_ms: int
    mac: str | None = None  # the probing node's own MAC on the device (None: unread)


class SplitBrainView:
    """What one node's probes found: its verdicts, said once each (CRIT for a new split
    brain, info for its end, ERROR once for a probe that fails), and a count of the split
    brains seen. ``prober`` names the node in what is said ("this node" here)."""

    def __init__(
        self, interval_s: float, report: Report, now_ms: Callable[[], int], prober: str = ""
    ) -> None:
        self.interval_s = interval_s
        self.report = report
        self.now_ms = now_ms
        self.prober = prober
        self.found: dict[str, SplitBrain] = {}
        self.probes = 0
        self.seen = 0  # split brains found since the start (a new one after an end counts)
        self.held: set[str] = set()  # the VIPs the prober had at its last probe of each
        self._failing: set[str] = set()

    def failed(self, ip: str, device: str, why: str) -> None:
        """A probe of ``ip`` failed: said once until one succeeds; no verdict."""
        if ip not in self._failing:
            self._failing.add(ip)
            where = f" from {self.prober}" if self.prober else ""
            self.report("ERROR", f"split-brain probe{where} of {ip} on {device} failed: {why}")

    def judge(
        self, ip: str, device: str, here: bool, macs: tuple[str, ...], mac: str | None = None
    ) -> None:
        """One probe's answer: ``here`` when the prober has ``ip``, ``macs`` the others."""
        self._failing.discard(ip)
        self.probes += 1
        (self.held.add if here else self.held.discard)(ip)
        split = (here and bool(macs)) or len(macs) >= 2
        known = self.found.get(ip)
        me = self.prober or "this node"
        if split and (known is None or (known.here, known.macs) != (here, macs)):
            since = known.since_ms if known is not None else self.now_ms()
            if known is None:
                self.seen += 1
            self.found[ip] = SplitBrain(ip, device, here, macs, since, mac)
            holders = ([f"{me} ({mac})" if mac else me] if here else []) + list(macs)
            seen_from = f" seen from {self.prober}" if self.prober else ""
            self.report(
                "CRIT",
                f"Split brain{seen_from}: {ip} is held by {len(holders)} machines on "
                f"{device}: {', '.join(holders)}",
            )
        elif not split and known is not None:
            del self.found[ip]
            owner = me if here else (macs[0] if macs else "nobody")
            self.report("info", f"Split brain over: {ip} is held by {owner} alone")

    def describe(self) -> dict[str, Any]:
        """For the snapshot (``runtime``): every current split brain, the probe count, how
        many split brains were seen and the VIPs the prober holds (``probe_held``: the
        console compares two nodes' when their probes do not reach each other)."""
        return {
            "interval_s": self.interval_s,
            "probes": self.probes,
            "split_brains_seen": self.seen,
            "probe_held": sorted(self.held),
            "split_brain": [
                {
                    "ip": s.ip,
                    "device": s.device,
                    "here": s.here,
                    "macs": list(s.macs),
                    "since_ms": s.since_ms,
                }
                | ({"mac": s.mac} if s.mac else {})
                for s in self.found.values()
            ],
        }


class SplitBrainWatch(SplitBrainView):
    """Probes ``vips`` (ip, device) from this node every ``interval_s`` until cancelled."""

    def __init__(
        self,
        vips: Sequence[tuple[str, str]],
        interval_s: float,
        present: Callable[[str], Awaitable[bool]],
        report: Report,
        now_ms: Callable[[], int],
        probe_fn: Probe = probe,
        mac_fn: Callable[[str], str] = own_mac,
    ) -> None:
        """``mac_fn``: this node's MAC on a device (blocking: run in a thread)."""
        super().__init__(interval_s, report, now_ms)
        self.vips = tuple(vips)
        self.present = present
        self.probe = probe_fn
        self.mac_fn = mac_fn
        self._macs: dict[str, str | None] = {}

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
                self.failed(ip, device, str(exc))
                continue
            here = await self.present(ip)
            self.judge(ip, device, here, macs, await self.own_mac(device) if here else None)

    async def own_mac(self, device: str) -> str | None:
        """This node's MAC on ``device`` (read once, off the loop; None: unreadable)."""
        if device not in self._macs:
            try:
                self._macs[device] = await asyncio.to_thread(self.mac_fn, device)
            except OSError as exc:
                log.warning("split-brain probe: no MAC for %s: %s", device, exc)
                self._macs[device] = None
        return self._macs[device]
