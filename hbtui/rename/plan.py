"""The hostname change as data: steps, each with per-node argv, a check and what to do on failure.

Building a plan changes nothing. It needs what was read from every node (config texts, old
hb_uuid) so that the rewritten files are known in advance and shown in the dry run.
Order (Heartbeat HOWTO): check configs -> stop heartbeat on ALL -> delete hb_uuid on ALL
-> set the hostname, rewrite node lines and haresources everywhere -> start ALL -> verify
every node sees the others, under the new names, with fresh uuids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath

from hbtui.configdiff import Impact, diff_configs, parse_node_config
from hbtui.remote import commands
from hbtui.remote.commands import Argv, ServiceManager
from hbtui.remote.procedure import Command, Expect, Step, step_lines
from hbtui.rename.rewrite import (
    hostname_problem,
    rename_in_ha_cf,
    rename_in_haresources,
    rename_in_hosts,
)

BACKUP_SUFFIX = ".hbtui-bak"
HOSTS_FILE = PurePosixPath("/etc/hosts")
DEFAULT_VERIFY_S = 60.0
DEFAULT_START_S = 15.0


class Membership(StrEnum):
    """How a node is asked whether it sees a peer as up."""

    CL_STATUS = "cl_status"  # real daemon: `cl_status nodestatus PEER` says active
    HBTUI = "hbtui"  # `hbtui status nodestatus PEER` says active
    NONE = "none"  # not checked (only uuids are)


@dataclass(frozen=True, slots=True)
class RenameNode:
    """One node taking part: where its files are and how its heartbeat is run."""

    name: str  # the current node name
    service: ServiceManager
    config_dir: PurePosixPath = commands.ETC_HA_D
    state_dir: PurePosixPath = commands.STATE_DIR
    hostname_file: PurePosixPath = commands.HOSTNAME_FILE
    hosts_file: PurePosixPath | None = HOSTS_FILE
    set_running_hostname: bool = True  # False: only write hostname_file (tests)
    membership: Membership = Membership.CL_STATUS
    hbtui_program: Argv = commands.HBTUI
    texts: Mapping[str, str] = field(default_factory=dict)  # ha.cf, haresources, authkeys
    hosts_text: str | None = None
    old_uuid: str | None = None


@dataclass(frozen=True, slots=True)
class RenamePlan:
    """The whole procedure; ``problems`` non-empty means it must not run."""

    old: str
    new: str
    nodes: tuple[RenameNode, ...]
    steps: tuple[Step, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # config differences that do not break the cluster

    def lines(self) -> list[str]:
        """The dry run: every step with its commands and checks."""
        out = [f"Rename {self.old} -> {self.new} on {', '.join(n.name for n in self.nodes)}"]
        out += [f"  PROBLEM: {p}" for p in self.problems]
        out += [f"  note: {n}" for n in self.notes]
        out += step_lines(self.steps)
        return out


def new_name(node: str, old: str, new: str) -> str:
    """A node's name after the rename."""
    return new if node == old else node


def _uuid_od_text(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(f"{b:02x}" for b in uuid.UUID(value).bytes)


def _problems(nodes: Sequence[RenameNode], old: str, new: str) -> tuple[list[str], list[str]]:
    """(problems that forbid the run, harmless differences worth showing)."""
    found = []
    notes: list[str] = []
    names = [n.name for n in nodes]
    if old not in names:
        found.append(f"{old} is not one of the nodes: {', '.join(names)}")
    if new in names:
        found.append(f"{new} is already a node name")
    bad = hostname_problem(new)
    if bad:
        found.append(bad)
    parsed = [parse_node_config(n.name, n.texts, n.config_dir) for n in nodes]
    for config in parsed:
        if config.ha_cf is None or config.haresources is None or config.authkeys is None:
            found.append(f"{config.node}: its ha.cf, haresources and authkeys must all be read")
        elif old not in config.ha_cf.nodes:
            found.append(f"{config.node}: ha.cf has no 'node {old}' line")
    for other in parsed[1:]:
        for diff in diff_configs(parsed[0], other):
            text = diff.line(parsed[0].node, other.node)
            (found if diff.impact is Impact.BREAKS else notes).append(text)
    return found, notes


def _file_commands(node: RenameNode, old: str, new: str) -> tuple[list[Command], list[Command]]:
    """Backup + atomic write of every file that changes on this node, and their checks."""
    actions: list[Command] = []
    checks: list[Command] = []
    edits: list[tuple[PurePosixPath, str, str]] = []
    for name, rewrite in (("ha.cf", rename_in_ha_cf), ("haresources", rename_in_haresources)):
        before = node.texts.get(name, "")
        edits.append((node.config_dir / name, before, rewrite(before, old, new)))
    if node.hosts_file is not None and node.hosts_text is not None:
        edits.append((node.hosts_file, node.hosts_text, rename_in_hosts(node.hosts_text, old, new)))
    for path, before, after in edits:
        if after == before:
            continue
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        actions.append(Command(node.name, ("cp", "-p", "--", str(path), str(backup))))
        actions.append(Command(node.name, commands.write_file(path), input_text=after))
        checks.append(Command(node.name, commands.read_file(path), expect=Expect(equals=after)))
    return actions, checks


def _membership_check(node: RenameNode, peer: str) -> Command | None:
    if node.membership is Membership.CL_STATUS:
        argv = commands.cl_status("nodestatus", peer)
        return Command(node.name, argv, expect=Expect(contains="active"))
    if node.membership is Membership.HBTUI:
        argv = commands.hbtui_query("nodestatus", peer, program=node.hbtui_program)
        return Command(node.name, argv, expect=Expect(contains="active"))
    return None


def plan_rename(
    nodes: Sequence[RenameNode], old: str, new: str, *, verify_s: float = DEFAULT_VERIFY_S
) -> RenamePlan:
    """Every step of renaming node ``old`` to ``new`` on all ``nodes``; runs nothing."""
    new = new.strip().lower()
    problems, notes = _problems(nodes, old, new)
    names = ", ".join(n.name for n in nodes)
    steps: list[Step] = []

    checks = [
        Command(n.name, commands.read_file(n.config_dir / f), expect=Expect(equals=n.texts[f]))
        for n in nodes
        for f in commands.CONFIG_FILES
        if f in n.texts
    ]
    steps.append(
        Step(
            "check",
            f"Check the configs of {names}: consistent, and unchanged since this plan",
            (),
            tuple(checks),
            "Nothing was changed. Fix the configs (see the config diff) and plan again.",
        )
    )
    steps.append(
        Step(
            "stop",
            f"Stop heartbeat on ALL nodes ({names})",
            tuple(Command(n.name, n.service.stop) for n in nodes),
            tuple(Command(n.name, n.service.status, expect=Expect(exit_ok=False)) for n in nodes),
            "A node did not stop: read its ha-log. Nodes already stopped can be started "
            "again with their start command if you abandon the rename.",
            wait_s=DEFAULT_START_S,
        )
    )
    steps.append(
        Step(
            "uuid",
            "Delete hb_uuid on ALL nodes (each gets a fresh identity at start)",
            tuple(Command(n.name, commands.delete_hb_uuid(n.state_dir)) for n in nodes),
            tuple(
                Command(n.name, ("test", "!", "-e", str(n.state_dir / "hb_uuid"))) for n in nodes
            ),
            "hb_uuid could not be removed: check the state directory's permissions; "
            "heartbeat is stopped everywhere, start it again to abandon.",
        )
    )
    actions: list[Command] = []
    rename_checks: list[Command] = []
    for n in nodes:
        if n.name == old:
            if n.set_running_hostname:
                actions.append(Command(n.name, commands.set_hostname(new, n.hostname_file)))
                rename_checks.append(Command(n.name, commands.uname_n(), expect=Expect(equals=new)))
            else:
                argv = commands.write_file(n.hostname_file)
                actions.append(Command(n.name, argv, input_text=new + "\n"))
            rename_checks.append(
                Command(n.name, commands.read_file(n.hostname_file), expect=Expect(equals=new))
            )
        file_actions, file_checks = _file_commands(n, old, new)
        actions += file_actions
        rename_checks += file_checks
    steps.append(
        Step(
            "rename",
            f"Set the hostname {old} -> {new}; rewrite node lines, haresources, hosts everywhere",
            tuple(actions),
            tuple(rename_checks),
            f"Restore each changed file from its {BACKUP_SUFFIX} copy (cp -p FILE{BACKUP_SUFFIX}"
            f" FILE) and the hostname ({old}) on every node, then start heartbeat.",
        )
    )
    steps.append(
        Step(
            "start",
            f"Start heartbeat on ALL nodes ({names})",
            tuple(Command(n.name, n.service.start) for n in nodes),
            tuple(Command(n.name, n.service.status) for n in nodes),
            "A node did not start: read its ha-log (`tail -n 50 /var/log/ha-log`); "
            "'Current node [...] not in configuration' means hostname and node lines differ.",
            wait_s=DEFAULT_START_S,
        )
    )
    verify: list[Command] = []
    for n in nodes:
        old_text = _uuid_od_text(n.old_uuid) or ""
        expect = Expect(differs_from=old_text)
        verify.append(Command(n.name, commands.hb_uuid_hex(n.state_dir), expect=expect))
        for peer in nodes:
            if peer is not n:
                check = _membership_check(n, new_name(peer.name, old, new))
                if check is not None:
                    verify.append(check)
    renamed = ", ".join(new_name(n.name, old, new) for n in nodes)
    steps.append(
        Step(
            "verify",
            f"Verify: every node sees the others as {renamed}, with fresh uuids",
            (),
            tuple(verify),
            "Heartbeat runs but the nodes do not see each other: compare the configs "
            "(config diff), check UDP port 694 between them and read both ha-logs.",
            wait_s=verify_s,
        )
    )
    return RenamePlan(old, new, tuple(nodes), tuple(steps), tuple(problems), tuple(notes))
