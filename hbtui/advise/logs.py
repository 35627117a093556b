"""Late keepalives from ha-logs: what ``hbtui advise --log`` fits.

A node logs ``Late heartbeat: Node X: interval N ms`` only when a peer's keepalive came more
than ``warntime`` after the one before, so a log is a censored sample: the gaps over warntime,
never the others. Per (observer, sender) this gives those gaps and the time the log spans
(its first to its last line), from which the number of keepalives sent is estimated. The
files are read as ``hbtui postmortem`` reads them (ha-log, ha-debug or syslog, rotated,
gzipped, directories searched; ha-log and ha-debug of one node counted once); a node's own
late heartbeat (it was stalled itself) is counted apart, not as a loss on the link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from hbtui.postmortem.facts import F, fact_of
from hbtui.postmortem.files import NodeLog, expand, merge_node, read_log


@dataclass
class LateGaps:
    """One sender's late keepalives as one observer logged them."""

    observer: str
    sender: str
    gaps_ms: list[int] = field(default_factory=list)
    span_ms: int = 0  # first to last line of the observer's log
    files: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.sender} (seen by {self.observer})"


@dataclass
class LogGaps:
    """Everything the logs gave: late gaps per (observer, sender), own stalls per node."""

    late: list[LateGaps]
    stalls: dict[str, list[int]]  # node -> its own late heartbeats (this node stalled)


def late_gaps(inputs: list[Path]) -> LogGaps:
    """Read the logs; PostmortemError naming the first file that cannot be used."""
    by_node: dict[str, list[NodeLog]] = defaultdict(list)
    for path in expand(inputs):
        log = read_log(path)
        by_node[log.node].append(log)
    late: dict[tuple[str, str], LateGaps] = {}
    stalls: dict[str, list[int]] = {}
    for node, logs in sorted(by_node.items()):
        merged = merge_node(logs)
        if not merged:
            continue
        span_ms = round((merged[-1][1].at - merged[0][1].at).total_seconds() * 1000)
        files = sorted(str(log.path) for log in logs)
        for log, line in merged:
            fact = fact_of(line, node, log.where(line))
            if fact is None or fact.kind is not F.LATE or fact.number is None:
                continue
            if fact.subject == node:
                stalls.setdefault(node, []).append(fact.number)
                continue
            key = (node, fact.subject)
            if key not in late:
                late[key] = LateGaps(node, fact.subject, span_ms=span_ms, files=files)
            late[key].gaps_ms.append(fact.number)
    return LogGaps(sorted(late.values(), key=lambda g: g.name), stalls)
