"""Read a node's ha-log: find the lines that mean trouble, skip the ones every lab start produces.

`complaints()` is what the interop tests assert empty on the real daemon's side: errors, critical
lines, and the daemon's words for packets it did not like (duplicate, bad sequence/generation/
timestamp, retransmissions, failed authentication of netstring or classic input, unknown node,
message it cannot parse).
"""

from __future__ import annotations

import re

# Produced by every start in a sandbox; none of them is about the peer or the wire.
HARMLESS = re.compile(
    r"Cannot lock ourselves into memory"  # RLIMIT_MEMLOCK (8 MiB here) too small for mlockall
    r"|Core dumps could be lost|core_pattern|core_uses_pid"  # core-dump advice
    r"|Logging daemon is disabled"  # no ha_logd: logfile/debugfile are written directly
    r"|No Previous generation"  # first start of a fresh node directory
    r"|Initial dead time \[\d+ ms\] may be too small"  # initdead < 10 s (fast timers)
)
# Expected WARNs of a failover in a 2-node cluster without STONITH.
FAILOVER_WARNS = re.compile(r"WARN: (node \S+: is dead|No STONITH device|Shared disks are not)")
PROTOCOL = re.compile(
    r"Duplicate packet|bad sequence number|bad generation number|bad timestamp|bad nak seq"
    r"|Retransmitting pkt|rexmit|netstring authentication failed|authtoken does not match"
    r"|bad node|not found bad message|Invalid message|cannot convert message|Dumping message"
    r"|unknown message|Late heartbeat|failed authentication|Bad/invalid auth token"
)
SEVERE = re.compile(r"\b(ERROR|CRIT|CRITICAL|EMERG)\b|WARN:")


def complaints(log: str, allow_failover: bool = True) -> list[str]:
    """Lines of `log` that report a problem (see the module docstring), harmless ones removed."""
    found = []
    for line in log.splitlines():
        if HARMLESS.search(line):
            continue
        if allow_failover and FAILOVER_WARNS.search(line):
            continue
        if SEVERE.search(line) or PROTOCOL.search(line):
            found.append(line)
    return found


def protocol_complaints(log: str) -> list[str]:
    """Only the lines about packets (what a peer speaking the protocol wrongly would cause)."""
    return [line for line in log.splitlines() if PROTOCOL.search(line)]
