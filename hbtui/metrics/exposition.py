"""The node's metrics in the Prometheus text format (what node_exporter's textfile
collector and ``hbtui status --metrics`` read), from a tally and a snapshot.

Written with ``prometheus_client``'s metric families: it is the format's reference
implementation, so names, label escaping, ``_total`` and histogram ``le`` rules are its
own and not ours to get wrong. The names and what each means are in docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from hbtui.metrics.tally import Histogram, MetricsTally

UP_STATES = ("up", "active")  # a peer's status while it is alive and speaking


def render(tally: MetricsTally, snap: Mapping[str, Any], started_s: float) -> str:
    """The exposition text for ``snap`` (the control socket's snapshot) and ``tally``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(tally, snap, started_s))
    return generate_latest(registry).decode()


class _Collector:
    """One render's worth of metric families (prometheus_client's collector protocol)."""

    def __init__(self, tally: MetricsTally, snap: Mapping[str, Any], started_s: float) -> None:
        self.tally, self.snap, self.started_s = tally, snap, started_s

    def collect(self) -> Iterator[Metric]:
        yield from self._node()
        yield from self._peers()
        yield from self._resources()
        yield from self._wire()
        yield from self._counts()

    def _node(self) -> Iterator[Metric]:
        snap, run = self.snap, self.snap.get("runtime", {})
        info = GaugeMetricFamily(
            "hbtui_node_info", "This node: 1, labelled with its state.",
            labels=["node", "status", "phase", "rsc_hold", "runtime"],
        )  # fmt: skip
        info.add_metric(
            [snap.get("node", ""), snap.get("status", "none"), snap.get("phase", "none"),
             snap.get("rsc_hold", "none"), run.get("state", "")], 1,
        )  # fmt: skip
        yield info
        yield GaugeMetricFamily(
            "hbtui_node_start_time_seconds", "When the node started (Unix time).",
            value=self.started_s,
        )  # fmt: skip
        if (realtime := run.get("realtime")) is not None:
            rt = GaugeMetricFamily(
                "hbtui_realtime_info", "ha.cf realtime: 1, labelled with what the node got.",
                labels=["policy", "priority", "memory_locked"],
            )  # fmt: skip
            rt.add_metric([realtime["policy"], str(realtime["priority"]),
                           str(realtime["memory_locked"]).lower()], 1)  # fmt: skip
            yield rt

    def _peers(self) -> Iterator[Metric]:
        peers = {n: p for n, p in self.snap.get("nodes", {}).items() if not p.get("self")}
        up = GaugeMetricFamily("hbtui_peer_up", "1 while the peer is alive.", labels=["peer"])
        status = GaugeMetricFamily(
            "hbtui_peer_info", "Each peer: 1, labelled with its status.",
            labels=["peer", "status", "rsc_hold"],
        )  # fmt: skip
        remaining = GaugeMetricFamily(
            "hbtui_peer_deadline_seconds",
            "Seconds left before the peer is declared dead if it stays silent.",
            labels=["peer"],
        )
        links = GaugeMetricFamily(
            "hbtui_link_up", "1 while the peer's packets come in on this link.",
            labels=["peer", "link"],
        )  # fmt: skip
        for name, peer in sorted(peers.items()):
            up.add_metric([name], float(peer["status"] in UP_STATES))
            status.add_metric([name, peer["status"], peer.get("rsc_hold") or "none"], 1)
            if peer.get("remaining_ms") is not None:
                remaining.add_metric([name], peer["remaining_ms"] / 1000)
            for link, state in sorted(peer.get("links", {}).items()):
                links.add_metric([name, link], float(state["status"] == "up"))
        yield from (up, status, remaining, links)
        pings = GaugeMetricFamily(
            "hbtui_ping_node_up", "1 while the ping node answers.", labels=["ping_node"]
        )
        for name, ping in sorted(self.snap.get("ping_nodes", {}).items()):
            pings.add_metric([name], float(ping["status"] == "ping"))
        yield pings

    def _resources(self) -> Iterator[Metric]:
        snap, run = self.snap, self.snap.get("runtime", {})
        held = GaugeMetricFamily(
            "hbtui_vip_held", "1 while this node holds the address.", labels=["vip", "resource"]
        )
        owner = GaugeMetricFamily(
            "hbtui_vip_owner_info", "Each address: 1, labelled with who holds it (none: nobody).",
            labels=["vip", "owner"],
        )  # fmt: skip
        for vip in snap.get("vips", []):
            held.add_metric([vip["ip"], vip["resource"]], float(vip["owner"] == snap["node"]))
            owner.add_metric([vip["ip"], vip["owner"] or "none"], 1)
        groups = GaugeMetricFamily(
            "hbtui_group_running", "1 while the haresources group runs on this node.",
            labels=["group", "home"],
        )  # fmt: skip
        for group in snap.get("groups", []):
            groups.add_metric([group["key"], group["home"]], float(group["running_here"]))
        failed = snap.get("stop_failed", [])
        stop_failed = GaugeMetricFamily(
            "hbtui_stop_failed_resources",
            "Resources whose stop failed: held here until the operator acts.",
            value=len(failed),
        )
        split = run.get("split_brain", [])
        split_brain = GaugeMetricFamily(
            "hbtui_split_brain", "Addresses the ARP probe found on another machine too.",
            value=len(split),
        )  # fmt: skip
        split_brains = CounterMetricFamily(
            "hbtui_split_brains", "Split brains the ARP probe found since the node started.",
            value=run.get("split_brains_seen", 0),
        )  # fmt: skip
        running = GaugeMetricFamily(
            "hbtui_scripts_running", "Resource scripts running now.",
            value=len(run.get("scripts_running", [])),
        )  # fmt: skip
        yield from (held, owner, groups, stop_failed, split_brain, split_brains, running)

    def _wire(self) -> Iterator[Metric]:
        run = self.snap.get("runtime", {})
        packets = CounterMetricFamily(
            "hbtui_udp_packets", "Datagrams sent and received.", labels=["direction"]
        )
        octets = CounterMetricFamily(
            "hbtui_udp_bytes", "Bytes of the datagrams sent and received.", labels=["direction"]
        )
        for direction in ("sent", "received"):
            packets.add_metric([direction], run.get(direction, 0))
            octets.add_metric([direction], run.get(f"{direction}_bytes", 0))
        errors = CounterMetricFamily(
            "hbtui_udp_send_errors", "Sends that failed, by error.", labels=["error"]
        )
        for error, count in sorted(run.get("send_errors", {}).items()):
            errors.add_metric([error], count)
        rejected = CounterMetricFamily(
            "hbtui_packets_rejected",
            "Datagrams dropped before membership, by reason and sender address.",
            labels=["reason", "sender"],
        )
        for entry in self.snap.get("rejected", []):
            rejected.add_metric([entry["reason"], entry["ip"]], entry["count"])
        yield from (packets, octets, errors, rejected)

    def _counts(self) -> Iterator[Metric]:
        tally = self.tally
        yield _counter(
            "hbtui_keepalives_received", "Status messages heard, by peer and link.",
            ["peer", "link"], tally.keepalives,
        )  # fmt: skip
        yield _histogram(
            "hbtui_keepalive_gap_seconds", "Time between a peer's status messages.",
            "peer", tally.gaps,
        )  # fmt: skip
        yield _counter(
            "hbtui_late_heartbeats", "Status messages later than warntime.", ["peer"], tally.late
        )
        yield _counter(
            "hbtui_peer_deaths", "Times a peer was declared dead.", ["peer"], tally.deaths
        )
        yield _counter(
            "hbtui_takeovers", "Takeovers done here, by the node they came from and why.",
            ["from_node", "reason"], tally.takeovers,
        )  # fmt: skip
        yield _histogram(
            "hbtui_takeover_duration_seconds",
            "From the peer's last packet (else the decision) to every start script done.",
            "reason", tally.takeover_s,
        )  # fmt: skip
        yield _counter(
            "hbtui_failbacks", "Groups given back (released) or taken home (acquired).",
            ["phase"], tally.failbacks,
        )  # fmt: skip
        yield _counter(
            "hbtui_script_runs", "Resource script runs by resource, operation and result.",
            ["resource", "op", "result"], tally.scripts,
        )  # fmt: skip
        yield _histogram(
            "hbtui_script_duration_seconds", "How long resource scripts ran, by operation.",
            "op", tally.script_s,
        )  # fmt: skip
        yield CounterMetricFamily(
            "hbtui_stop_failures", "Resources that would not stop (after one retry).",
            value=tally.stop_failures,
        )  # fmt: skip


def _counter(name: str, doc: str, labels: list[str], counts: Mapping[Any, int]) -> Metric:
    """One counter family with a series per key of ``counts`` (a tuple key: one per label)."""
    family = CounterMetricFamily(name, doc, labels=labels)
    for key, count in sorted(counts.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], count)
    return family


def _histogram(name: str, doc: str, label: str, by: Mapping[str, Histogram]) -> Metric:
    """One histogram family with a series per key of ``by``."""
    family = HistogramMetricFamily(name, doc, labels=[label])
    for key, histogram in sorted(by.items()):
        family.add_metric([key], histogram.cumulative(), histogram.total)
    return family
