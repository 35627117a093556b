"""``hbtui drill`` against two real runtimes on the fake LAN (server1's control socket):
a drill that passes and is compared with the last, one stopped by a failing script, and
one refused by the preflight."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import pytest
from rtkit import VIP, served

from hbtui.commands import drill


async def run_drill(tmp_path: Path) -> int:
    args = argparse.Namespace(control_socket=str(tmp_path / "c.sock"), timeout=20.0,
                              reports_dir=str(tmp_path / "drills"), daemon="auto",
                              config_dir=str(tmp_path / "etc"), node_name=None, peer=None,
                              no_peer=True)  # fmt: skip
    return await asyncio.get_running_loop().run_in_executor(None, drill.run, args)


async def test_a_drill_moves_the_group_away_and_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with served(tmp_path) as (one, two):
        assert await run_drill(tmp_path) == drill.EXIT_PASSED
        first = capsys.readouterr().out
        assert VIP in one.vips.addresses and VIP not in two.vips.addresses
        assert [c[-1] for c in two.scripts.calls].count("start") == 1  # it held the group once
        assert await run_drill(tmp_path) == drill.EXIT_PASSED
        second = capsys.readouterr().out
    assert "Result: **passed**" in first
    assert "Scripts run on server2: not read (--no-peer)." in first
    assert "| away | standby | server2 |" in first and "| back | takeover | server1 |" in first
    assert "| - |" in first and "| - |" not in second  # the second shows the first's times
    kept = sorted((tmp_path / "drills").glob("drill-*.json"))
    assert len(kept) == 2
    report = json.loads(kept[0].read_text())
    assert report["result"] == "passed" and [m["ok"] for m in report["moves"]] == [True, True]
    assert report["peer_scripts"] is None and report["peer_unread"] == "--no-peer"
    assert {(s["resource"], s["op"], s["rc"]) for s in report["scripts"]} >= {
        ("failback.sh", "stop", 0),
        ("failback.sh", "start", 0),
    }


async def test_a_failing_script_stops_the_drill_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with served(tmp_path) as (one, _):
        one.scripts.outputs[("failback.sh", "start")] = (1, ["port 80 is in use"])
        assert await run_drill(tmp_path) == drill.EXIT_ABORTED
    out = capsys.readouterr().out
    assert "Result: **aborted**" in out
    assert "Stopped at: back: a resource script failed with exit status 1" in out
    assert "- `failback.sh start`: exit 1" in out and "  - port 80 is in use" in out


async def test_the_preflight_refuses_with_the_peer_dead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with served(tmp_path, peer=False) as (one, _):
        assert await run_drill(tmp_path) == drill.EXIT_REFUSED
        assert VIP in one.vips.addresses  # nothing was done
    out = capsys.readouterr().out
    assert "Result: **refused**" in out and "- server2 is dead: it could not take the group" in out


async def test_the_report_says_what_the_preflight_did_not_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with served(tmp_path, peer=False):
        await run_drill(tmp_path)
    out = capsys.readouterr().out
    assert f"- flapping not checked ({tmp_path / 'etc' / 'ha.cf'}: missing)" in out
    assert "- configs not compared (no link to server2)" in out
