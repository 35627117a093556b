"""The HOWTO cluster migrated by ``hbtui migrate --to pacemaker``, run on real Corosync + Pacemaker.

Two lab nodes (their own network, UTS, mount, IPC and PID namespaces) get the files of
``hbtui migrate --out`` (corosync.conf, authkey, the LSB wrapper for failback.sh) and the HOWTO
/etc/ha.d; corosync and pacemakerd start inside them, the CIB is loaded with cibadmin, and:
the VIP and failback.sh run on server1; a power cut of server1 (kill -9 of its PID namespace,
link down) moves both to server2 and runs failback.sh's start there; server1 back brings them
home (auto_failback on). Bring-up is retried once, saying why (a stalled election or a slow
corosync start under load).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from hbtui.crm.actions import CrmAction, CrmVerb
from hbtui.lab.commands import LabError
from hbtui.lab.netns import Lab
from hbtui.lab.pacemaker import PacemakerCluster, pacemaker_unavailable
from hbtui.migrate.crm_status import ClusterView
from hbtui.sources.pacemaker import PacemakerFeed

from .conftest import lab_unavailable
from .observe import wait_until
from .pacemaker_console import NodeRunner, console_watching

pytestmark = pytest.mark.lab

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
VIP = "192.168.10.10"
VIP_ID = "IPaddr-192.168.10.10-24"
SCRIPT_ID = "failback.sh"
MARKER = "/run/hb-lsb/hb-failback.sh"  # the wrapper's: failback.sh started here, not stopped
BRING_UP_S = 35.0  # ~23 s to both online (dc-deadtime 20 s before the CIB is loaded)
PLACED_S = 15.0
FAILOVER_S = 20.0  # token 2270 + consensus 2720 ms, then Pacemaker
FAILBACK_S = 30.0


def timing(what: str, seconds: float) -> None:
    print(f"[lab pacemaker] {what}: {seconds:.2f} s")


def migrate_howto(tmp_path: Path, nodes: tuple[str, ...] = ("server1", "server2")) -> Path:
    """``hbtui migrate --to pacemaker --out`` run on a copy of the HOWTO configuration with
    ``nodes`` (a ucast line each); the output directory."""
    reason = lab_unavailable() or pacemaker_unavailable()
    if reason:
        pytest.skip(reason)
    config = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    if len(nodes) > 2:
        ha_cf = config / "ha.cf"
        extra = "".join(f"ucast eth0 192.168.10.{i}\n" for i in range(3, len(nodes) + 1))
        text = ha_cf.read_text().replace("node server1 server2", "node " + " ".join(nodes))
        ha_cf.write_text(text + extra)
    out = tmp_path / "migrated"
    argv = [sys.executable, "-m", "hbtui.cli", "migrate", "--to", "pacemaker"]
    argv += ["--config-dir", str(config), "--out", str(out), "--dc-deadtime", "5"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """The migrated HOWTO (two nodes)."""
    return migrate_howto(tmp_path)


def on(node: str, *resources: str) -> Callable[[ClusterView], bool]:
    """A check: every one of ``resources`` runs on ``node`` alone."""
    return lambda view: all(view.where(r) == (node,) for r in resources)


def bring_up(stack: ExitStack, base: Path, migrated: Path) -> tuple[PacemakerCluster, float]:
    """A fresh lab, both nodes booted and online, the CIB loaded; seconds to the group placed."""
    lab = stack.enter_context(Lab(["server1", "server2"], base_dir=base))
    cluster = PacemakerCluster(lab, migrated, migrated.parent / "ha.d")
    began = cluster.boot_all()
    online = cluster.wait_online(["server1", "server2"], BRING_UP_S, observer="server1")
    timing("boot -> both nodes online", online - began)
    cluster["server1"].cibadmin("--replace", "--xml-file", str(migrated / "cib.xml"))
    placed, _ = cluster.wait_view("server1", on("server1", VIP_ID, SCRIPT_ID), PLACED_S, "placed")
    timing("CIB loaded -> group started on server1", placed - online)
    return cluster, placed - began


@contextmanager
def running_cluster(lab_dir: Path, migrated: Path) -> Iterator[PacemakerCluster]:
    """``bring_up``, retried once on a new lab when the first one stalls."""
    for attempt in (1, 2):
        with ExitStack() as stack:
            try:
                cluster, seconds = bring_up(stack, lab_dir / f"attempt{attempt}", migrated)
            except (TimeoutError, LabError, subprocess.CalledProcessError) as error:
                # said, with where to look, so a retried stall is never silent
                print(f"[lab pacemaker] bring-up attempt {attempt} failed: {error}")
                if attempt == 2:
                    raise
                continue
            timing("boot -> group started (incl. CIB load)", seconds)
            yield cluster
            return


def no_failures(view: ClusterView) -> None:
    assert not view.failed, view.failed


def test_migrated_howto_fails_over_and_back(lab_dir: Path, migrated: Path) -> None:
    """Failover and failback on the migrated cluster, with the Pacemaker console (Pilot)
    watching from server2 and showing each state."""
    with running_cluster(lab_dir, migrated) as cluster:
        with console_watching(cluster.lab["server2"]) as seen:
            fail_over_and_back(cluster)
            wait_until(
                lambda: (
                    seen.showed(f"VIP {VIP} on server1")
                    and seen.transitions
                    and seen.transitions[0][1] == "failback"
                ),
                10,
                "console shows failback",
            )
        assert not seen.errors, seen.errors
        for row in reversed(seen.transitions):
            print(f"[lab pacemaker] console showed: {' · '.join(row[1:])}")
        on1, on2 = f"VIP {VIP} on server1", f"VIP {VIP} on server2"
        shown = [line for line in seen.vip_lines if line in (on1, on2)]
        assert shown[:1] == [on1] and on2 in shown and shown[-1] == on1, seen.vip_lines
        kinds = [(row[1], row[3]) for row in reversed(seen.transitions)]
        assert ("failover", "server1 → server2") in kinds, seen.transitions
        assert kinds[-1] == ("failback", "server2 → server1"), seen.transitions
        the_console_keys_act_on_the_cluster(cluster)


def act(cluster: PacemakerCluster, action: CrmAction) -> None:
    """Run one console action's command on server2, as its key would after the yes."""
    feed = PacemakerFeed(NodeRunner(cluster.lab["server2"]), "server2")
    result = asyncio.run(feed.act(action))
    assert result.ok, result.text


def the_console_keys_act_on_the_cluster(cluster: PacemakerCluster) -> None:
    """b (standby server1, then back) and m/c (move the group, clear the move) with the
    commands the console runs; Pacemaker moves the group each time."""
    group = "grp-IPaddr-192.168.10.10-24"
    for action, node in (
        (CrmAction(CrmVerb.STANDBY, "server1"), "server2"),
        (CrmAction(CrmVerb.UNSTANDBY, "server1"), "server1"),
        (CrmAction(CrmVerb.MOVE, group, "server2"), "server2"),
        (CrmAction(CrmVerb.CLEAR, group), "server1"),
    ):
        act(cluster, action)
        cluster.wait_view("server2", on(node, VIP_ID, SCRIPT_ID), FAILOVER_S, action.command())


def fail_over_and_back(cluster: PacemakerCluster) -> None:
    """Power cut of server1, group on server2, server1 back, group home; checked each time."""
    one, two = cluster["server1"], cluster["server2"]
    lab = one.lab
    for node in cluster:  # the daemons run inside each node, nowhere else
        assert node.node.processes_running("corosync"), node.name
        assert node.node.processes_running("pacemakerd"), node.name
    assert lab.vip_holders(VIP) == ["server1"]
    assert one.has_file(MARKER) and not two.has_file(MARKER)
    view = one.view()
    assert view is not None
    no_failures(view)

    # power cut of server1: VIP and failback.sh move to server2
    cut = time.monotonic()
    one.power_cut()
    lab["server2"].wait_for_address(VIP, present=True, timeout=FAILOVER_S)
    moved, view = cluster.wait_view(
        "server2", on("server2", VIP_ID, SCRIPT_ID), FAILOVER_S, "failover"
    )
    timing("power cut of server1 -> group started on server2", moved - cut)
    assert view.online == {"server2"}
    assert two.has_file(MARKER)  # failback.sh start ran (and succeeded) on server2
    log = lab["server2"].log_dir / "pacemaker" / "pacemaker.log"
    said = "Result of start operation for failback.sh on server2: ok"
    wait_until(lambda: said in log.read_text(errors="replace"), 5, "start result logged")
    no_failures(view)

    # server1 back: the group comes home (auto_failback on -> stickiness 0)
    back = time.monotonic()
    one.power_on()
    home, view = cluster.wait_view(
        "server2", on("server1", VIP_ID, SCRIPT_ID), FAILBACK_S, "failback"
    )
    timing("server1 booted -> group started on server1", home - back)
    assert view.online == {"server1", "server2"}
    lab["server2"].wait_for_address(VIP, present=False, timeout=5)
    assert lab.vip_holders(VIP) == ["server1"]
    assert one.has_file(MARKER) and not two.has_file(MARKER)  # stop ran on server2
    no_failures(view)


THREE = ["server1", "server2", "server3"]


@pytest.fixture
def migrated3(tmp_path: Path) -> Path:
    """The migrated HOWTO with a third node (no two_node: votequorum)."""
    out = migrate_howto(tmp_path, tuple(THREE))
    assert "two_node" not in (out / "corosync.conf").read_text()
    return out


def test_migrated_three_node_cluster_fails_over_with_quorum(lab_dir: Path, migrated3: Path) -> None:
    """Issue 18: the 3-node variant (votequorum, no two_node) passes the same failover
    check: a power cut of server1 moves the group to one of the two others, which keep
    quorum, and failback.sh's start runs there."""
    with ExitStack() as stack:
        lab = stack.enter_context(Lab(THREE, base_dir=lab_dir))
        cluster = PacemakerCluster(lab, migrated3, migrated3.parent / "ha.d")
        began = cluster.boot_all()
        online = cluster.wait_online(THREE, BRING_UP_S + 15, observer="server1")
        timing("3 nodes: boot -> all online", online - began)
        cluster["server1"].cibadmin("--replace", "--xml-file", str(migrated3 / "cib.xml"))
        cluster.wait_view("server1", on("server1", VIP_ID, SCRIPT_ID), PLACED_S, "placed")
        assert lab.vip_holders(VIP) == ["server1"]

        cut = time.monotonic()
        cluster["server1"].power_cut()

        def moved(view: ClusterView) -> bool:
            where = view.where(VIP_ID)
            return len(where) == 1 and where[0] != "server1" and view.where(SCRIPT_ID) == where

        seen, view = cluster.wait_view("server2", moved, FAILOVER_S, "failover")
        (taker,) = view.where(VIP_ID)
        timing(f"3 nodes: power cut of server1 -> group started on {taker}", seen - cut)
        assert view.online == {"server2", "server3"}
        lab[taker].wait_for_address(VIP, present=True, timeout=5)
        survivors = [n for n in lab.vip_holders(VIP) if n != "server1"]  # (its power is cut)
        assert survivors == [taker]
        assert cluster[taker].has_file(MARKER)
        no_failures(view)
