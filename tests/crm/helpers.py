"""crm_mon readings captured from the lab's migrated HOWTO cluster (Pacemaker 2.1.5), by name."""

from __future__ import annotations

from pathlib import Path

from hbtui.crm.changes import CrmChange, changes
from hbtui.crm.state import CrmState, parse_crm_mon

CAPTURES = Path(__file__).resolve().parent / "captures"
GROUP = "grp-IPaddr-192.168.10.10-24"
VIP_ID = "IPaddr-192.168.10.10-24"


def capture(name: str) -> str:
    """The XML of capture ``name`` (placed, standby, cut_stopped...)."""
    return (CAPTURES / f"{name}.xml").read_text()


def state(name: str) -> CrmState:
    """Capture ``name`` parsed."""
    return parse_crm_mon(capture(name))


def walk(names: list[str], start_s: float = 1000.0) -> list[list[CrmChange]]:
    """The changes of reading each capture in turn, one second apart."""
    previous: CrmState | None = None
    found = []
    for i, name in enumerate(names):
        current = state(name)
        found.append(changes(previous, current, start_s + i))
        previous = current
    return found
