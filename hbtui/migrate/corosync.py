"""corosync.conf for the migrated cluster: knet, crypto, the nodelist and votequorum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hbtui.migrate.prose import folded
from hbtui.migrate.timing import Timing

LOGFILE = "/var/log/corosync/corosync.log"
AUTHKEY_PATH = "/etc/corosync/authkey"
AUTHKEY_BYTES = 256  # 2048 bits, as corosync-keygen makes by default


def _comment(lines: Sequence[str], indent: str = "") -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in lines]


def corosync_conf(
    cluster_name: str,
    nodes: Sequence[str],
    addresses: Mapping[str, str],
    timing: Timing,
    header: Sequence[str] = (),
) -> str:
    """The text of corosync.conf; ``nodes`` in ha.cf order get node IDs 1, 2, ..."""
    out = _comment(folded(header))
    out += [
        "totem {",
        "    version: 2",
        f"    cluster_name: {cluster_name}",
        "    transport: knet",
        f"    # crypto: every packet encrypted and signed with the key in {AUTHKEY_PATH}",
        "    # (a new random key: Heartbeat's authkeys secret is not reused)",
        "    crypto_cipher: aes256",
        "    crypto_hash: sha256",
        *_comment(folded(timing.reasoning, 88), "    "),
        f"    token: {timing.token_ms}",
        f"    consensus: {timing.consensus_ms}",
        "    interface {",
        "        linknumber: 0",
    ]
    if timing.knet_ping is not None:
        interval, timeout = timing.knet_ping
        out += [f"        knet_ping_interval: {interval}", f"        knet_ping_timeout: {timeout}"]
    out += ["    }", "}", ""]
    out += [
        "# One node per ha.cf 'node' name; ring0_addr is the address its peers reach it on",
        "# (Corosync uses UDP port 5405, not Heartbeat's 694: both can run during a migration).",
        "nodelist {",
    ]
    for nodeid, node in enumerate(nodes, start=1):
        out += [
            "    node {",
            f"        name: {node}",
            f"        nodeid: {nodeid}",
            f"        ring0_addr: {addresses[node]}",
            "    }",
        ]
    out += ["}", "", "quorum {", "    provider: corosync_votequorum"]
    if len(nodes) == 2:
        out += [
            "    # two nodes: the survivor of a failure keeps quorum (this also sets",
            "    # wait_for_all: after a cold start, quorum waits until both were seen once)",
            "    two_node: 1",
        ]
    out += ["}", "", "logging {", "    to_logfile: yes", f"    logfile: {LOGFILE}"]
    out += ["    to_syslog: yes", "    timestamp: on", "}"]
    return "\n".join(out) + "\n"
