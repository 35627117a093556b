"""``hbtui migrate --rehearse``: this cluster, migrated to Corosync + Pacemaker, rehearsed in
network namespaces on this machine beside hbtui's own node with the same configuration: a
power cut of the home node, then its return, timed on both. Root only; nothing outside the
lab's namespaces and temporary directory is touched.

The rehearsal configuration is the real one mapped onto the lab (``rehearsal_config``): the
nodes keep their names and get the lab's addresses (192.168.10.n, ucast media), each VIP
becomes 192.168.10.(100+k)/24, and every other resource runs a stand-in script that only
says what it was asked, so the operator's scripts never run here.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from hbtui.config.model import ClusterConfig
from hbtui.engine.resources import VIP_RESOURCES, parse_vip
from hbtui.lab.demo import DemoCluster
from hbtui.lab.netns import Lab
from hbtui.lab.pacemaker import PacemakerCluster

LAB_SUBNET = "192.168.10"
FIRST_VIP = 100
ONLINE_S, PLACED_S, MOVED_S = 60.0, 30.0, 60.0
STARTUP_S = 6.0  # hbtui advertises a longer deadtime for its first 5 s
IDLE_S = 10.0  # the quiet window in which CPU and memory are measured
STAND_IN = """#!/bin/sh
# hbtui rehearsal stand-in for {name}: says what it was asked; runs nothing
case "$1" in
  start)  echo "{name}: start (rehearsal stand-in) on $(uname -n)" ;;
  stop)   echo "{name}: stop (rehearsal stand-in) on $(uname -n)" ;;
  status) ;;
  *)      echo "usage: $0 start|stop|status" >&2; exit 1 ;;
esac
exit 0
"""


@dataclass
class Rehearsal:
    """The mapped configuration: where it is, the first group's home and VIP, what changed."""

    config_dir: Path
    nodes: tuple[str, ...]
    home: str
    vip: str
    failback: bool
    notes: list[str] = field(default_factory=list)


def rehearsal_config(config: ClusterConfig, target: Path) -> Rehearsal:
    """Write the lab's version of ``config`` into ``target`` (see the module docstring)."""
    source = config.config_dir
    shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    (target / "authkeys").chmod(0o600)
    cf = config.ha_cf
    nodes = cf.nodes
    lab_ip = {name: f"{LAB_SUBNET}.{i}" for i, name in enumerate(nodes, 1)}
    notes = [f"nodes {' '.join(nodes)} on the lab's {LAB_SUBNET}.0/24 (ucast eth0)"]
    kept = [
        line
        for line in (source / "ha.cf").read_text().splitlines()
        if line.split()[:1] not in (["ucast"], ["bcast"], ["mcast"], ["ping"], ["ping_group"])
    ]
    kept += [f"ucast eth0 {ip}" for ip in lab_ip.values()]
    (target / "ha.cf").write_text("\n".join(kept) + "\n")
    lines: list[str] = []
    vips: list[str] = []
    stand_ins = target / "resource.d"
    stand_ins.mkdir(exist_ok=True)
    for group in config.haresources.groups:
        tokens = [group.node]
        for res in group.resources:
            if res.name in VIP_RESOURCES:
                ip = f"{LAB_SUBNET}.{FIRST_VIP + len(vips)}"
                notes.append(f"VIP {parse_vip(res.args).ip} rehearsed as {ip}")
                vips.append(ip)
                tokens.append(f"{res.name}::{ip}/24")
                continue
            script = stand_ins / res.name
            script.write_text(STAND_IN.format(name=res.name))
            script.chmod(0o755)
            notes.append(f"{res.name}: a stand-in runs (your script never runs here)")
            tokens.append(res.token)
        lines.append(" ".join(tokens))
    (target / "haresources").write_text("\n".join(lines) + "\n")
    if not vips:
        raise ValueError("haresources has no IPaddr/IPaddr2 resource: nothing to time")
    home = config.haresources.groups[0].node
    failback = cf.auto_failback.value != "off"
    return Rehearsal(target, nodes, home, vips[0], failback, notes)


def holder_change(lab: Lab, plan: Rehearsal, home: bool, timeout: float) -> float:
    """Wait until the VIP is on the home node alone (``home``), or on another node (a
    powered-off home node may keep the address on its dead link); when (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = lab.vip_holders(plan.vip)
        others = [n for n in holders if n != plan.home]
        if (holders == [plan.home]) if home else bool(others):
            return time.monotonic()
        time.sleep(0.02)
    where = f"on {plan.home} alone" if home else "elsewhere"
    raise TimeoutError(f"{plan.vip} was not {where} within {timeout:.0f} s")


def idle_use(lab: Lab, window: float = IDLE_S) -> dict[str, float]:
    """CPU (% of one core) and resident memory (MiB) of every process of the home node's
    namespaces over a quiet ``window``: what one node of the cluster costs at rest."""
    import psutil  # type: ignore[import-untyped]

    def sample() -> dict[int, tuple[float, int]]:
        found = {}
        for node in lab:
            for pid in node.processes():
                try:
                    proc = psutil.Process(pid)
                    times, rss = proc.cpu_times(), proc.memory_info().rss
                except psutil.Error:
                    continue
                found[pid] = (times.user + times.system, rss)
        return found

    before = sample()
    time.sleep(window)
    after = sample()
    cpu = sum(t - before[pid][0] for pid, (t, _) in after.items() if pid in before)
    rss = sum(r for _, r in after.values())
    nodes = max(1, len(list(lab)))
    return {"idle CPU": 100 * cpu / window / nodes, "memory": rss / nodes / 2**20}


def time_hbtui(plan: Rehearsal, base: Path) -> dict[str, float]:
    """hbtui's nodes with the rehearsal config: kill -9 of the home node, then its return."""
    found: dict[str, float] = {}
    with DemoCluster(plan.nodes, base_dir=base, config_source=plan.config_dir) as cluster:
        began = time.monotonic()
        cluster.start_all()
        found["cold start"] = holder_change(cluster.lab, plan, True, PLACED_S) - began
        time.sleep(max(0.0, began + STARTUP_S - time.monotonic()))  # a longer dt until then
        found |= idle_use(cluster.lab)
        cut = time.monotonic()
        cluster[plan.home].kill()
        found["failover"] = holder_change(cluster.lab, plan, False, MOVED_S) - cut
        if plan.failback:
            back = time.monotonic()
            cluster[plan.home].start()
            found["failback"] = holder_change(cluster.lab, plan, True, MOVED_S) - back
    return found


def time_pacemaker(plan: Rehearsal, migrated: Path, base: Path) -> dict[str, float]:
    """The migrated cluster on Corosync + Pacemaker: power cut of the home node, return."""
    found: dict[str, float] = {}
    with Lab(list(plan.nodes), base_dir=base) as lab:
        cluster = PacemakerCluster(lab, migrated, plan.config_dir)
        began = cluster.boot_all()
        cluster.wait_online(list(plan.nodes), ONLINE_S, observer=plan.home)
        cluster[plan.home].cibadmin("--replace", "--xml-file", str(migrated / "cib.xml"))
        found["cold start"] = holder_change(lab, plan, True, PLACED_S) - began
        found |= idle_use(lab)
        cut = time.monotonic()
        cluster[plan.home].power_cut()
        found["failover"] = holder_change(lab, plan, False, MOVED_S) - cut
        if plan.failback:
            back = time.monotonic()
            cluster[plan.home].power_on()
            found["failback"] = holder_change(lab, plan, True, MOVED_S) - back
    return found


def table(plan: Rehearsal, hbtui: dict[str, float], pacemaker: dict[str, float]) -> str:
    """The side-by-side figures."""
    rows = [
        ("cold start (VIP on " + plan.home + ")", "cold start"),
        ("idle CPU per node (% of a core)", "idle CPU"),
        ("memory per node (RSS, MiB)", "memory"),
        (f"{plan.home} killed (-9, power cut) -> VIP away", "failover"),
        (f"{plan.home} back -> VIP home", "failback"),
    ]
    out = [f"{'':<44} {'hbtui node':>12} {'Pacemaker':>12}"]
    for label, key in rows:
        if key in hbtui or key in pacemaker:
            unit = {"idle CPU": " %", "memory": " MiB"}.get(key, " s")
            cells = [f"{d[key]:.2f}{unit}" if key in d else "-" for d in (hbtui, pacemaker)]
            out.append(f"{label:<44} {cells[0]:>12} {cells[1]:>12}")
    return "\n".join(out)
