"""A ClusterConfig as plain data for ``hbtui check``: never includes the key itself."""

from __future__ import annotations

from typing import Any

from hbtui.config.haresources import BUILTIN_RESOURCES
from hbtui.config.lines import shown
from hbtui.config.logd_cf import describe_plan, log_plan
from hbtui.config.model import ClusterConfig, Medium
from hbtui.config.timeparse import format_ms


def cluster_summary(config: ClusterConfig) -> dict[str, Any]:
    """JSON-ready facts about the cluster; times in seconds (floats where needed)."""
    ha_cf = config.ha_cf

    def seconds(ms: int) -> float | int:
        return ms // 1000 if ms % 1000 == 0 else ms / 1000

    return {
        "config_dir": str(config.config_dir),
        "nodes": [shown(n) for n in ha_cf.nodes],
        "this_node": shown(config.node_name),
        "peers": [shown(n) for n in config.peers],
        "keepalive_s": seconds(ha_cf.keepalive_ms),
        "warntime_s": seconds(ha_cf.warntime_ms),
        "deadtime_s": seconds(ha_cf.deadtime_ms),
        "initdead_s": seconds(ha_cf.initdead_ms),
        "udpport": ha_cf.udpport,
        "media": [
            {"kind": m.kind, "device": shown(m.device), "host": shown(m.host or "")}
            | ({"port": m.port, "ttl": m.ttl, "loop": int(m.loop)} if m.kind == "mcast" else {})
            for m in ha_cf.media
        ],
        "auto_failback": ha_cf.auto_failback.value,
        "ping_nodes": [
            {"name": shown(p.name), "hosts": [shown(h) for h in p.hosts], "group": p.group}
            for p in ha_cf.ping_nodes
        ],
        "deadping_s": seconds(ha_cf.deadping_ms),
        "ipfail": ha_cf.ipfail,
        "respawn": [{"user": shown(c.user), "command": shown(c.command)} for c in ha_cf.respawn],
        "autojoin": ha_cf.autojoin,
        "resources": [
            {
                "node": shown(group.node),
                "resources": [
                    {
                        "token": shown(r.token),
                        "type": shown(r.name),
                        "args": [shown(a) for a in r.args],
                        "script": shown(str(r.script)) if r.script else None,
                        "builtin": r.name in BUILTIN_RESOURCES,
                    }
                    for r in group.resources
                ],
            }
            for group in config.haresources.groups
        ],
        "auth": {
            "index": config.authkeys.active,
            "method": config.authkeys.active_key.method.value,
        },
        "logging": _logging(config),
        "wire": _wire(config),
    }


def _wire(config: ClusterConfig) -> dict[str, Any]:
    """msgfmt, compression and the uuid source (ha.cf; docs/protocol.md §2, §8)."""
    cf = config.ha_cf
    return {
        "msgfmt": cf.msgfmt.value,
        "compression": cf.compression.algorithm.value,
        "compression_threshold_kb": cf.compression.threshold // 1024,
        "traditional_compression": cf.compression.traditional,
        "uuidfrom": "nodename" if cf.uuid_from_name else "file",
    }


def _wire_text(config: ClusterConfig) -> str:
    """One line: what goes on the wire and where the uuid comes from."""
    cf = config.ha_cf
    c = cf.compression
    sent = (
        f"messages over {c.threshold // 1024} KB sent {c.algorithm.value}-compressed"
        if c.traditional
        else "sent uncompressed"
    )
    uuid = "uuid from the node name" if cf.uuid_from_name else "uuid from hb_uuid"
    return f"wire:      msgfmt {cf.msgfmt.value}; {sent}; {uuid}"


def _logging(config: ClusterConfig) -> dict[str, Any]:
    plan = log_plan(config)
    return {
        "debug": config.ha_cf.debug,
        "through_logd": plan.through_logd,
        "settings_from": shown(plan.origin),
        "logfile": shown(str(plan.logfile)) if plan.logfile else None,
        "debugfile": shown(str(plan.debugfile)) if plan.debugfile else None,
        "syslog_facility": plan.facility,
        "syslogprefix": shown(plan.syslogprefix) or None,
    }


def _medium_text(m: Medium) -> str:
    """``ucast eth0 peer``, ``bcast eth0``, ``mcast eth0 225.0.0.1:694 ttl 1 loop 0``."""
    text = f"{m.kind} {shown(m.device)}" + (f" {shown(m.host)}" if m.host else "")
    if m.kind == "mcast":
        text += f":{m.port} ttl {m.ttl} loop {int(m.loop)}"
    return text


def summary_lines(config: ClusterConfig) -> list[str]:
    """The summary as a few lines of text for people."""
    ha_cf = config.ha_cf
    nodes = " ".join(shown(n) for n in ha_cf.nodes)
    media = ", ".join(_medium_text(m) for m in ha_cf.media)
    lines = [
        f"cluster:   nodes {nodes}; this node {shown(config.node_name)}",
        f"timers:    keepalive {format_ms(ha_cf.keepalive_ms)}, "
        f"warntime {format_ms(ha_cf.warntime_ms)}, deadtime {format_ms(ha_cf.deadtime_ms)}, "
        f"initdead {format_ms(ha_cf.initdead_ms)}",
        f"media:     udpport {ha_cf.udpport}; {media or 'none'}",
        f"failback:  auto_failback {ha_cf.auto_failback.value}",
    ]
    if ha_cf.ping_nodes:
        pings = ", ".join(
            f"{shown(p.name)} ({' '.join(shown(h) for h in p.hosts)})" if p.group else shown(p.name)
            for p in ha_cf.ping_nodes
        )
        ipfail = "ipfail on (resources follow the ping nodes)" if ha_cf.ipfail else "ipfail off"
        lines.append(f"ping:      {pings}; deadping {format_ms(ha_cf.deadping_ms)}; {ipfail}")
    for client in ha_cf.respawn:
        lines.append(f"respawn:   {shown(client.command)} as {shown(client.user)}")
    for group in config.haresources.groups:
        parts = []
        for r in group.resources:
            if r.name in BUILTIN_RESOURCES:
                where = "built in"  # hbtui adds the address itself, even if a script exists
            else:
                where = str(r.script) if r.script is not None else "no script"
            parts.append(f"{shown(r.token)} ({shown(where)})")
        lines.append(f"resources: {shown(group.node)} owns {', '.join(parts) or 'nothing'}")
    key = config.authkeys.active_key
    lines.append(f"auth:      index {key.index}, method {key.method.value} (key not shown)")
    lines.append(f"logging:   {describe_plan(log_plan(config), ha_cf.debug)}")
    lines.append(_wire_text(config))
    return lines
