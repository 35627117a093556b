"""``hbtui migrate --to pacemaker --cutover``: move this running cluster to Corosync +
Pacemaker over the SSH links (the peers by node name; ssh_config may map them).

Every node is read first (configs, daemon, packages, health), then the dry run is printed:
every command per node, its check and its undo. Nothing runs unless the operator types
``move`` (or gave ``--yes``). A step that fails undoes what was done, newest first, back to
Heartbeat/hbtui; an undo that does not hold stops there and says so (Heartbeat is never
started while Pacemaker may still run the VIP).

Exit status: 0 moved (or dry run only), 1 failed and rolled back, 2 refused (problems, an
unreachable node), 3 failed and the rollback is incomplete.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TextIO

from hbtui.config.model import ClusterConfig
from hbtui.cutover.execute import CutoverOutcome, execute_cutover, read_cutover_node
from hbtui.cutover.plan import CutoverNode, plan_cutover
from hbtui.migrate.corosync import AUTHKEY_BYTES
from hbtui.migrate.plan import Migration
from hbtui.remote.procedure import Progress, StepOutcome, read_every
from hbtui.remote.runner import CommandRunner, LocalRunner
from hbtui.remote.ssh import LinkError, PeerLink, PeerTarget
from hbtui.stream.link import LinkState

EXIT_MOVED, EXIT_ROLLED_BACK, EXIT_REFUSED, EXIT_BROKEN = 0, 1, 2, 3
LINK_UP_S = 20.0
CONFIRM_WORD = "move"
THIS_HBTUI = (sys.executable, "-m", "hbtui.cli")  # this node: the hbtui running this


def printer(out: TextIO) -> Progress:
    """Progress lines: each step as it starts and its result, failures with their output."""

    def progress(step: StepOutcome) -> None:
        if not step.done:
            out.write(f"{step.number}. {step.step.title} ...\n")
        else:
            out.write(f"   {'ok' if step.ok else 'FAILED'}\n")
            for failure in step.failures:
                out.writelines(f"   {line}\n" for line in failure.lines())
        out.flush()

    return progress


async def _connect(peers: list[str]) -> tuple[dict[str, PeerLink], list[str]]:
    links = {peer: PeerLink(PeerTarget(node=peer)) for peer in peers}
    for link in links.values():
        link.start()
    problems = []
    for peer, link in links.items():
        try:
            await link.wait_for(LinkState.UP, timeout=LINK_UP_S)
        except TimeoutError:
            problems.append(f"{peer}: no SSH link within {LINK_UP_S:g} s ({link.status.detail})")
    return links, problems


async def _read(
    config: ClusterConfig, runners: Mapping[str, CommandRunner], hbtui_program: tuple[str, ...]
) -> tuple[list[CutoverNode], list[str]]:
    """Every node of ha.cf at once (``read_every``, as the console's wizard reads them); the
    nodes, or none and the one line naming each node that could not be read."""

    async def read(name: str) -> CutoverNode:
        program = hbtui_program if name != config.node_name else THIS_HBTUI
        config_dir = PurePosixPath(config.config_dir)
        return await read_cutover_node(
            name, runners[name], config_dir=config_dir, hbtui_program=program
        )

    try:
        return await read_every(list(config.ha_cf.nodes), read), []
    except LinkError as exc:
        return [], [str(exc)]


def _confirmed(out: TextIO, assume_yes: bool) -> bool:
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        out.write(f"Dry run only: give --yes (or run it on a terminal and type {CONFIRM_WORD}).\n")
        return False
    out.write(f"Type {CONFIRM_WORD} to run these steps on every node: ")
    out.flush()
    return sys.stdin.readline().strip() == CONFIRM_WORD


async def _cutover(
    config: ClusterConfig,
    migration: Migration,
    out: TextIO,
    err: TextIO,
    assume_yes: bool,
    hbtui_program: tuple[str, ...],
) -> int:
    links, problems = await _connect(list(config.peers))
    try:
        runners: dict[str, CommandRunner] = {config.node_name: LocalRunner(), **links}
        nodes, read_problems = await _read(config, runners, hbtui_program)
        problems += read_problems
        if problems:
            err.writelines(f"hbtui migrate --cutover: {p}\n" for p in problems)
            return EXIT_REFUSED
        plan = plan_cutover(
            nodes, migration, secrets.token_bytes(AUTHKEY_BYTES), config.ha_cf.nodes
        )
        out.writelines(f"{line}\n" for line in plan.lines())
        if plan.problems:
            err.write("hbtui migrate --cutover: refused: fix the PROBLEM lines first\n")
            return EXIT_REFUSED
        if not await asyncio.to_thread(_confirmed, out, assume_yes):
            return EXIT_MOVED
        outcome: CutoverOutcome = await execute_cutover(plan, runners, progress=printer(out))
        out.write(outcome.summary() + "\n")
        if outcome.ok:
            return EXIT_MOVED
        return EXIT_ROLLED_BACK if outcome.rolled_back else EXIT_BROKEN
    finally:
        await asyncio.gather(*(link.close() for link in links.values()))


def run_cutover(
    config: ClusterConfig,
    migration: Migration,
    out: TextIO,
    err: TextIO,
    *,
    assume_yes: bool = False,
    hbtui_program: tuple[str, ...] = ("hbtui",),
) -> int:
    """Plan the move over the links, print the dry run, run it when confirmed."""
    return asyncio.run(_cutover(config, migration, out, err, assume_yes, hbtui_program))
