"""The move to Pacemaker: the dry run, the problems that forbid it, and its execution with a
rollback at each step that fails (over a cluster simulated in a dict)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.loader import read_config
from hbtui.cutover.commands import ClusterStack
from hbtui.cutover.execute import execute_cutover
from hbtui.cutover.plan import CutoverNode, CutoverPlan, plan_cutover
from hbtui.migrate.plan import plan_migration
from hbtui.remote import commands
from hbtui.remote.commands import ServiceKind, init_script_service
from tests.cutover.conftest import HOWTO
from tests.cutover.fake import FakeCluster, Machine

KEY = bytes(range(128))
STACK = ClusterStack(
    ServiceKind.CUSTOM,
    start=(("stack-start",),),
    stop=(("stack-stop",),),
    running=("crm_mon", "-1", "--output-as=xml"),
    stopped=("stack-stopped",),
)


def texts() -> dict[str, str]:
    return {n: (HOWTO / n).read_text() for n in commands.CONFIG_FILES}


def howto_plan(config_dir: Path, **node_extra: object) -> tuple[CutoverPlan, FakeCluster]:
    config = read_config(config_dir, "server1", local_host=False)
    addresses = {"server1": "192.168.10.1", "server2": "192.168.10.2"}
    migration = plan_migration(config, addresses.get)
    service = init_script_service(commands.HBTUI_INIT_SCRIPT)
    nodes = [
        CutoverNode(name, service, STACK, texts=texts(), **node_extra)  # type: ignore[arg-type]
        for name in ("server1", "server2")
    ]
    plan = plan_cutover(nodes, migration, KEY, config.ha_cf.nodes, start_s=0, verify_s=0)
    machines = {
        name: Machine(name, files={f"/etc/ha.d/{n}": t for n, t in texts().items()})
        for name in ("server1", "server2")
    }
    return plan, FakeCluster(machines)


def test_the_dry_run_names_every_command_check_and_undo(howto: Path) -> None:
    plan, _ = howto_plan(howto)
    assert plan.problems == ()
    assert [s.key for s in plan.steps] == ["check", "write", "stop", "start", "load", "verify"]
    text = "\n".join(plan.lines())
    for expected in (
        "server1$ /etc/init.d/hbtui stop",
        "undo  server2$ /etc/init.d/hbtui start",
        "server1$ cibadmin --replace --xml-file /var/lib/hbtui/cutover/cib.xml",
        "check server1$ crm_resource --locate --resource IPaddr-192.168.10.10-24",
        "server2$ sh -c",  # the authkey, written from base64 on stdin
        "/var/backups/hbtui-before-pacemaker",
    ):
        assert expected in text, expected
    assert KEY.hex() not in text and "AAECAwQF" not in text  # the key is never shown


def test_missing_packages_and_a_failed_stop_forbid_the_move(howto: Path) -> None:
    plan, _ = howto_plan(howto, missing_tools=("pacemakerd",), health=("a failed stop holds x",))
    said = "\n".join(plan.problems)
    assert "server1: pacemakerd not installed" in said
    assert "apt-get install corosync pacemaker pacemaker-cli-utils" in said
    assert "server2: a failed stop holds x" in said


async def test_the_move_runs_every_step_and_leaves_pacemaker_running(howto: Path) -> None:
    plan, cluster = howto_plan(howto)
    runners = {name: cluster.runner(name) for name in cluster.machines}
    outcome = await execute_cutover(plan, runners, poll_s=0.001)
    assert outcome.ok, [f.lines() for o in outcome.done for f in o.failures]
    assert outcome.summary() == "moved: the cluster runs on Corosync + Pacemaker"
    for machine in cluster.machines.values():
        assert machine.stack and not machine.heartbeat
        assert "/etc/corosync/corosync.conf" in machine.files
        assert machine.files["/etc/corosync/authkey"].encode("latin-1") == KEY


@pytest.mark.parametrize(
    ("node", "failing", "step"),
    [
        ("server2", "sh -c umask 077", "write"),  # a file could not be written
        ("server2", "stack-start", "start"),  # corosync would not start
        ("server1", "cibadmin --replace", "load"),  # the CIB was refused
        ("server1", "crm_resource --locate", "verify"),  # the group is not home
    ],
)
async def test_a_failing_step_is_rolled_back_to_heartbeat(
    howto: Path, node: str, failing: str, step: str
) -> None:
    plan, cluster = howto_plan(howto)
    cluster.fail = [(node, failing)]
    runners = {name: cluster.runner(name) for name in cluster.machines}
    outcome = await execute_cutover(plan, runners, poll_s=0.001)
    assert not outcome.ok and outcome.done[-1].step.key == step
    assert outcome.rolled_back, outcome.summary()
    assert outcome.summary().endswith("rolled back: Heartbeat/hbtui runs again on every node")
    for machine in cluster.machines.values():
        assert machine.heartbeat and not machine.stack, machine.name
        assert not any(path.startswith("/etc/corosync") for path in machine.files)


async def test_heartbeat_is_not_started_while_the_stack_may_still_run(howto: Path) -> None:
    """The undo of "start" must hold before the undo of "stop" starts Heartbeat again, else
    both would manage the VIP: a stack that will not stop ends the rollback, said loudly."""
    plan, cluster = howto_plan(howto)
    cluster.fail = [("server1", "crm_verify"), ("server2", "stack-stop")]
    runners = {name: cluster.runner(name) for name in cluster.machines}
    outcome = await execute_cutover(plan, runners, poll_s=0.001)
    assert not outcome.ok and not outcome.rolled_back
    assert [o.step.key for o in outcome.undone] == ["undo-load", "undo-start"]
    assert all(o.step.undoing for o in outcome.undone)
    assert not any(o.step.undoing for o in outcome.done)
    assert "ROLLBACK INCOMPLETE (undo-start)" in outcome.summary()
    assert not any(m.heartbeat for m in cluster.machines.values())
    assert not any(
        "/etc/init.d/hbtui start" in line for m in cluster.machines.values() for line in m.log
    )
