"""Two runtimes on a fake LAN with the adapters' fakes: actions executed, one timer, events."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rtkit import VIP, Lan, LanTransport, Member, make_member, wait_event, wait_for

from hbtui.adapters import runtime as runtime_module
from hbtui.adapters.runtime import LogLine, RuntimeChanged
from hbtui.adapters.udp import WireCounters
from hbtui.bus import Subscription
from hbtui.engine.events import (
    PeerDead,
    ScriptExited,
    ScriptOutput,
    ScriptStarted,
    TakeoverDone,
    VipAdded,
    VipRemoved,
)

HA_LOG_LINE = re.compile(
    r"^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d server1 heartbeat: \[\d+\]: (info|WARN|ERROR|CRIT|debug): "
)


def howto_pair(tmp_path: Path) -> tuple[Lan, Member, Member]:
    """server1 and server2 of the HOWTO cluster on one fake LAN, not started yet."""
    lan = Lan()
    return lan, make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)


@asynccontextmanager
async def running(*members: Member) -> AsyncIterator[None]:
    """Start ``members`` in order; kill every one on the way out (kill is a no-op once down)."""
    try:
        for member in members:
            await member.runtime.start()
        yield
    finally:
        for member in members:
            member.runtime.kill()


def drained(sub: Subscription) -> list[object]:
    """Everything already queued on ``sub``."""
    seen: list[object] = []
    while (item := sub.get_nowait()) is not None:
        seen.append(item)
    return seen


async def test_cold_start_puts_the_vip_on_server1_and_runs_failback(tmp_path: Path) -> None:
    _, one, two = howto_pair(tmp_path)
    events = one.runtime.events("test", lossy=False)
    async with running(one, two):
        await wait_event(events, lambda e: isinstance(e, VipAdded))
        await wait_for(
            lambda: (
                ("failback.sh", "start")
                in [(c[0].rsplit("/", 1)[-1], c[-1]) for c in one.scripts.calls]
            )
        )
        assert VIP in one.vips.addresses and not two.vips.addresses
        assert one.arp.announced == [("eth0", VIP)]
        assert [c[-1] for c in one.scripts.calls] == ["status", "start"]
        # state on disk
        state = tmp_path / "server1" / "state"
        assert (state / "hb_uuid").stat().st_size == 16
        assert (state / "hb_generation").exists()
        # script output went to events and the ha-log
        seen = drained(events)
        assert any(isinstance(e, ScriptStarted) for e in seen)
        assert any(isinstance(e, ScriptOutput) and e.line == "starting the service" for e in seen)
        assert any(isinstance(e, ScriptExited) and e.rc == 0 for e in seen)
        halog = (one.logdir / "ha-log").read_text().splitlines()
        assert any(HA_LOG_LINE.match(line) for line in halog)
        assert any("Local status now set to: 'active'" in line for line in halog)
        assert any(
            "failback.sh(failback.sh)" in line and "starting the service" in line for line in halog
        )
        snap = one.runtime.snapshot()
        assert snap["nodes"]["server2"]["status"] == "active"
        assert snap["vips"][0]["owner"] == "server1"
        assert snap["runtime"]["state"] == "running"


async def test_exactly_one_timer_armed_at_next_deadline(tmp_path: Path) -> None:
    _, one, two = howto_pair(tmp_path)
    events = one.runtime.events("test", lossy=False)
    loop = asyncio.get_running_loop()
    async with running(one, two):
        for _ in range(60):  # check after each of the next 60 events of server1
            await asyncio.wait_for(events.get(), 2)
            for member in (one, two):
                rt = member.runtime
                assert rt.node is not None
                assert rt._armed_ms == rt.node.next_deadline()
                ours = [
                    h
                    for h in loop._scheduled  # type: ignore[attr-defined]
                    if not h.cancelled() and getattr(h._callback, "__self__", None) is rt
                ]
                assert len(ours) == 1
                assert abs(ours[0].when() * 1000 - rt._armed_ms) < 1.0


async def test_kill_of_the_owner_moves_the_vip_and_leaves_it_behind(tmp_path: Path) -> None:
    _, one, two = howto_pair(tmp_path)
    events = two.runtime.events("test", lossy=False)
    async with running(one, two):
        await wait_for(lambda: [c[-1] for c in one.scripts.calls] == ["status", "start"])
        one.runtime.kill()
        assert one.runtime.state == "killed"
        killed_at = two.runtime.now_ms()
        dead = await wait_event(events, lambda e: isinstance(e, PeerDead), timeout=3)
        assert dead.node == "server1"
        done = await wait_event(events, lambda e: isinstance(e, TakeoverDone), timeout=3)
        assert done.from_node == "server1"
        assert VIP in two.vips.addresses
        assert VIP in one.vips.addresses  # a crash releases nothing
        # dead exactly at the advertised dt (deadtime + 2 s during a peer's first 5 s)
        assert dead.last_heard_ms is not None and dead.last_heard_ms <= killed_at
        assert 0 <= dead.at_ms - (dead.last_heard_ms + dead.deadtime_ms) < 30
        assert done.at_ms - dead.at_ms < 50
        assert [c[-1] for c in two.scripts.calls] == ["status", "start"]


async def test_graceful_stop_hands_over_and_exits(tmp_path: Path) -> None:
    lan, one, two = howto_pair(tmp_path)
    mine = one.runtime.events("test", lossy=False)
    async with running(one, two):
        await wait_for(lambda: VIP in one.vips.addresses)
        await wait_for(lambda: [c[-1] for c in one.scripts.calls] == ["status", "start"])
        stopped_at = two.runtime.now_ms()
        reason = await one.runtime.stop(graceful=True, timeout_s=3)
        assert "graceful" in reason
        assert one.runtime.state == "stopped"
        assert VIP not in one.vips.addresses
        assert [c[-1] for c in one.scripts.calls] == ["status", "start", "stop"]
        await wait_for(lambda: VIP in two.vips.addresses, timeout=2)
        assert two.runtime.now_ms() - stopped_at < 250  # well under deadtime
        seen = drained(mine)
        assert any(isinstance(e, VipRemoved) for e in seen)
        assert any(isinstance(e, RuntimeChanged) and e.what == "stopped" for e in seen)
        assert any(isinstance(e, LogLine) and "shutdown complete" in e.text for e in seen)
        assert mine.closed or mine.get_nowait() is None
        assert lan.transports[0].closed


async def test_a_present_vip_is_removed_before_joining(tmp_path: Path) -> None:
    two = make_member("server2", Lan(), tmp_path)
    await two.vips.add(VIP, 24, "eth0")
    async with running(two):
        await wait_for(lambda: VIP not in two.vips.addresses)
        assert ("remove", VIP) in two.vips.calls
        text = (two.logdir / "ha-log").read_text()
        assert "is on this node before we own it" in text


async def test_state_dir_is_locked_and_generation_grows(tmp_path: Path) -> None:
    lan = Lan()
    one = make_member("server1", lan, tmp_path)
    await one.runtime.start()
    gen1 = one.runtime.node.identity.generation if one.runtime.node else 0
    other = make_member("server1", Lan(), tmp_path)
    try:
        try:
            await other.runtime.start()
        except Exception as exc:
            assert "PID" in str(exc) or "lock" in str(exc).lower() or "busy" in str(exc).lower()
        else:
            raise AssertionError("a second runtime started on a locked state dir")
    finally:
        one.runtime.kill()
    again = make_member("server1", Lan(), tmp_path)
    async with running(again):
        assert again.runtime.node is not None
        assert again.runtime.node.identity.generation == gen1 + 1


async def test_reread_applies_timers_and_reports_the_rest(tmp_path: Path) -> None:
    import dataclasses

    from rtkit import make_config

    one = make_member("server1", Lan(), tmp_path)
    async with running(one):
        base = one.runtime.config
        new = make_config("server1", base.config_dir, one.logdir, keepalive=80, deadtime=400)
        new = dataclasses.replace(new, haresources=dataclasses.replace(new.haresources, groups=()))
        changes = one.runtime.apply_config(new)
        assert "keepalive 50 ms -> 80 ms" in changes
        assert "deadtime 250 ms -> 400 ms" in changes
        assert any("haresources changed" in c for c in changes)
        node = one.runtime.node
        assert node is not None
        assert node.cf.keepalive_ms == 80 and node.members.deadtime_ms == 400
        assert one.runtime.config.haresources == base.haresources  # not applied
        one.runtime.refuse_config(["ha.cf:3: error: bad"])
        text = (one.logdir / "ha-log").read_text()
        assert "configuration reread: keepalive 50 ms -> 80 ms" in text
        assert "configuration reread refused: ha.cf:3: error: bad" in text


async def test_the_send_counters_are_published_and_in_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "COUNTERS_EVERY_MS", 100)
    _, one, two = howto_pair(tmp_path)
    events = one.runtime.events("test", lossy=False)
    async with running(one, two):
        first = await wait_event(events, lambda e: isinstance(e, WireCounters))
        second = await wait_event(events, lambda e: isinstance(e, WireCounters))
        assert isinstance(first, WireCounters) and isinstance(second, WireCounters)
        assert second.at_ms - first.at_ms >= 100  # at most every COUNTERS_EVERY_MS
        assert second.sent > first.sent > 0 and second.sent_bytes > first.sent_bytes
        assert second.received > first.received  # server2's keepalives in between
        assert second.received_bytes > first.received_bytes
        runtime = one.runtime.snapshot()["runtime"]
        transport = one.runtime.transport
        assert transport is not None
        assert runtime["sent"] == transport.stats.sent >= second.sent
        assert runtime["sent_bytes"] == transport.stats.sent_bytes
        assert isinstance(transport, LanTransport)
        assert runtime["sent_bytes"] == sum(len(d) for d in transport.sent)
        assert runtime["received_bytes"] == transport.stats.received_bytes > 0


async def test_sighup_with_a_new_authkeys_signs_and_accepts_with_it(tmp_path: Path) -> None:
    """``apply_config`` (SIGHUP) takes a changed authkeys into the running engine: server1
    signs with the new key at once (server2, not reloaded yet, rejects it), and once server2
    reloads too its keepalives pass again; the VIP never moves."""
    from hbtui.config.model import AuthKey, AuthKeys, AuthMethod

    _lan, one, two = howto_pair(tmp_path)
    async with running(one, two):
        await wait_for(lambda: VIP in one.vips.addresses)
        old = one.runtime.config.authkeys.active_key
        keys = AuthKeys(Path("/authkeys"), 2, {1: old, 2: AuthKey(2, AuthMethod.SHA1, b"new")})
        node_two = two.runtime.node
        assert node_two is not None

        def rejected_at_two() -> int:
            rej = node_two.snapshot()["rejected"]
            return sum(r["count"] for r in rej if r["reason"] not in ("from_self", "not_for_us"))

        changes = one.runtime.apply_config(dataclasses.replace(one.runtime.config, authkeys=keys))
        assert "authkeys applied: signing with key 2 (sha1), accepting keys 1, 2" in changes
        await wait_for(lambda: rejected_at_two() > 0)  # server1 signs with key 2 now
        two.runtime.apply_config(dataclasses.replace(two.runtime.config, authkeys=keys))
        rejected = rejected_at_two()
        heard = node_two.snapshot()["nodes"]["server1"]["last_heard_ms"]
        await wait_for(lambda: node_two.snapshot()["nodes"]["server1"]["last_heard_ms"] != heard)
        assert rejected_at_two() == rejected
        assert VIP in one.vips.addresses and VIP not in two.vips.addresses


async def test_systemd_hears_ready_once_active_and_a_status_per_change(tmp_path: Path) -> None:
    """``report_to_systemd`` on a real AF_UNIX notify socket: READY=1 once server1 is
    active (not at start), and STATUS= lines naming the VIP holder and the peer."""
    import socket

    from hbtui.adapters.sdnotify import Notifier
    from hbtui.commands.node_notify import report_to_systemd

    _lan, one, two = howto_pair(tmp_path)
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        listener.setblocking(False)
        received: list[str] = []

        def drain() -> list[str]:
            while True:
                try:
                    received.append(listener.recv(4096).decode())
                except BlockingIOError:
                    return received

        async with running(one, two):
            task = asyncio.create_task(
                report_to_systemd(one.runtime, Notifier({"NOTIFY_SOCKET": str(path)}))
            )
            try:
                await wait_for(
                    lambda: any("192.168.10.10 on server1" in m for m in drain()), timeout=3
                )
            except TimeoutError:
                raise AssertionError(received) from None
            task.cancel()
        first_ready = next(i for i, m in enumerate(received) if "READY=1" in m)
        assert "server1 active" in received[first_ready]
        assert all("READY=1" not in m for m in received[first_ready + 1 :])  # once
        assert any("server2 active" in m for m in received)


async def test_console_labels_a_standby_and_the_failback_that_follows(tmp_path: Path) -> None:
    """`b` on server1 (the home node) is a *standby* server1 -> server2, and the
    auto_failback that brings the group home is a *failback* server2 -> server1; each row
    has its columns filled (issue: both were "failback ... goes home to server2", VIP
    added and ARP sent "-")."""
    from hbtui.console.model import ConsoleModel
    from hbtui.stream.items import SnapshotTaken

    _lan, one, two = howto_pair(tmp_path)
    async with running(one, two):
        await wait_for(lambda: VIP in one.vips.addresses)
        await wait_for(lambda: [c[-1] for c in one.scripts.calls] == ["status", "start"])
        models = {m.runtime.config.node_name: ConsoleModel(m.runtime.config.node_name, str)
                  for m in (one, two)}  # fmt: skip
        subs = {name: m.runtime.events(f"test-{name}", lossy=False)
                for name, m in (("server1", one), ("server2", two))}  # fmt: skip
        for name, member in (("server1", one), ("server2", two)):
            models[name].apply(SnapshotTaken(member.runtime.now_ms(), member.runtime.snapshot()))
        one.runtime.command("standby", "all")
        await wait_for(lambda: VIP in two.vips.addresses and VIP not in one.vips.addresses)

        def rows(name: str) -> list[str]:
            for item in drained(subs[name]):
                models[name].apply(item)
            return [f"{r.kind} {r.from_node}->{r.to_node}" for r in models[name].timeline]

        await wait_for(lambda: "standby server1->server2" in rows("server2"))
        assert "standby server1->server2" in rows("server1")
        taker = next(r for r in models["server2"].timeline if r.kind == "standby")
        assert None not in (taker.phases["VIP added"], taker.phases["scripts done"])
        assert "server1 went standby" in taker.why
        two.runtime.command("standby", "all")  # server2 gives it back: home to server1
        await wait_for(lambda: "failback server2->server1" in rows("server1"))
        home = next(r for r in models["server1"].timeline if r.kind == "failback")
        assert home.phases["VIP added"] is not None and "goes home" in home.why


async def test_script_timeouts_from_hbtui_conf_reach_the_runner_and_the_status(
    tmp_path: Path,
) -> None:
    """``script_timeout.failback.sh = start 7`` in hbtui.conf: the script runs with a 7 s
    timeout, ScriptStarted says so, and a running script shows in the runtime snapshot
    with its elapsed time against that timeout."""
    from hbtui.commands import status as status_cmd
    from hbtui.engine.events import ScriptStarted as Started

    _lan, one, two = howto_pair(tmp_path)
    etc = one.runtime.config.config_dir
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "hbtui.conf").write_text("script_timeout.failback.sh = start 7\n")
    events = one.runtime.events("test", lossy=False)
    async with running(one, two):
        started = await wait_event(
            events, lambda e: isinstance(e, Started) and e.argv[-1] == "start"
        )
        assert started.timeout_ms == 7000
        await wait_for(lambda: 7.0 in one.scripts.timeouts_s)
    one.runtime.scripts_running[99] = ("slow.sh", "stop", 0, 300_000)
    snap = {**one.runtime.snapshot(), "nodes": {}}
    running_now = snap["runtime"]["scripts_running"]
    assert running_now[0]["resource"] == "slow.sh" and running_now[0]["timeout_ms"] == 300_000
    assert any(line.startswith("script: slow.sh stop running ") and line.endswith("of 300 s")
               for line in status_cmd.render(snap))  # fmt: skip
