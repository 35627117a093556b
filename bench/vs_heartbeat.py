"""hbtui against the real Heartbeat 3.0.6 daemon, side by side in the namespace lab (root only).

    sudo python3 bench/vs_heartbeat.py [--runs 5] [--quick] [--window S] [--only howto,fast]

Pairs: two real daemons (``heartbeat``), two hbtui nodes (``hbtui``), and a mixed pair (real
server1 + hbtui server2). Timer sets: the HOWTO's (keepalive 1 s, warntime 3, deadtime 5,
initdead 10), ``fast`` (200 ms / 600 ms / 1 s / 5 s) and ``vrrp`` (200 ms / 400 ms / 600 ms /
5 s: the detection window of keepalived's VRRP at advert 0.2 s). For each pair and timer set:

- cold start: both nodes started -> the VIP's RTM_NEWADDR in server1's namespace (once);
- idle window (``--window``, 60 s; ``--quick`` 15 s; HOWTO and fast only): CPU of each node's
  processes (psutil: user+system seconds / window) and a tcpdump capture on the bridge; the
  keepalive jitter is |interval - keepalive| between consecutive ``status`` packets of one
  sender to one address (decoded with hbtui.wire), p50/p99 over both nodes;
- ``--runs`` times: power cut of the owner server1 (SIGSTOP + SIGKILL of its PID namespace)
  -> RTM_NEWADDR of the VIP in server2's namespace (failover); then the stale VIP is removed
  from server1 (a rebooted machine comes up without it) and server1 is started again ->
  RTM_NEWADDR on server1 (failback, auto_failback on). Every crash waits until the startup
  dt (deadtime + 2 s, first 5 s after a start) is over, so death is judged by deadtime.

Address events come from a watcher process inside the namespace (hbtui.adapters.netlink);
CLOCK_MONOTONIC is shared with the namespaces. The table gives medians (min-max) per pair and
the ratio hbtui/heartbeat; goals from issue 8 beside them.

Four more rows per pair of real daemons and of hbtui nodes (``--only`` names ``links`` and
``ping``, both in the default): failover and failback over two links with one cut
(``bench/two_links.py``), and a ping node cut from the owner and back, ipfail moving the
resources (``bench/ping_move.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from addrwatch import seconds, vip_watch  # noqa: E402
from ping_move import measure as ping_measure  # noqa: E402
from two_links import measure as links_measure  # noqa: E402

from hbtui.lab.commands import LabError, run  # noqa: E402
from hbtui.lab.netns import Lab  # noqa: E402
from hbtui.wire.errors import WireError  # noqa: E402
from hbtui.wire.packet import split  # noqa: E402
from hbtui.wire.pcap import read_datagrams  # noqa: E402
from tests.lab.cluster import Cluster, LabNodeProcess, RealHeartbeat  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.haconfig import HaSetup  # noqa: E402
from tests.lab.hbtui_node import HbtuiNode  # noqa: E402
from tests.lab.observe import capture, wait_until  # noqa: E402

EXTRAS = {"links": links_measure, "ping": ping_measure}
TIMER_SETS = {
    "howto": HaSetup(),
    "fast": HaSetup().with_timers("200ms", "600ms", "1", "5"),
    "vrrp": HaSetup().with_timers("200ms", "400ms", "600ms", "5"),
}
IDLE_SETS = ("howto", "fast")
PAIRS: dict[str, tuple[Callable[..., LabNodeProcess], Callable[..., LabNodeProcess]]] = {
    "heartbeat": (RealHeartbeat, RealHeartbeat),
    "hbtui": (HbtuiNode, HbtuiNode),
    "mixed": (RealHeartbeat, HbtuiNode),
}
STARTUP_DT_S = 6.0  # the first 5 s after a start advertise deadtime + 2 s


@dataclass
class Figures:
    """What one pair measured with one timer set (lists: one value per run or per sample)."""

    cold_start: list[float] = field(default_factory=list)
    failover: list[float] = field(default_factory=list)
    failover_norm: list[float] = field(default_factory=list)
    failback: list[float] = field(default_factory=list)
    jitter_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu_pct: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    error: str = ""


def service_pids(member: LabNodeProcess) -> list[int]:
    """The node's daemon processes (not the lab's PID 1, not resource scripts)."""
    if isinstance(member, RealHeartbeat):
        return member.heartbeat_pids()
    if isinstance(member, HbtuiNode):
        return member.node_pids()
    return member.node.processes()


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            found[pid] = times.user + times.system
    return found


def keepalive_jitter(pcap: Path, keepalive_s: float) -> dict[str, list[float]]:
    """|interval - keepalive| (ms) of `status` packets per sender node, one stream per address."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for gram in read_datagrams(pcap.read_bytes()):
        with contextlib.suppress(WireError):
            msg = split(gram.payload)[0]
            if msg.type == "status" and (src := msg.get("src")):
                times[(src, gram.dst[0])].append(gram.time)
    jitter: dict[str, list[float]] = defaultdict(list)
    for (src, _dst), stamps in times.items():
        for a, b in itertools.pairwise(stamps):
            jitter[src].append(abs((b - a) - keepalive_s) * 1000)
    return jitter


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def settle(cluster: Cluster, vip: str) -> None:
    """VIP on server1 only, every node started more than STARTUP_DT_S ago."""
    latest = max(m.started_at for m in cluster)
    wait_until(lambda: cluster.vip_holders() == ["server1"], 20, "VIP on server1 only")
    wait_until(lambda: time.monotonic() - latest > STARTUP_DT_S, 10, "startup dt over")


def idle(cluster: Cluster, setup: HaSetup, window: float, figures: Figures, pcap: Path) -> None:
    """CPU of each node's daemon and keepalive jitter over `window` seconds of quiet."""
    with capture(cluster.lab, pcap):
        before = {m.node.name: cpu_seconds(service_pids(m)) for m in cluster}
        began = time.monotonic()
        time.sleep(window)
        after = {m.node.name: cpu_seconds(service_pids(m)) for m in cluster}
        spent = time.monotonic() - began
    for member in cluster:
        name = member.node.name
        used = sum(after[name][p] - t for p, t in before[name].items() if p in after[name])
        figures.cpu_pct[f"{name}:{member.kind}"].append(100 * used / spent)
    kinds = {m.node.name: m.kind for m in cluster}
    for src, values in keepalive_jitter(pcap, seconds(setup.keepalive)).items():
        figures.jitter_ms[f"{src}:{kinds.get(src, '?')}"].extend(values)


def last_status_before(pcap: Path, src: str, before_wall: float) -> float | None:
    """Epoch time of the last `status` from node `src` captured before `before_wall`."""
    last = None
    for gram in read_datagrams(pcap.read_bytes()):
        if gram.time > before_wall:
            break
        with contextlib.suppress(WireError):
            msg = split(gram.payload)[0]
            if msg.type == "status" and msg.get("src") == src:
                last = gram.time
    return last


def failover_and_back(
    cluster: Cluster, setup: HaSetup, figures: Figures, pcap: Path, phase: float
) -> None:
    """One power cut of server1 and its return; appends to figures.failover / .failback.

    The cut falls `phase` (0..1) of a keepalive after the settle point, so the runs spread
    over the keepalive cycle; the capture gives server1's last keepalive before the cut, hence
    the phase-free figure `VIP up - last keepalive - keepalive/2` (figures.failover_norm).
    """
    lab, vip = cluster.lab, setup.vip_ip
    one = cluster["server1"]
    settle(cluster, vip)
    keepalive, limit = seconds(setup.keepalive), seconds(setup.deadtime) + 10
    with capture(lab, pcap, "udp port 694 and src host 192.168.10.1"):
        time.sleep(keepalive * (1 + phase))
        with vip_watch(lab["server2"].netns, vip, limit) as added:
            killed = time.monotonic()
            wall_offset = time.time() - killed
            one.crash()
            up = added()
    figures.failover.append(up - killed)
    last = last_status_before(pcap, "server1", killed + wall_offset)
    if last is not None:
        figures.failover_norm.append(up + wall_offset - last - keepalive / 2)
    # a rebooted machine comes up without the address (the crash left it on eth0:0)
    run(["ip", "-n", lab["server1"].netns, "addr", "del", setup.vip, "dev", "eth0"], check=False)
    with vip_watch(lab["server1"].netns, vip, 30) as added:
        restarted = time.monotonic()
        one.start()
        figures.failback.append(added() - restarted)
    wait_until(lambda: not lab["server2"].has_address(vip), 15, "VIP off server2")


def bench_pair(
    pair: str, timers: str, setup: HaSetup, runs: int, window: float, work: Path
) -> Figures:
    figures = Figures()
    with Lab(["server1", "server2"], base_dir=work / f"{pair}-{timers}") as lab:
        cluster = Cluster(lab, list(PAIRS[pair]), setup)
        try:
            with vip_watch(lab["server1"].netns, setup.vip_ip, 40) as added:
                began = cluster.start_all()
                figures.cold_start.append(added() - began)
            settle(cluster, setup.vip_ip)
            if timers in IDLE_SETS and window > 0:
                idle(cluster, setup, window, figures, work / f"{pair}-{timers}.pcap")
            for n in range(runs):
                pcap = work / f"{pair}-{timers}-cut{n}.pcap"
                failover_and_back(cluster, setup, figures, pcap, (n + 0.5) / runs)
                print(
                    f"  {pair:9} {timers:5} run {n + 1}: failover {figures.failover[-1]:.3f} s"
                    f", failback {figures.failback[-1]:.3f} s",
                    flush=True,
                )
        except (LabError, TimeoutError) as exc:
            figures.error = str(exc).splitlines()[0][:120]
            print(f"  {pair} {timers}: {figures.error}", flush=True)
        finally:
            for member in cluster:
                with contextlib.suppress(LabError, TimeoutError):
                    if member.running():
                        member.crash()
    return figures


def med(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def cell(values: Sequence[float], unit: str = "s") -> str:
    if not values:
        return "-"
    fmt = "{:.3f}" if unit == "s" else "{:.2f}"
    text = fmt.format(statistics.median(values))
    if len(values) > 1:
        text += f" ({fmt.format(min(values))}-{fmt.format(max(values))})"
    return text


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours is not None and theirs else "-"


def rows_for(timers: str, setup: HaSetup, res: dict[str, Figures]) -> list[list[str]]:
    """Table rows of one timer set: metric, heartbeat, hbtui, ratio, mixed, goal."""
    keep, dead = seconds(setup.keepalive), seconds(setup.deadtime)
    hb, ours, mixed = res.get("heartbeat"), res.get("hbtui"), res.get("mixed")
    empty = Figures()
    hb, ours, mixed = hb or empty, ours or empty, mixed or empty
    rows = []
    for label, attr, goal in (
        ("cold start -> VIP", "cold_start", ""),
        ("failover (power cut -> VIP)", "failover", ""),
        (
            "failover, phase-free (VIP - last keepalive - keepalive/2)",
            "failover_norm",
            f"<= {dead - keep / 2 + 0.05:.3f}",
        ),
        ("failback (restart -> VIP)", "failback", "< half of heartbeat's"),
    ):
        a, b, c = getattr(hb, attr), getattr(ours, attr), getattr(mixed, attr)
        rows.append([label + " s", cell(a), cell(b), ratio(med(b), med(a)), cell(c), goal])

    def pooled(fig: Figures, what: str, kind: str) -> list[float]:
        table: dict[str, list[float]] = getattr(fig, what)
        return [v for key, vals in table.items() if key.endswith(":" + kind) for v in vals]

    for q in (50, 99):
        a, b = pooled(hb, "jitter_ms", "heartbeat"), pooled(ours, "jitter_ms", "hbtui")
        c = pooled(mixed, "jitter_ms", "hbtui")
        pa, pb, pc = (f"{percentile(v, q):.2f}" if v else "-" for v in (a, b, c))
        goal = "< 5" if q == 99 else ""
        r = ratio(percentile(b, q), percentile(a, q)) if a and b else "-"
        rows.append([f"keepalive jitter p{q} ms", pa, pb, r, pc, goal])
    a, b = pooled(hb, "cpu_pct", "heartbeat"), pooled(ours, "cpu_pct", "hbtui")
    c = pooled(mixed, "cpu_pct", "hbtui")
    rows.append(["idle CPU per node %", cell(a, "%"), cell(b, "%"), ratio(med(b), med(a)),
                 cell(c, "%"), "no worse"])  # fmt: skip
    return rows


def render(results: dict[str, dict[str, Figures]], runs: int, window: float) -> str:
    head = ["metric", "heartbeat", "hbtui", "hbtui/hb", "mixed (hbtui part)", "goal"]
    lines = []
    for timers, res in results.items():
        setup = TIMER_SETS[timers]
        title = (
            f"{timers}: keepalive {setup.keepalive}, warntime {setup.warntime}, deadtime "
            f"{setup.deadtime}, initdead {setup.initdead}; {runs} runs"
        )
        if timers in IDLE_SETS and window > 0:
            title += f", idle window {window:.0f} s"
        lines += ["", f"### {title}", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "---|" * len(head))
        for row in rows_for(timers, setup, res):
            lines.append("| " + " | ".join(row) + " |")
        for pair, fig in res.items():
            if fig.error:
                lines.append(f"\n{pair}: stopped early: {fig.error}")
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; nproc {psutil.cpu_count()}, "
        f"{cpu}; kernel {platform.release()}; Python {platform.python_version()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="power cuts per pair and timer set")
    parser.add_argument("--quick", action="store_true", help="idle window 15 s")
    parser.add_argument("--window", type=float, help="idle window in seconds (default 60)")
    parser.add_argument(
        "--only",
        default=",".join([*TIMER_SETS, *EXTRAS]),
        help="timer sets and extra rows (links, ping), comma list",
    )
    parser.add_argument("--pairs", default=",".join(PAIRS), help="pairs, comma list")
    args = parser.parse_args()
    reason = lab_unavailable() or RealHeartbeat.available()
    if reason:
        print(f"vs_heartbeat skipped: {reason}", file=sys.stderr)
        return 2
    window = args.window if args.window is not None else (15.0 if args.quick else 60.0)
    results: dict[str, dict[str, Figures]] = {}
    began = time.monotonic()
    extras: dict[str, dict[str, dict[str, list[float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="hbtui-vs-") as tmp:
        for name in [n for n in args.only.split(",") if n in EXTRAS]:
            print(f"{name} ...", flush=True)
            extras[name] = extra_rows(name, min(args.runs, 3), Path(tmp))
        for timers in [n for n in args.only.split(",") if n not in EXTRAS]:
            results[timers] = {}
            for pair in args.pairs.split(","):
                print(f"{pair} / {timers} ...", flush=True)
                setup, work = TIMER_SETS[timers], Path(tmp)
                results[timers][pair] = bench_pair(pair, timers, setup, args.runs, window, work)
    print(f"\nvs_heartbeat: {machine()}; took {time.monotonic() - began:.0f} s")
    print(render(results, args.runs, window))
    if extras:
        print(render_extras(extras))
    return 0


def extra_rows(name: str, runs: int, work: Path) -> dict[str, dict[str, list[float]]]:
    """One extra (`EXTRAS`) for two real daemons and two hbtui nodes; a pair that fails is
    said and left empty (its cells show -), the other still runs."""
    found: dict[str, dict[str, list[float]]] = {}
    for pair, kind in (("heartbeat", RealHeartbeat), ("hbtui", HbtuiNode)):
        try:
            found[pair] = EXTRAS[name](kind, runs, work / f"{name}-{pair}")
        except (LabError, TimeoutError, AssertionError) as exc:
            print(f"  {name} {pair}: stopped: {str(exc).splitlines()[0][:120]}", flush=True)
            found[pair] = {}
    return found


def render_extras(extras: dict[str, dict[str, dict[str, list[float]]]]) -> str:
    """The two-link and ping-node rows: medians (min-max) and hbtui/heartbeat."""
    out = ["", "| HOWTO timers | heartbeat | hbtui | hbtui/hb |", "|---|---|---|---|"]
    titles = {
        "links": "two links, eth1 cut on server1",
        "ping": "ping node gw cut from server1 (ipfail)",
    }
    for name, pairs in extras.items():
        for what in dict.fromkeys([*pairs["heartbeat"], *pairs["hbtui"]]):
            hb, ours = pairs["heartbeat"].get(what, []), pairs["hbtui"].get(what, [])
            out.append(
                f"| {titles[name]}: {what} | {cell(hb)} | {cell(ours)} | "
                f"{ratio(med(ours), med(hb))} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
