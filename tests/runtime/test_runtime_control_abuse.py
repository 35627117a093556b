"""Hostile and broken control requests over a real AF_UNIX socket: each is answered with an
error naming what is wrong, counted in the snapshot, and never acted on (the VIP does not
move, no command reaches the runtime); a line cut short or a huge one ends the connection
without a traceback; a burst of connections is served."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rtkit import VIP, Lan, Member, make_member, wait_for

from hbtui.control.client import request
from hbtui.control.requests import MAX_LINE, RequestError, nesting_depth, parse_request
from hbtui.control.server import ControlServer

BAD = [
    (b"[" * 1000 + b"]" * 1000, "nests deeper than"),
    (b'{"cmd": "standby", "arg": false}', "standby arg must be one of all, local, foreign"),
    (b'{"cmd": "standby", "arg": null}', "not null"),
    (b'{"cmd": "standby", "arg": 0}', "not 0"),
    (b'{"cmd": "takeover", "arg": []}', "not []"),
    (b'{"cmd": "standby", "arg": "everything"}', 'not "everything"'),
    (b'{"cmd": "stop", "arg": "now"}', "stop takes no arg"),
    (b'{"cmd": "reboot"}', 'unknown command "reboot"'),
    (b'{"cmd": ["standby"]}', "unknown command"),
    (b'{"cmd": "standby", "force": true}', "unknown key(s) 'force'"),
    (b'"standby"', "must be a JSON object, not str"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{cmd: standby}", "not JSON"),
    (b'{"cmd": "retry-stop"}', "no failed stop on server1: nothing to retry-stop"),
]


@pytest.mark.parametrize(("line", "why"), BAD[:-1])
def test_parse_names_what_is_wrong(line: bytes, why: str) -> None:
    with pytest.raises(RequestError) as err:
        parse_request(line)
    assert why in str(err.value)


def test_parse_accepts_the_documented_requests() -> None:
    assert parse_request(b'{"cmd": "standby"}').arg == "all"
    assert parse_request(b'{"cmd": "takeover", "arg": "foreign"}').arg == "foreign"
    assert parse_request(b'{"cmd": "snapshot"}').arg is None
    assert nesting_depth('{"a": "[[[[[[", "b": [1]}') == 2  # brackets in strings do not count
    with pytest.raises(RequestError, match="too long"):
        parse_request(b" " * (MAX_LINE + 1))


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[tuple[Member, ControlServer, Path]]:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    path = tmp_path / "run" / "control.sock"
    server = ControlServer(one.runtime, path)
    await server.start()
    await one.runtime.start()
    await two.runtime.start()
    await wait_for(lambda: VIP in one.vips.addresses)
    try:
        yield one, server, path
    finally:
        one.runtime.kill()
        two.runtime.kill()
        await server.close()


def _exchange(path: Path, payload: bytes, close_after_send: bool = False) -> list[dict[str, Any]]:
    """Send raw bytes, read every answer line until the server closes or 2 s pass."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        sock.connect(str(path))
        sock.sendall(payload)
        if close_after_send:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
                if not close_after_send and data.endswith(b"\n"):
                    break
        except TimeoutError:
            pass
    return [json.loads(line) for line in data.splitlines()]


async def test_bad_requests_are_answered_counted_and_never_acted_on(
    node: tuple[Member, ControlServer, Path],
) -> None:
    one, _server, path = node
    acted: list[tuple[str, str]] = []
    real_command = one.runtime.command
    one.runtime.command = lambda cmd, arg="all": acted.append((cmd, arg))  # type: ignore[method-assign]
    try:
        for line, why in BAD:
            answers = await asyncio.to_thread(_exchange, path, line + b"\n")
            assert answers and answers[0]["ok"] is False, line
            assert why in answers[0]["error"], (line, answers[0]["error"])
    finally:
        one.runtime.command = real_command  # type: ignore[method-assign]
    assert acted == []
    assert VIP in one.vips.addresses
    snap = await asyncio.to_thread(request, path, "snapshot")
    assert snap["runtime"]["control"]["rejected"] == len(BAD) - 1  # a refusal is not bad input
    assert "no failed stop" not in snap["runtime"]["control"]["last_rejected"]


async def test_a_huge_line_or_half_a_line_ends_the_connection_quietly(
    node: tuple[Member, ControlServer, Path],
) -> None:
    _one, server, path = node
    huge = await asyncio.to_thread(_exchange, path, b"x" * (MAX_LINE + 10) + b"\n", True)
    assert huge == [{"ok": False, "error": f"request too long (at most {MAX_LINE} bytes)"}]
    half = await asyncio.to_thread(_exchange, path, b'{"cmd": "stand', True)
    assert half == []  # nothing to answer, nothing done
    assert server.rejected == 1
    snap = await asyncio.to_thread(request, path, "snapshot")  # still serving
    assert snap["node"] == "server1"


async def test_a_burst_of_connections_is_served(node: tuple[Member, ControlServer, Path]) -> None:
    _one, _server, path = node
    answers = await asyncio.gather(
        *(asyncio.to_thread(request, path, "snapshot") for _ in range(150))
    )
    assert all(a["node"] == "server1" for a in answers)


async def test_json_carries_rfc3339_times_beside_the_monotonic_ones(
    node: tuple[Member, ControlServer, Path],
) -> None:
    import re
    from itertools import islice

    from hbtui.control.client import follow

    _one, _server, path = node
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    snap = await asyncio.to_thread(request, path, "snapshot")
    assert stamp.match(snap["time"]) and snap["schema"] == 1
    assert stamp.match(snap["nodes"]["server2"]["last_heard_at"])
    events = await asyncio.to_thread(lambda: list(islice(follow(path), 3)))
    assert all(stamp.match(e["time"]) for e in events[1:] if "at_ms" in e)
