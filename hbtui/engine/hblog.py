"""ha-log wording: every line the engine writes, worded as Heartbeat 3.0.6 words it.

Each function returns the ``WriteLog`` whose ``text`` follows ``heartbeat: [pid]: LEVEL: ``
(or, for ``source`` ResourceManager / mach_down, the resource-script style prefix).
Lines without a Heartbeat counterpart (hbtui's additions) are marked ``# hbtui``.
"""

from __future__ import annotations

from hbtui.engine.actions import LogLevel, WriteLog

INFO, WARN, ERROR, CRIT = LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR, LogLevel.CRIT
LISTKEYS = "/usr/share/heartbeat/ResourceManager listkeys"
# ha.cf ``debug`` levels from which the daemon writes a kind of line (cluster-glue's cl_log.h)
ANYDEBUG, DEBUGDETAILS, DEBUGAUTH, DEBUGPKT, DEBUGPKTCONT = 1, 2, 3, 4, 5


def wanted(entry: WriteLog, debug_level: int) -> bool:
    """Whether a node at ``debug_level`` writes ``entry`` (its ``debug`` at most that)."""
    return entry.debug <= debug_level


def info(text: str, source: str = "heartbeat") -> WriteLog:
    """An info line."""
    return WriteLog(INFO, text, source)


def warn(text: str) -> WriteLog:
    """A WARN line."""
    return WriteLog(WARN, text)


def debug(text: str, at: int = ANYDEBUG) -> WriteLog:
    """A debug line, written from ha.cf ``debug`` ``at`` on."""
    return WriteLog(LogLevel.DEBUG, text, debug=at)


def uuid_is(uuid_text: str) -> WriteLog:
    return debug(f"uuid is:{uuid_text}")


def status_seqno(seq: int, msgtime: int) -> WriteLog:
    """After a "Status update" line."""
    return debug(f"Status seqno: {seq} msgtime: {msgtime}")


def got_reqnodes(node: str) -> WriteLog:
    return debug(f"Get a reqnodes message from {node}")


def sending_reqnodes(node: str) -> WriteLog:
    return debug(f"sending reqnodes msg to node {node}")


def rexmit_request(node: str, first: int, last: int) -> WriteLog:
    return debug(f"rexmit request from node {node} for msg({first}-{last})")


def retransmitting(seq: int) -> WriteLog:
    """Written at ``debug 1`` but as an info line, as the daemon does."""
    return WriteLog(INFO, f"Retransmitting pkt {seq}", debug=ANYDEBUG)


def initiate_shutdown() -> WriteLog:
    return debug("hb_initiate_shutdown() called.")


def clustermsg(node: str) -> WriteLog:
    """Every message kept from a peer (per packet)."""
    return debug(f"process_clustermsg: node [{node}]", DEBUGDETAILS)


def duplicate_packet() -> WriteLog:
    """A packet dropped as a duplicate (per packet)."""
    return debug("should_drop_message: Duplicate packet", DEBUGPKT)


def local_status(st: str) -> WriteLog:
    return info(f"Local status now set to: '{st}'")


def comm_now_up() -> WriteLog:
    return info("Comm_now_up(): updating status to active")


def link_up(node: str, link: str) -> WriteLog:
    return info(f"Link {node}:{link} up.")


def link_dead(node: str, link: str) -> WriteLog:
    return info(f"Link {node}:{link} dead.")


def status_update(node: str, st: str) -> WriteLog:
    return info(f"Status update for node {node}: status {st}")


def restart(node: str) -> WriteLog:
    return info(f"Heartbeat restart on node {node}")


def late(node: str, interval_ms: int) -> WriteLog:
    return warn(f"Late heartbeat: Node {node}: interval {interval_ms} ms")


def lost(node: str, last: int, seq: int) -> WriteLog:
    return warn(f"{seq - last - 1} lost packet(s) for [{node}] [{last}:{seq}]")


def none_missing(node: str) -> WriteLog:
    return info(f"No pkts missing from {node}!")


def no_stonith(node: str) -> list[WriteLog]:
    return [
        warn("No STONITH device configured."),
        warn("Shared disks are not protected."),
        info(f"Resources being acquired from {node}."),
    ]


def gave_up(node: str) -> WriteLog:
    return info(f"Dead node {node} gave up resources.")


def shutdown_notice(node: str) -> list[WriteLog]:
    return [
        info(f"Received shutdown notice from '{node}'."),
        info(f"Resources being acquired from {node}."),
    ]


def auth_alive(node: str, index: int, method: str) -> WriteLog:  # hbtui
    return WriteLog(
        CRIT,
        f"{node} is alive but its packets fail authentication with key {index} ({method}):"
        " keys differ; not taking over",
    )


def auth_failed(ip: str, detail: str) -> WriteLog:  # hbtui (the real one dumps the packet)
    return WriteLog(ERROR, f"netstring authentication failed from {ip}: {detail}")


def no_local(node: str) -> WriteLog:
    return info(f"No local resources [{LISTKEYS} {node}] to acquire.")


def acquiring(group_line: str) -> WriteLog:
    return info(f"Acquiring resource group: {group_line}", "ResourceManager")


def releasing(group_line: str) -> WriteLog:
    return info(f"Releasing resource group: {group_line}", "ResourceManager")


def running(argv: tuple[str, ...]) -> WriteLog:
    """``Running <script> <args> <op>``; empty args give two spaces, as in ha-log."""
    script, *args, op = argv
    return info(f"Running {script} {' '.join(args)} {op}", "ResourceManager")


def taking_over(group_key: str) -> WriteLog:
    return info(f"Taking over resource group {group_key}", "mach_down")


def stop_failed(resource: str, detail: str) -> WriteLog:  # hbtui: holds it
    return WriteLog(
        CRIT,
        f"Resource STOP failure: {resource} ({detail}). hbtui keeps holding its group"
        " (the peer will not take it): retry the stop, confirm it was stopped by hand,"
        " or self-fence",
    )


def probe_running(resource: str) -> WriteLog:  # hbtui: a start cut short by a crash
    return warn(f"{resource} reports running but this node does not hold it: stopping it")


def not_lsb(resource: str) -> WriteLog:
    return WriteLog(ERROR, f"Resource script for {resource} probably not LSB-compliant.")


def partition(node: str) -> WriteLog:
    return WriteLog(CRIT, f"Cluster node {node} returning after partition.")
