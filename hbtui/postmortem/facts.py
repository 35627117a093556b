"""What an ha-log line says, as a typed ``Fact`` (the wording is docs/protocol.md §6-§7's and
hbtui's own, hbtui/engine/hblog.py).

``facts_of`` walks one node's lines in order; it is stateful only to give the real daemon's
authentication failures their sender, which the daemon prints a few lines later in its dump
of the packet (``MSG[4] : [src=server2]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hbtui.postmortem.files import NodeLog
from hbtui.postmortem.lines import LogLine


class F(StrEnum):
    """Kinds of facts."""

    DEAD = "dead"  # subject: the node declared dead
    ACQUIRE_FROM = "acquire_from"  # subject: the node whose resources are taken
    SHUTDOWN_NOTICE = "shutdown_notice"  # subject: the node stopping
    SHUTDOWN_START = "shutdown_start"  # this node stops
    TAKEOVER_CANCELLED = "takeover_cancelled"  # this node stops too: it takes nothing
    RELINQUISHED = "relinquished"  # this node released everything (shutdown)
    GAVE_UP = "gave_up"  # subject: dead node that had released its resources
    GROUP_ACQUIRE = "group_acquire"  # subject: home node; detail: resources
    GROUP_RELEASE = "group_release"
    TAKING_OVER = "taking_over"  # detail: resources (mach_down)
    RUNNING = "running"  # subject: script; detail: args; op
    SCRIPT_FAILED = "script_failed"  # subject: script or resource; detail; number: exit code
    SCRIPT_OK = "script_ok"  # an OCF agent's "Success" (exit 0)
    VIP_ADDED = "vip_added"  # detail: the address
    ARP_SENT = "arp_sent"
    TAKEOVER_DONE = "takeover_done"  # mach_down takeover complete.
    STANDBY_ASK = "standby_ask"  # subject: the giver; detail: rsc type
    STANDBY_ACQUIRE = "standby_acquire"  # subject: the giver (this node takes)
    STANDBY_GIVE = "standby_give"  # subject: the taker (this node gives)
    STANDBY_TAKEN = "standby_taken"  # the taker finished
    STANDBY_RELEASED = "standby_released"  # the giver heard the taker finished
    AUTO_FAILBACK = "auto_failback"
    LOCAL_UP = "local_up"  # this node started
    PEER_STATUS = "peer_status"  # subject: peer; detail: status
    PEER_RESTART = "peer_restart"  # subject: peer
    LATE = "late"  # subject: node; number: interval ms
    AUTH_FAILED = "auth_failed"  # subject: sender (or its address, or "")
    KEYS_DIFFER = "keys_differ"  # subject: sender; detail: "key 1 (sha1)"
    STOP_FAILURE = "stop_failure"  # detail: the resources
    PARTITION = "partition"  # subject: the node back after a partition
    GIVE_BACK = "give_back"  # subject: the node that still holds its resources
    BOTH_OWN = "both_own"
    NOT_STARTED = "not_started"  # detail: why


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing a node's log says, with where it says it."""

    kind: F
    at: datetime
    node: str  # whose log
    where: str  # file:line
    subject: str = ""
    detail: str = ""
    op: str = ""
    number: int | None = None


_IP = r"\d+\.\d+\.\d+\.\d+"
# (kind, pattern, source filter) - groups: subject, detail (by name)
_RULES: tuple[tuple[F, re.Pattern[str], str], ...] = tuple(
    (kind, re.compile(pattern), source)
    for kind, pattern, source in (
        (F.DEAD, r"^node (?P<subject>\S+): is dead", ""),
        (F.ACQUIRE_FROM, r"^Resources being acquired from (?P<subject>\S+?)\.?$", ""),
        (F.SHUTDOWN_NOTICE, r"^Received shutdown notice from '(?P<subject>[^']+)'", ""),
        (F.SHUTDOWN_START, r"^Heartbeat shutdown in progress", ""),
        (F.TAKEOVER_CANCELLED, r"^Resource takeover cancelled - shutdown in progress", ""),
        (F.RELINQUISHED, r"^All HA resources relinquished", ""),
        (F.GAVE_UP, r"^Dead node (?P<subject>\S+) gave up resources", ""),
        (F.GROUP_ACQUIRE, r"^Acquiring resource group: (?P<subject>\S+) (?P<detail>.*)$", ""),
        (F.GROUP_RELEASE, r"^Releasing resource group: (?P<subject>\S+) (?P<detail>.*)$", ""),
        (F.TAKING_OVER, r"^Taking over resource group (?P<detail>.*)$", ""),
        (
            F.RUNNING,
            r"^Running (?P<subject>(?!/etc/ha\.d//rc\.d/)\S+) ?(?P<detail>.*?) ?"
            r"(?P<op>start|stop|status)$",
            "",
        ),
        (
            F.SCRIPT_FAILED,
            r"^(?P<subject>\S+): (?P<op>start|stop|status) "
            r"(?P<detail>returned (?P<rc>-?\d+)|timed out)",
            "",
        ),
        (F.SCRIPT_FAILED, r"^Return code (?P<rc>\d+) from (?P<subject>\S+)", ""),
        (F.SCRIPT_FAILED, r"^Resource script for (?P<subject>\S+) probably not LSB", ""),
        (F.SCRIPT_OK, r"^\s*Success\s*$", "IPaddr"),
        (F.VIP_ADDED, rf"^eval ifconfig \S+ (?P<detail>{_IP}) ", "IPaddr"),
        (F.VIP_ADDED, rf"ip (?:-f inet )?addr(?:ess)? add (?P<detail>{_IP})", "IPaddr"),
        (F.VIP_ADDED, rf"^added (?P<detail>{_IP})(?:/\d+)? on \S+", "IPaddr"),  # hbtui
        (F.ARP_SENT, rf"(?i)(?:gratuitous arp|send_arp).*?(?P<detail>{_IP})?", ""),
        (F.TAKEOVER_DONE, r"^mach_down takeover complete\.$", ""),
        (F.STANDBY_ASK, r"^(?P<subject>\S+) wants to go standby \[(?P<detail>\w+)\]", ""),
        (
            F.STANDBY_ACQUIRE,
            r"^standby: acquire \[(?P<detail>\w+)\] resources from (?P<subject>\S+)",
            "",
        ),
        (F.STANDBY_GIVE, r"^standby: (?P<subject>\S+) can take our (?P<detail>\w+) resources", ""),
        (F.STANDBY_TAKEN, r"Standby resource acquisition done \[(?P<detail>\w+)\]", ""),
        (F.STANDBY_RELEASED, r"^Other node completed standby takeover", ""),
        (F.AUTO_FAILBACK, r"^Initial resource acquisition complete \(auto_failback\)", ""),
        (F.LOCAL_UP, r"^Local status now set to: 'up'", ""),
        (F.PEER_STATUS, r"^Status update for node (?P<subject>\S+): status (?P<detail>\w+)", ""),
        (F.PEER_RESTART, r"^Heartbeat restart on node (?P<subject>\S+)", ""),
        (F.LATE, r"^Late heartbeat: Node (?P<subject>\S+): interval (?P<rc>\d+) ms", ""),
        (
            F.KEYS_DIFFER,
            r"^(?P<subject>\S+) is alive but its packets fail authentication with "
            r"(?P<detail>key \d+ \(\w+\))",
            "",
        ),
        (F.AUTH_FAILED, rf"^netstring authentication failed(?: from (?P<subject>{_IP}))?", ""),
        (F.STOP_FAILURE, r"^Resource STOP failure(?:: (?P<detail>\S+))?", ""),
        (F.STOP_FAILURE, r"^stop failed, holding \[(?P<detail>[^\]]*)\]", ""),
        (F.PARTITION, r"^Cluster node (?P<subject>\S+) returning after partition", ""),
        (F.GIVE_BACK, r"^(?P<subject>\S+) still holds its resources: giving back", ""),
        (F.BOTH_OWN, r"^Both machines own", ""),
        (
            F.NOT_STARTED,
            r"^(?P<detail>Configuration error, heartbeat not started|"
            r"Authentication configuration error|Current node \[\S+\] not in configuration!|"
            r"Bad permissions on keyfile.*)",
            "",
        ),
    )
)
_MSG_SRC = re.compile(r"^MSG\[\d+\] : \[src=(\S+)\]$")


def fact_of(line: LogLine, node: str, where: str) -> Fact | None:
    """The fact one line states, or None."""
    for kind, pattern, source in _RULES:
        if source and source not in line.source:
            continue
        if m := pattern.search(line.text):
            groups = m.groupdict()
            rc = groups.get("rc")
            return Fact(
                kind,
                line.at,
                node,
                where,
                groups.get("subject") or "",
                (groups.get("detail") or "").strip(),
                groups.get("op") or "",
                int(rc) if rc is not None else None,
            )
    return None


def facts_of(node: str, lines: Iterable[tuple[NodeLog, LogLine]]) -> list[Fact]:
    """Every fact of one node's merged lines, in order."""
    facts: list[Fact] = []
    waiting: int | None = None  # index of an auth failure whose sender is not known yet
    for log, line in lines:
        if waiting is not None and (m := _MSG_SRC.match(line.text)):
            old = facts[waiting]
            facts[waiting] = Fact(old.kind, old.at, old.node, old.where, m[1])
            waiting = None
            continue
        fact = fact_of(line, node, log.where(line))
        if fact is None:
            continue
        if fact.kind is F.AUTH_FAILED and not fact.subject:
            waiting = len(facts)
        facts.append(fact)
    return facts
