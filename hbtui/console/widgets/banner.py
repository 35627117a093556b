"""The split-brain banner: one red line per VIP held by two machines, above every pane (also
in the compact layout), from each node's ARP probe (``runtime.split_brain``: the prober's own
MAC and the MACs that answered; a peer's is probed over its SSH link) and from comparing the
focused node's view with each other node's (both say they hold it)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from hbtui.console.disagreements import disagreements, vip_owners
from hbtui.console.model import ConsoleModel


def banner_lines(
    model: ConsoleModel, others: Sequence[ConsoleModel], probers: Sequence[ConsoleModel] = ()
) -> list[str]:
    """What the banner says (empty: no split brain known): ``model``'s probe, then each of
    ``probers`` (the other nodes' probes), then ``others``' views compared with ours. A MAC
    one of the probes gave as its own is named by its node."""
    views = [model, *(p for p in probers if p is not model)]
    named = {s.mac: view.us for view in views for s in view.split_brain if s.mac}
    lines = []
    for view in views:
        for found in view.split_brain:
            notes = ["this node"] if view is model else []
            notes += [f"MAC {found.mac}"] if found.mac else []
            me = f"{view.us} ({', '.join(notes)})" if notes else view.us
            holders = [me] if found.here else []
            holders += [
                f"MAC {mac} ({named[mac]})" if mac in named else f"MAC {mac}" for mac in found.macs
            ]
            lines.append(
                f"SPLIT BRAIN: {found.ip} on {found.device} is answered by {len(holders)} "
                f"machines: {', '.join(holders)} (ARP probe from {view.us})"
            )
    said = {s.ip for view in views for s in view.split_brain}
    lines += _both_hold(model, views[1:], others, said)
    for other in others:
        lines += [d.text for d in disagreements(model, other) if d.kind == "split-brain"]
    return lines


def _both_hold(
    model: ConsoleModel,
    probers: Sequence[ConsoleModel],
    others: Sequence[ConsoleModel],
    said: set[str],
) -> list[str]:
    """A VIP both our probe and another node's found on their own node, though neither
    heard the other answer (the probes do not cross: a cut link between them); not when
    the two views' VIP owners say so already (``disagreements``)."""
    return [
        f"SPLIT BRAIN: {ip} is on {model.us} (this node) and on {other.us}, each as its own "
        f"probe found; neither heard the other answer (the link between them is cut?)"
        for other in probers
        for ip in sorted(model.probe_held & other.probe_held)
        if ip not in said and not (other in others and _owners_say(model, other, ip))
    ]


def _owners_say(model: ConsoleModel, other: ConsoleModel, ip: str) -> bool:
    """Both views name their own node as the VIP's owner (``disagreements`` says it)."""
    return vip_owners(model).get(ip) == model.us and vip_owners(other).get(ip) == other.us


class SplitBrainBanner(Static):
    """See the module docstring; hidden while there is nothing to say."""

    def __init__(self) -> None:
        super().__init__(id="split-banner")
        self._shown: list[str] | None = None

    def show(self, lines: list[str]) -> None:
        """Redraw (nothing to do when the lines stay the same)."""
        if lines == self._shown:
            return
        self._shown = lines
        self.set_class(bool(lines), "-on")
        self.update(Text("\n".join(lines), style="bold white on red"))
