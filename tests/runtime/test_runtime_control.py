"""Control socket and client, `hbtui status` rendering, the bus, `hbtui node` refusals."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import stat
from pathlib import Path

import pytest
from rtkit import VIP, Lan, make_member, wait_for

from hbtui.bus import Bus
from hbtui.commands import node as node_cmd
from hbtui.commands import status as status_cmd
from hbtui.control.client import NoNodeRunning, follow, request
from hbtui.control.server import ControlServer, ControlSocketBusy
from hbtui.engine.events import TakeoverDone
from hbtui.stream.codec import to_json


async def test_snapshot_follow_and_commands_over_the_socket(tmp_path: Path) -> None:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    path = tmp_path / "run" / "control.sock"
    server = ControlServer(one.runtime, path)
    await server.start()
    await one.runtime.start()
    await two.runtime.start()
    loop = asyncio.get_running_loop()
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        await wait_for(lambda: VIP in one.vips.addresses)
        snap = await loop.run_in_executor(None, request, path, "snapshot")
        assert snap["node"] == "server1" and snap["runtime"]["pid"] == os.getpid()
        assert set(snap["nodes"]) == {"server1", "server2"}

        def first_lines(n: int) -> list[dict[str, object]]:
            out = []
            for item in follow(path):
                out.append(item)
                if len(out) == n:
                    break
            return out

        lines = await loop.run_in_executor(None, first_lines, 3)
        assert lines[0]["type"] == "snapshot"
        assert all("type" in item and "at_ms" in item for item in lines[1:])

        def settled() -> bool:
            snaps = [one.runtime.snapshot(), two.runtime.snapshot()]
            return all(s["phase"] == "stable" and not s["busy"] for s in snaps)

        await wait_for(settled)
        answer = await loop.run_in_executor(None, lambda: request(path, "standby", arg="all"))
        assert answer == {"ok": True}
        await wait_for(lambda: VIP in two.vips.addresses and VIP not in one.vips.addresses)

        with pytest.raises(ControlSocketBusy):
            await ControlServer(two.runtime, path).start()

        await loop.run_in_executor(None, request, path, "stop")
        assert await asyncio.wait_for(one.runtime.wait_closed(), 3)
    finally:
        one.runtime.kill()
        two.runtime.kill()
        await server.close()
    assert not path.exists()
    with pytest.raises(NoNodeRunning):
        request(path, "snapshot")


async def test_follow_recent_replays_what_the_node_logged_before_the_socket(
    tmp_path: Path,
) -> None:
    """A console following a node that just started sees its start (issue 14.5: after `r`
    the restarted node's first lines, logged before its control socket existed, were lost);
    each line once, and a plain follow does not replay them."""
    lan = Lan()
    one = make_member("server1", lan, tmp_path)
    await one.runtime.start()  # logs its start before any socket exists
    path = tmp_path / "run" / "control.sock"
    server = ControlServer(one.runtime, path)
    await server.start()
    loop = asyncio.get_running_loop()
    try:
        logged = [item.line for item in one.runtime.recent_log]
        assert logged, "the node logged nothing at start"

        def first(n: int, recent: bool) -> list[dict[str, object]]:
            out = []
            for item in follow(path, recent=recent):
                out.append(item)
                if len(out) == n:
                    break
            return out

        lines = await loop.run_in_executor(None, first, 1 + len(logged), True)
        assert lines[0]["type"] == "snapshot"
        replayed = lines[1:]
        assert [item["line"] for item in replayed] == logged
        assert all(item["type"] == "LogLine" and item["recent"] is True for item in replayed)
        assert all(isinstance(item["time"], str) for item in replayed)
        plain = await asyncio.wait_for(
            loop.run_in_executor(None, first, 2, False), 5
        )  # the snapshot, then the next live event (a keepalive sent or a timer)
        assert plain[0]["type"] == "snapshot" and not plain[1].get("recent")
    finally:
        one.runtime.kill()
        await server.close()


def test_status_exits_3_when_no_node_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    socket = str(tmp_path / "none.sock")
    args = argparse.Namespace(
        control_socket=socket,
        json=False,
        follow=False,
        check=False,
        metrics=False,
        query=None,
        node=None,
    )
    assert status_cmd.run(args) == 3
    assert "no hbtui node is running" in capsys.readouterr().err


SNAP = {
    "node": "server1",
    "rsc_hold": "all",
    "nodes": {
        "server1": {"self": True, "status": "active"},
        "server2": {"self": False, "status": "dead", "auth_failures_in_window": 0},
    },
    "vips": [{"resource": "IPaddr::192.168.10.10/24", "ip": VIP, "owner": "server1"}],
    "rejected": [
        {"reason": "from_self", "ip": "192.168.10.1", "count": 9},
        {"reason": "bad_signature", "ip": "192.168.10.2", "count": 4},
    ],
}


def test_status_rendering_like_cl_status() -> None:
    lines = status_cmd.render(SNAP)
    assert lines[0] == "Heartbeat is running on this machine."
    assert "nodestatus server2: dead" in lines
    assert "rscstatus: all" in lines
    assert f"VIP {VIP} (IPaddr::192.168.10.10/24): server1" in lines
    assert "rejected: 4 from 192.168.10.2 (bad_signature)" in lines
    assert not any("from_self" in line for line in lines)
    assert status_cmd.answer(SNAP, "listnodes", None) == (0, ["server1", "server2"])
    assert status_cmd.answer(SNAP, "nodestatus", "server2") == (0, ["dead"])
    assert status_cmd.answer(SNAP, "rscstatus", None) == (0, ["all"])
    assert status_cmd.answer(SNAP, "nodestatus", "nope")[0] == 1
    assert not any(line.startswith("link ") for line in lines)  # a snapshot without links


def test_status_shows_each_link_of_a_peer() -> None:
    """issue 16: one line per link, in ha.cf order, right under the peer's status."""
    links = {"eth0": {"status": "up", "last_heard_ms": 5}, "eth1": {"status": "dead"}}
    peer = {"self": False, "status": "active", "links": links}
    lines = status_cmd.render({"nodes": {"server1": {"self": True}, "server2": peer}})
    at = lines.index("nodestatus server2: active")
    assert lines[at + 1 : at + 3] == ["link server2:eth0: up", "link server2:eth1: dead"]


def test_status_says_stopping_and_acquiring() -> None:
    """While a stop runs the node is "stopping", not just active; while the group is
    acquired its VIP shows as this node's, "acquiring", not "nobody"."""
    stopping = {**SNAP, "runtime": {"state": "stopping"}}
    assert "nodestatus server1: active (this node, stopping: releasing its resources)" in (
        status_cmd.render(stopping)
    )
    vips = [{"resource": "IPaddr::192.168.10.10/24", "ip": VIP, "owner": None}]
    acquiring = {**SNAP, "phase": "acquiring", "vips": vips}
    assert f"VIP {VIP} (IPaddr::192.168.10.10/24): server1 (acquiring)" in (
        status_cmd.render(acquiring)
    )


def test_events_as_json_lines() -> None:
    from hbtui.engine.events import TakeoverPhases

    done = TakeoverDone(5, "server1", "dead", ("g",), TakeoverPhases(1, 2, 2, 3, 4))
    obj = to_json(done)
    assert obj["type"] == "TakeoverDone"
    from hbtui.stream.codec import dumps_line

    back = json.loads(dumps_line(obj))
    assert back["phases"]["vip_added_ms"] == 3 and back["groups"] == ["g"]


async def test_bus_lossy_drops_oldest_lossless_keeps_all() -> None:
    bus = Bus()
    ui = bus.subscribe("ui", lossy=True, maxsize=3)
    logger = bus.subscribe("log", lossy=False)
    for n in range(10):
        bus.publish(n)
    assert [ui.get_nowait() for _ in range(3)] == [7, 8, 9]
    assert ui.dropped == 7
    assert [logger.get_nowait() for _ in range(10)] == list(range(10))
    bus.publish("last")
    bus.close()
    assert [item async for item in logger] == ["last"]
    assert [item async for item in ui] == ["last"]
    late = bus.subscribe()
    with pytest.raises(EOFError):
        await late.get()


def test_node_refuses_a_broken_config_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "ha.cf").write_text("keepalive 1\ndeadtime 5\nnode server1 server2\nucast eth0 x\n")
    (etc / "haresources").write_text("server1 IPaddr::10.0.0.1/24 nosuchscript\n")
    (etc / "authkeys").write_text("auth 1\n1 sha1 key\n")
    (etc / "authkeys").chmod(0o644)
    parser = argparse.ArgumentParser()
    node_cmd.add_arguments(parser)
    args = parser.parse_args(
        ["--config-dir", str(etc), "--state-dir", str(tmp_path / "state"), "--node-name",
         "server1", "--control-socket", str(tmp_path / "c.sock")]
    )  # fmt: skip
    assert node_cmd.run(args) == 1
    err = capsys.readouterr().err
    assert "authkeys" in err and "node not started" in err
    assert err.count("error") >= 2
    assert not (tmp_path / "state").exists() and not (tmp_path / "c.sock").exists()


async def test_status_follow_streams_until_the_node_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan = Lan()
    one = make_member("server1", lan, tmp_path)
    path = tmp_path / "control.sock"
    server = ControlServer(one.runtime, path)
    await server.start()
    await one.runtime.start()
    loop = asyncio.get_running_loop()
    args = argparse.Namespace(
        control_socket=str(path), json=False, follow=True, query=None, node=None
    )
    try:
        streaming = loop.run_in_executor(None, status_cmd.run, args)
        bus = one.runtime.bus
        await wait_for(lambda: any(s.name == "control-follow" for s in bus.subscribers))
        await one.runtime.stop(graceful=True, timeout_s=3)
        assert await asyncio.wait_for(streaming, 5) == 0
    finally:
        one.runtime.kill()
        await server.close()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["type"] == "snapshot"
    types = {line["type"] for line in lines}
    assert "LogLine" in types and "RuntimeChanged" in types
    assert lines[-1] == {**lines[-1], "type": "RuntimeChanged", "what": "stopped"}
