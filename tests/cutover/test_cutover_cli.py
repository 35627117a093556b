"""``hbtui migrate --cutover``: refused when a node cannot be reached, a dry run unless
confirmed, the move with --yes, and exit 1 after a rollback (over the simulated cluster)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from hbtui.cli import build_parser
from hbtui.commands import cutover as cli
from hbtui.commands.migrate import migrate
from hbtui.cutover.plan import CutoverNode
from hbtui.remote import commands
from hbtui.remote.commands import init_script_service
from tests.cutover.fake import FakeCluster, Machine
from tests.cutover.test_cutover import STACK, texts


def simulated(monkeypatch: pytest.MonkeyPatch, fail: list[tuple[str, str]]) -> FakeCluster:
    """Both nodes answered by a FakeCluster instead of SSH and this machine."""
    machines = {
        name: Machine(name, files={f"/etc/ha.d/{n}": t for n, t in texts().items()})
        for name in ("server1", "server2")
    }
    cluster = FakeCluster(machines, fail=fail)

    async def connect(peers: list[str]) -> tuple[dict[str, Any], list[str]]:
        return {peer: cluster.runner(peer) for peer in peers}, []

    async def read(config: Any, runners: Any, program: Any) -> tuple[list[CutoverNode], list[str]]:
        service = init_script_service(commands.HBTUI_INIT_SCRIPT)
        return [CutoverNode(n, service, STACK, texts=texts()) for n in config.ha_cf.nodes], []

    monkeypatch.setattr(cli, "_connect", connect)
    monkeypatch.setattr(cli, "_read", read)
    monkeypatch.setattr(cli, "LocalRunner", lambda: cluster.runner("server1"))
    monkeypatch.setattr("hbtui.cutover.plan.START_S", 0.0)
    return cluster


def run(howto: Path, *extra: str) -> tuple[int, str, str]:
    argv = ["migrate", "--config-dir", str(howto), "--node-name", "server1", "--cutover", *extra]
    args = build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    return migrate(args, out, err), out.getvalue(), err.getvalue()


def test_without_yes_and_without_a_terminal_it_is_a_dry_run(
    howto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = simulated(monkeypatch, [])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status, out, _ = run(howto)
    assert status == cli.EXIT_MOVED
    assert "1. Check that the configs of server1, server2 are unchanged" in out
    assert "Dry run only: give --yes" in out
    assert all(m.heartbeat and not m.stack for m in cluster.machines.values())


def test_with_yes_it_moves_and_a_failure_exits_1_rolled_back(
    howto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = simulated(monkeypatch, [])
    status, out, err = run(howto, "--yes")
    assert status == cli.EXIT_MOVED, out + err
    assert out.rstrip().endswith("moved: the cluster runs on Corosync + Pacemaker")
    assert "STONITH is off" in err
    assert all(m.stack for m in cluster.machines.values())

    simulated(monkeypatch, [("server2", "stack-start")])
    status, out, _ = run(howto, "--yes")
    assert status == cli.EXIT_ROLLED_BACK
    assert "FAILED at step 4 (start); rolled back" in out


async def test_an_unreachable_node_refuses_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "LINK_UP_S", 0.5)
    links, problems = await cli._connect(["no-such-node.invalid"])
    for link in links.values():
        await link.close()
    assert problems and problems[0].startswith("no-such-node.invalid: no SSH link within 0.5 s")
