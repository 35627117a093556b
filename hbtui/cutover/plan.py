"""The move to Pacemaker as data: steps with per-node commands, checks and their undo.
Building a plan changes nothing; its dry run shows every command, check and rollback.

Order (downtime only between "stop" and "verify"): check that nothing changed since the plan
-> back up /etc/ha.d and the state, write corosync.conf, the authkey, the LSB wrappers and the
CIB to stage -> stop heartbeat/hbtui on ALL -> start Corosync + Pacemaker on ALL -> load the
CIB -> verify every group runs on its home node with its VIP up -> switch what starts at
boot. A failure undoes the steps done so far, newest first, back to a running
Heartbeat/hbtui cluster (see :func:`hbtui.remote.procedure.roll_back`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hbtui.configdiff import Impact, diff_configs, parse_node_config
from hbtui.cutover import commands as cc
from hbtui.migrate.model import Group
from hbtui.migrate.plan import Migration
from hbtui.remote import commands
from hbtui.remote.commands import ServiceManager
from hbtui.remote.procedure import Command, Expect, Step, step_lines

STOP_S = 60.0
START_S = 90.0  # corosync up, then pacemakerd and the DC election (dc-deadtime)
VERIFY_S = 120.0
ANY = Expect(exit_ok=None)
DC_ELECTED = Expect(contains='<current_dc present="true"')  # in crm_mon --output-as=xml
CIB_NAME = "cib.xml"


@dataclass(frozen=True, slots=True)
class CutoverNode:
    """One node taking part: how its Heartbeat/hbtui and its Pacemaker stack are run, and what
    was read from it."""

    name: str
    service: ServiceManager  # the Heartbeat or hbtui daemon, as found
    stack: cc.ClusterStack
    config_dir: PurePosixPath = commands.ETC_HA_D
    state_dir: PurePosixPath = commands.STATE_DIR
    texts: Mapping[str, str] = field(default_factory=dict)  # ha.cf, haresources, authkeys
    missing_tools: tuple[str, ...] = ()
    health: tuple[str, ...] = ()  # what forbids the move now (a failed stop, a split brain)
    backup_dir: PurePosixPath = cc.BACKUP_DIR  # /etc/ha.d and the state are copied there
    staging_dir: PurePosixPath = cc.STAGING_DIR  # the CIB waits there to be loaded


@dataclass(frozen=True, slots=True)
class CutoverPlan:
    """The whole move; ``problems`` non-empty means it must not run."""

    nodes: tuple[CutoverNode, ...]
    steps: tuple[Step, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The dry run: every step with its commands, checks and rollback."""
        names = ", ".join(n.name for n in self.nodes)
        out = [f"Move {names} from Heartbeat to Corosync + Pacemaker"]
        out += [f"  PROBLEM: {p}" for p in self.problems]
        out += [f"  note: {n}" for n in self.notes]
        out += step_lines(self.steps)
        return out


def _problems(
    nodes: Sequence[CutoverNode], cluster_nodes: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(what forbids the move, harmless differences worth showing)."""
    found: list[str] = []
    notes: list[str] = []
    names = [n.name for n in nodes]
    if sorted(names) != sorted(cluster_nodes):
        found.append(f"ha.cf names {', '.join(cluster_nodes)}; the plan has {', '.join(names)}")
    missing = sorted({tool for n in nodes for tool in n.missing_tools})
    for node in nodes:
        if node.missing_tools:
            found.append(f"{node.name}: {', '.join(node.missing_tools)} not installed")
        found += [f"{node.name}: {problem}" for problem in node.health]
    if missing:
        found.append("install them first: apt-get install " + " ".join(cc.PACKAGES))
    parsed = [parse_node_config(n.name, n.texts, n.config_dir) for n in nodes]
    for config in parsed:
        if config.ha_cf is None or config.haresources is None or config.authkeys is None:
            found.append(f"{config.node}: its ha.cf, haresources and authkeys must all be read")
    for other in parsed[1:]:
        for diff in diff_configs(parsed[0], other):
            text = diff.line(parsed[0].node, other.node)
            (found if diff.impact is Impact.BREAKS else notes).append(text)
    return found, notes


def _write(node: str, path: PurePosixPath, text: str, mode: str) -> tuple[list[Command], Command]:
    """Keep the original once, write ``text``, set ``mode``; and the check that reads it back."""
    actions = [
        Command(node, cc.keep_original(path)),
        Command(node, commands.write_file(path), input_text=text),
        Command(node, ("chmod", mode, str(path))),
    ]
    return actions, Command(node, commands.read_file(path), expect=Expect(equals=text))


def _write_step(nodes: Sequence[CutoverNode], migration: Migration, authkey: bytes) -> Step:
    key_b64 = base64.encodebytes(authkey).decode()
    actions: list[Command] = []
    checks: list[Command] = []
    rollback: list[Command] = []
    for node in nodes:
        backup = node.backup_dir
        actions.append(
            Command(node.name, ("mkdir", "-p", str(cc.COROSYNC_DIR), str(node.staging_dir)))
        )
        actions.append(Command(node.name, cc.backup_trees(backup, node.config_dir, node.state_dir)))
        checks.append(Command(node.name, ("test", "-d", str(backup / node.config_dir.name))))
        files = {
            cc.COROSYNC_DIR / "corosync.conf": (migration.corosync_conf, "0644"),
            node.staging_dir / CIB_NAME: (migration.cib_xml, "0600"),
            **{
                commands.INIT_DIR / name: (text, "0755")
                for name, text in sorted(migration.wrappers.items())
            },
        }
        for path, (text, mode) in files.items():
            written, check = _write(node.name, path, text, mode)
            actions += written
            checks.append(check)
            rollback.append(Command(node.name, cc.put_back(path), expect=ANY))
        key = cc.COROSYNC_DIR / "authkey"
        actions.append(Command(node.name, cc.keep_original(key)))
        actions.append(Command(node.name, cc.write_base64(key), input_text=key_b64))
        checks.append(Command(node.name, ("base64", str(key)), expect=Expect(equals=key_b64)))
        rollback.append(Command(node.name, cc.put_back(key), expect=ANY))
    return Step(
        "write",
        f"Back up /etc/ha.d and the state to {nodes[0].backup_dir if nodes else '-'}; write "
        "corosync.conf, the authkey, the LSB wrappers and the CIB (to stage) on every node",
        tuple(actions),
        tuple(checks),
        "Nothing runs differently yet: the undo puts the files back as they were.",
        rollback=tuple(rollback),
    )


def _verify_checks(
    first: str, groups: Sequence[Group], nodes: Sequence[CutoverNode]
) -> list[Command]:
    found = [
        Command(
            n.name,
            ("crm_mon", "-1", "--output-as=xml"),
            expect=Expect(contains=f'name="{n.name}" id='),
        )
        for n in nodes
    ]
    for group in groups:
        for primitive in group.primitives:
            locate = ("crm_resource", "--locate", "--resource", primitive.id)
            expect = Expect(contains=f"is running on: {group.home_node}")
            found.append(Command(first, locate, expect=expect))
            ip = dict(primitive.params).get("ip") if primitive.agent_type == "IPaddr2" else None
            if ip:
                addresses = Expect(contains=f'"local":"{ip}"')  # ip -j addr show
                found.append(Command(group.home_node, commands.ip_addresses(), expect=addresses))
    return found


def plan_cutover(
    nodes: Sequence[CutoverNode],
    migration: Migration,
    authkey: bytes,
    cluster_nodes: Sequence[str],
    *,
    start_s: float = START_S,
    verify_s: float = VERIFY_S,
) -> CutoverPlan:
    """Every step of moving ``nodes`` (``cluster_nodes``: ha.cf's node lines, which must all
    be there) to Pacemaker with a new Corosync ``authkey``; runs nothing."""
    problems, notes = _problems(nodes, cluster_nodes)
    names = ", ".join(n.name for n in nodes)
    first = nodes[0].name if nodes else ""
    cib = str(nodes[0].staging_dir / CIB_NAME) if nodes else CIB_NAME
    steps: list[Step] = []
    steps.append(
        Step(
            "check",
            f"Check that the configs of {names} are unchanged since this plan",
            (),
            tuple(
                Command(
                    n.name, commands.read_file(n.config_dir / f), expect=Expect(equals=n.texts[f])
                )
                for n in nodes
                for f in commands.CONFIG_FILES
                if f in n.texts
            )
            + tuple(Command(n.name, cc.have_tools(*cc.TOOLS)) for n in nodes),
            "Nothing was changed. Plan again.",
        )
    )
    steps.append(_write_step(nodes, migration, authkey))
    steps.append(
        Step(
            "stop",
            f"Stop {nodes[0].service.daemon if nodes else 'heartbeat'} on ALL nodes ({names}): "
            "the VIP is down from here until Pacemaker starts it",
            tuple(Command(n.name, n.service.stop) for n in nodes),
            tuple(Command(n.name, n.service.status, expect=Expect(exit_ok=False)) for n in nodes),
            "A node did not stop: the undo starts it again everywhere.",
            wait_s=STOP_S,
            rollback=tuple(Command(n.name, n.service.start, expect=ANY) for n in nodes),
            rollback_checks=tuple(Command(n.name, n.service.status) for n in nodes),
        )
    )
    steps.append(
        Step(
            "start",
            f"Start Corosync + Pacemaker on ALL nodes ({names})",
            tuple(Command(n.name, argv) for n in nodes for argv in n.stack.start),
            # a DC elected: before it, pacemakerd answers but the CIB may not (cibadmin
            # --replace then failed in CI with "Transport endpoint is not connected")
            tuple(Command(n.name, n.stack.running, expect=DC_ELECTED) for n in nodes),
            "The stack did not come up: read /var/log/corosync/corosync.log and "
            "/var/log/pacemaker/pacemaker.log; the undo stops it and starts Heartbeat again.",
            wait_s=start_s,
            rollback=tuple(
                Command(n.name, argv, expect=ANY) for n in nodes for argv in n.stack.stop
            ),
            rollback_checks=tuple(Command(n.name, n.stack.stopped) for n in nodes),
        )
    )
    steps.append(
        Step(
            "load",
            f"Load the CIB on {first} and verify it",
            (Command(first, ("cibadmin", "--replace", "--xml-file", cib)),),
            (Command(first, ("crm_verify", "--live-check")),),
            "The CIB was refused: crm_verify says why; the undo erases it.",
            rollback=(Command(first, ("cibadmin", "--erase", "--force"), expect=ANY),),
        )
    )
    steps.append(
        Step(
            "verify",
            "Verify: every node online, every group on its home node, each VIP up there",
            (),
            tuple(_verify_checks(first, migration.pacemaker.groups, nodes)),
            "Pacemaker runs but the groups are not where Heartbeat had them: crm_mon shows "
            "why (failed actions); the undo goes back to Heartbeat.",
            wait_s=verify_s,
        )
    )
    boot = [Command(n.name, argv) for n in nodes for argv in n.stack.at_boot]
    if boot:
        steps.append(
            Step(
                "boot",
                "At boot: Corosync + Pacemaker on, Heartbeat/hbtui off",
                tuple(boot),
                (),
                "A boot setting did not change: the undo restores them.",
                rollback=tuple(
                    Command(n.name, argv, expect=ANY)
                    for n in nodes
                    for argv in n.stack.at_boot_undo
                ),
            )
        )
    return CutoverPlan(tuple(nodes), tuple(steps), tuple(problems), tuple(notes))
