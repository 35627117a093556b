"""A ``Report`` as text (for a person) or JSON lines (one object per timeline entry)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hbtui.postmortem.model import PHASES, Entry, Report
from hbtui.postmortem.timeline import hms

PHASE_LABELS = {
    "last_heard": "last heard",
    "declared_dead": "declared dead",
    "decided": "decided",
    "vip_added": "VIP added",
    "arp_sent": "ARP sent",
    "scripts_done": "scripts done",
}


def rfc3339(at: datetime) -> str:
    """RFC 3339 with milliseconds; log times are the reader's local time zone."""
    return at.astimezone().isoformat(timespec="milliseconds")


def entry_json(entry: Entry) -> dict[str, Any]:
    """The JSON object of one timeline entry; phases the logs do not date are absent."""
    out: dict[str, Any] = {
        "kind": entry.kind.value,
        "from": entry.from_node,
        "to": entry.to_node,
        "resources": list(entry.resources),
        "why": entry.why,
    }
    for phase in PHASES:
        if phase in entry.phases:
            out[phase] = rfc3339(entry.phases[phase])
    return out


def json_lines(report: Report) -> list[str]:
    return [json.dumps(entry_json(e)) for e in report.entries]


def text_lines(report: Report) -> list[str]:
    """The whole report for a terminal."""
    span = ""
    if report.first and report.last:
        span = f", {report.first:%Y-%m-%d %H:%M:%S} to {report.last:%Y-%m-%d %H:%M:%S}"
    nodes = ", ".join(report.nodes) or "?"
    out = [f"post-mortem of {nodes}: {len(report.files)} file(s){span}"]
    out += [f"note: {note}" for note in report.notes]
    out.append("")
    out.append(
        "timeline:" if report.entries else "timeline: no failover, failback, standby or stop"
    )
    for e in report.entries:
        res = f"  [{' '.join(e.resources)}]" if e.resources else ""
        out.append(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.kind.value} {e.from_node} -> {e.to_node}{res}")
        out.append(f"      why: {e.why}")
        phases = "  ".join(f"{PHASE_LABELS[p]} {hms(e.phases[p])}" for p in PHASES if p in e.phases)
        if phases:
            out.append(f"      {phases}")
    if report.late:
        out += ["", "late heartbeats:"]
        for late in report.late:
            whose = "its own (this node was stalled)" if late.node == late.seen_by else late.node
            out.append(
                f"  {late.at:%Y-%m-%d %H:%M:%S}  {late.seen_by}: {whose} heartbeat late, "
                f"gap {late.gap_ms} ms  ({late.where})"
            )
    if report.scripts:
        out += ["", "resource script calls:"]
        for call in report.scripts:
            if call.failed:
                status = f"FAILED ({call.detail})"
            elif call.exit_status is not None:
                status = f"exit {call.exit_status}"
            else:
                status = "no error logged"
            args = f" {call.args}" if call.args else ""
            out.append(
                f"  {call.at:%H:%M:%S}  {call.node}: {call.script}{args} {call.op}: {status}"
            )
    out += ["", "problems:" if report.problems else "problems: none found"]
    for problem in report.problems:
        where = f"  ({problem.where})" if problem.where else ""
        out.append(f"  {problem.at:%Y-%m-%d %H:%M:%S}  {problem.kind}: {problem.text}{where}")
    return out
