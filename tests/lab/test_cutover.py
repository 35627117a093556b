"""The move of a running two-node hbtui cluster to real Corosync + Pacemaker (issue 18's
wizard), in the lab: server1 is this test's side (commands enter its namespaces), server2 is
reached over SSH (a real sshd inside it). Each node has the private Pacemaker directories
mounted before its hbtui node starts, as a machine with the packages installed would.

First the move fails on purpose (server2's Corosync will not start): every step done so far
is undone and hbtui holds the VIP on server1 again, with none of the new files left. Then the
real move: hbtui stops, Corosync + Pacemaker run the group on server1, the VIP is there.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path, PurePosixPath

import pytest

from hbtui.config.loader import load_config
from hbtui.cutover.execute import CutoverOutcome, execute_cutover, read_cutover_node
from hbtui.cutover.plan import CutoverPlan, plan_cutover
from hbtui.lab.commands import LabError
from hbtui.lab.netns import Lab
from hbtui.lab.pacemaker import PacemakerNode, lab_stack, pacemaker_unavailable
from hbtui.lab.runner import NodeRunner
from hbtui.migrate.crm_status import parse_crm_mon
from hbtui.migrate.plan import MigrateOptions, plan_migration
from hbtui.remote.commands import HBTUI_INIT_SCRIPT, init_script_service
from hbtui.remote.procedure import StepOutcome
from hbtui.remote.ssh import LinkState, PeerLink

from .conftest import lab_unavailable
from .haconfig import HaSetup
from .hbtui_node import HbtuiByInitScript
from .observe import wait_for_vip, wait_until
from .ssh_peer import HBTUI_PROGRAM, peer_target, skip_without_sshd

pytestmark = pytest.mark.lab

VIP = "192.168.10.10"
GROUP_MEMBERS = ("IPaddr-192.168.10.10-24", "failback.sh")
INIT = str(HBTUI_INIT_SCRIPT)
FAILING_START = ("sh", "-c", "echo 'corosync: cannot bind (injected)' >&2; exit 1")
LINK_UP_S = 20.0
# inside the node's private directories: nothing may land on the host's /var
BACKUP_DIR = PurePosixPath("/var/log/hbtui-before-pacemaker")
STAGING_DIR = PurePosixPath("/var/lib/pacemaker/hbtui-cutover")


def said(step: StepOutcome) -> None:
    """The wizard's progress, as the CLI prints it (kept in the test's output)."""
    if step.done:
        print(f"[cutover] {step.number}. {step.step.key}: {'ok' if step.ok else 'FAILED'}")
        for failure in step.failures:
            print("\n".join(f"[cutover]    {line}" for line in failure.lines()))


def quiet(lab: Lab) -> bool:
    """Both hbtui nodes active with nothing moving: what the plan's health check wants."""
    for node in lab:
        try:
            snap = HbtuiByInitScript(node).snapshot()
        except LabError:
            return False
        runtime = snap.get("runtime", {})
        if snap.get("status") != "active" or snap.get("busy") or runtime.get("scripts_running"):
            return False
    return True


def running_hbtui(lab: Lab) -> list[str]:
    """The nodes whose hbtui init script says it runs."""
    return [n.name for n in lab if n.run([INIT, "status"], timeout=20).returncode == 0]


async def plan_for(lab: Lab, runners: dict[str, object], *, fail_start: bool) -> CutoverPlan:
    config, problems = load_config(lab["server1"].etc_dir, "server1", local_host=False)
    assert config is not None, problems
    addresses = {node.name: node.ip for node in lab}
    migration = plan_migration(config, addresses.get, MigrateOptions(dc_deadtime_s=5))
    service = init_script_service(HBTUI_INIT_SCRIPT)
    nodes = [
        await read_cutover_node(
            name,
            runners[name],  # type: ignore[arg-type]
            service=service,
            stack=lab_stack(FAILING_START if fail_start and name == "server2" else None),
            hbtui_program=HBTUI_PROGRAM,
            backup_dir=BACKUP_DIR,
            staging_dir=STAGING_DIR,
        )
        for name in ("server1", "server2")
    ]
    plan = plan_cutover(nodes, migration, bytes(range(128)), config.ha_cf.nodes, start_s=60)
    assert plan.problems == (), plan.problems
    return plan


async def move(lab: Lab, runners: dict[str, object], *, fail_start: bool) -> CutoverOutcome:
    plan = await plan_for(lab, runners, fail_start=fail_start)
    began = time.monotonic()
    outcome = await execute_cutover(plan, runners, progress=said, poll_s=0.5)  # type: ignore[arg-type]
    print(f"[cutover] {outcome.summary()} ({time.monotonic() - began:.1f} s)")
    return outcome


async def test_hbtui_cluster_moves_to_pacemaker_after_a_rolled_back_attempt(
    lab_dir: Path, tmp_path: Path
) -> None:
    reason = lab_unavailable() or pacemaker_unavailable()
    if reason:
        pytest.skip(reason)
    skip_without_sshd()
    with Lab(["server1", "server2"], base_dir=lab_dir) as lab:
        for node in lab:
            HaSetup().write(node.etc_dir)
            stack = PacemakerNode(lab, node)
            stack.make_private()
            stack.mount()
        for node in lab:
            done = node.run([INIT, "start"], timeout=40)
            assert done.returncode == 0, done.stdout + done.stderr
        wait_for_vip(lab["server1"], VIP, timeout=30)
        wait_until(lambda: quiet(lab), 30, "both hbtui nodes quiet")
        link = PeerLink(peer_target(lab["server2"], tmp_path / "ssh"))
        link.start()
        try:
            await link.wait_for(LinkState.UP, timeout=LINK_UP_S)
            runners: dict[str, object] = {"server1": NodeRunner(lab["server1"]), "server2": link}

            failed = await move(lab, runners, fail_start=True)
            assert failed.done[-1].step.key == "start" and failed.rolled_back, failed.summary()
            assert [o.step.key for o in failed.undone] == ["undo-start", "undo-stop", "undo-write"]
            assert sorted(running_hbtui(lab)) == ["server1", "server2"]
            wait_for_vip(lab["server1"], VIP, timeout=30)
            assert lab.vip_holders(VIP) == ["server1"]
            # the restarted nodes are still acquiring: the next plan would be refused
            wait_until(lambda: quiet(lab), 30, "both hbtui nodes quiet after the rollback")
            for node in lab:
                assert not (node.directory / "etc-corosync" / "corosync.conf").exists()
                assert not (node.directory / "etc-corosync" / "authkey").exists()

            moved = await move(lab, runners, fail_start=False)
            assert moved.ok, moved.summary()
            assert running_hbtui(lab) == []
            done = lab["server2"].run(["crm_mon", "-1", "--output-as=xml"], timeout=20)
            view = parse_crm_mon(done.stdout)
            assert view.online == {"server1", "server2"}
            assert all(view.where(r) == ("server1",) for r in GROUP_MEMBERS), view
            assert lab.vip_holders(VIP) == ["server1"]
            backup = lab["server1"].host_path(str(BACKUP_DIR / "ha.d" / "ha.cf"))
            assert backup.exists()  # the way back is kept
        finally:
            await link.close()
            await asyncio.gather(*(asyncio.to_thread(stop_stack, n) for n in lab))


def stop_stack(node: object) -> None:
    """Stop Corosync + Pacemaker inside the node before the lab's teardown (bounded)."""
    stop = lab_stack().stop[0]
    node.run(list(stop), timeout=90)  # type: ignore[attr-defined]
