"""PeerLink against a real sshd: trust, refusal, reconnect, quoting and streaming."""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from hbtui.remote.ssh import (
    MAX_CHANNELS,
    REOPEN_DELAYS_S,
    Backoff,
    HostKeyRefused,
    LinkError,
    PeerLink,
)
from hbtui.stream.link import HostKeyVerdict, LinkState

from .conftest import Sshd, make_sshd

WAIT_S = 15.0


async def test_connect_with_known_host_runs_a_command(sshd: Sshd, known_hosts: Path) -> None:
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        assert link.status.state is LinkState.UP
        result = await link.run(["echo", "hello"])
        assert result.ok and result.stdout == "hello\n"
    finally:
        await link.close()
    assert link.status.state is LinkState.CLOSED


async def test_more_commands_at_once_than_sshd_allows_channels(
    sshd: Sshd, known_hosts: Path
) -> None:
    """OpenSSH refuses an 11th channel (MaxSessions 10): the link queues them instead.

    Each command outlasts every reopen retry, so only the queue can get all 15 through.
    """
    busy_s = f"{sum(REOPEN_DELAYS_S) + 0.5:g}"
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(link.run(["sleep", busy_s]) for _ in range(15))), 30
        )
    finally:
        await link.close()
    assert all(r.ok for r in results)


async def test_unknown_host_key_is_refused_with_fingerprint_and_command(
    sshd: Sshd, tmp_path: Path
) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    link = PeerLink(sshd.target(empty))
    with pytest.raises(HostKeyRefused) as caught:
        await link.connect_once()
    refusal = caught.value.refusal
    assert refusal.verdict is HostKeyVerdict.UNKNOWN
    fingerprint = _fingerprint(sshd)
    assert refusal.fingerprint == fingerprint
    assert refusal.commands == [
        f"ssh-keyscan -p {sshd.port} 127.0.0.1 >> {shlex.quote(str(empty))}"
    ]
    text = str(caught.value)
    assert fingerprint in text and "Refused" in text
    assert not link.is_up


async def test_trust_command_makes_the_next_connect_work(sshd: Sshd, tmp_path: Path) -> None:
    known = tmp_path / "kh"
    known.write_text("")
    link = PeerLink(sshd.target(known))
    with pytest.raises(HostKeyRefused) as caught:
        await link.connect_once()
    proc = await asyncio.create_subprocess_shell(
        caught.value.refusal.commands[-1],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await asyncio.wait_for(proc.wait(), WAIT_S) == 0
    await link.connect_once()
    assert link.is_up
    await link.close()


async def test_changed_host_key_is_refused(sshd: Sshd, tmp_path: Path) -> None:
    other = make_sshd(tmp_path / "other")  # only for its host key: never started
    known = tmp_path / "kh"
    kind, blob = other.host_pub.split()[:2]
    known.write_text(f"[127.0.0.1]:{sshd.port} {kind} {blob}\n")
    link = PeerLink(sshd.target(known))
    with pytest.raises(HostKeyRefused) as caught:
        await link.connect_once()
    refusal = caught.value.refusal
    assert refusal.verdict is HostKeyVerdict.CHANGED
    assert refusal.fingerprint == _fingerprint(sshd)
    assert refusal.known_fingerprints == (_fingerprint(other),)
    assert refusal.commands[0] == f"ssh-keygen -R '[127.0.0.1]:{sshd.port}' -f {known}"
    assert "CHANGED" in str(caught.value)


async def test_run_forever_shows_refused_state(sshd: Sshd, tmp_path: Path) -> None:
    known = tmp_path / "kh"
    known.write_text("")
    link = PeerLink(sshd.target(known))
    link.start()
    try:
        status = await link.wait_for(LinkState.REFUSED, timeout=WAIT_S)
        assert status.refusal is not None
    finally:
        await link.close()


async def test_reconnects_with_backoff_after_sshd_restart(sshd: Sshd, known_hosts: Path) -> None:
    seen: list[LinkState] = []
    link = PeerLink(
        sshd.target(known_hosts, keepalive_interval_s=0.5, keepalive_count_max=2),
        Backoff(initial_s=0.1, factor=2.0, maximum_s=0.8),
    )
    link.add_listener(lambda status: seen.append(status.state))
    link.start()
    try:
        await link.wait_for(LinkState.UP, timeout=WAIT_S)
        # a long-running session so the connection has a child process to lose
        sshd.stop()
        down = await link.wait_for(LinkState.DOWN, timeout=WAIT_S)
        assert down.retry_in_s is not None
        with pytest.raises(LinkError):
            await link.run(["true"])
        sshd.start()
        up = await link.wait_for(LinkState.UP, timeout=WAIT_S)
        assert up.attempts >= 2
        assert (await link.run(["true"])).ok
    finally:
        await link.close()
    assert seen[:2] == [LinkState.CONNECTING, LinkState.UP]
    assert LinkState.DOWN in seen


def test_backoff_grows_and_caps_and_resets() -> None:
    backoff = Backoff(initial_s=0.5, factor=2.0, maximum_s=3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


TRICKY = ["a b", "it's", 'say "hi"', "x; touch /tmp/pwned-hbtui", "$(id)", "`id`", "*", ""]


async def test_arguments_arrive_intact(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        script = "import sys, json; print(json.dumps(sys.argv[1:]))"
        result = await link.run(["python3", "-c", script, *TRICKY])
    finally:
        await link.close()
    assert result.ok, result.stderr
    assert json.loads(result.stdout) == TRICKY
    assert not Path("/tmp/pwned-hbtui").exists()


async def test_stream_lines_of_a_follow_command(sshd: Sshd, known_hosts: Path) -> None:
    """Stands in for ``hbtui status --json --follow``: a snapshot, then event lines."""
    script = (
        "import json, sys\n"
        "print(json.dumps({'snapshot': {'node': 'server2'}}), flush=True)\n"
        "for i in range(3):\n"
        "    print(json.dumps({'event': 'PeerUp', 'n': i}), flush=True)\n"
    )
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        lines = [line async for line in link.stream(["python3", "-c", script])]
    finally:
        await link.close()
    assert lines[0] == '{"snapshot": {"node": "server2"}}'
    assert len(lines) == 4 and '"n": 2' in lines[-1]


async def test_a_stream_left_early_ends_its_command_on_the_peer(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    """sshd keeps a session while its command runs, so a stream left early ends the command.

    The command stands in for one that only notices a closed output when it next writes
    (``hbtui status --follow`` on a quiet cluster; GNU ``tail -F`` checks by itself).
    """
    marker = f"hbtui-quiet-{uuid.uuid4()}"
    script = "import sys, time; print('one line', flush=True); time.sleep(600)"
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        stream = link.stream(["python3", "-c", script, marker])
        assert await anext(stream) == "one line"
        quiet = await asyncio.to_thread(_processes_naming, marker)  # with the wrapper's
        assert [p.info["cmdline"][0] for p in quiet].count("python3") == 1
        await stream.aclose()
        _, alive = await asyncio.to_thread(psutil.wait_procs, quiet, WAIT_S)
        assert not alive, f"the command still runs on the peer: {alive}"
        # its channel is free again: all MAX_CHANNELS can be used at once
        results = await asyncio.gather(*(link.run(["true"]) for _ in range(MAX_CHANNELS)))
        assert all(r.ok for r in results)
    finally:
        await link.close()


def _processes_naming(marker: str) -> list[psutil.Process]:
    return [
        proc for proc in psutil.process_iter(["cmdline"]) if marker in (proc.info["cmdline"] or [])
    ]


def _fingerprint(server: Sshd) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-lf", str(server.host_key)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return out.split()[1]


async def test_proxy_command_reaches_an_inetd_style_sshd(tmp_path: Path) -> None:
    """``sshd -i`` on the link's stdio: how the lab reaches a peer inside its namespaces."""
    from .conftest import SSHD

    if not SSHD.exists():
        pytest.skip("OpenSSH server not installed")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    server = make_sshd(tmp_path / "inetd")
    known = tmp_path / "kh"
    kind, blob = server.host_pub.split()[:2]
    known.write_text(f"peerhost {kind} {blob}\n")
    proxy = (str(SSHD), "-i", "-E", str(tmp_path / "sshd-i.log"), "-f", str(server.config))
    target = server.target(known, proxy_command=proxy)
    link = PeerLink(replace(target, host="peerhost", port=None))
    await link.connect_once()
    try:
        assert (await link.run(["echo", "via", "proxy"])).stdout == "via proxy\n"
    finally:
        await link.close()


def test_trust_commands_for_the_default_known_hosts() -> None:
    from hbtui.stream.link import trust_commands

    assert trust_commands(HostKeyVerdict.UNKNOWN, "server2", 22) == [
        "mkdir -p -m 700 ~/.ssh",
        "ssh-keyscan server2 >> ~/.ssh/known_hosts",
    ]
    assert trust_commands(HostKeyVerdict.CHANGED, "10.0.0.2", 2222)[1:] == [
        "ssh-keygen -R '[10.0.0.2]:2222'",
        "ssh-keyscan -p 2222 10.0.0.2 >> ~/.ssh/known_hosts",
    ]
