"""Two engines on a fake LAN: the issue's scenarios and failback.sh call orders.

The orders are those of two real daemons (docs/protocol.md §7.3).
"""

from __future__ import annotations

from enginesim import VIP, Cluster

from hbtui.config.model import AutoFailback
from hbtui.engine.events import (
    AuthMismatchAlive,
    Failback,
    PacketRejected,
    PeerDead,
    TakeoverDone,
)


def cold_start(**cfg: object) -> Cluster:
    c = Cluster(**cfg)  # type: ignore[arg-type]
    c.start("server1")
    c.start("server2")
    return c


def non_status(c: Cluster, name: str, since: int = 0) -> list[tuple[str, str | None, str | None]]:
    return [
        (x.type, x.get("rsc_hold"), x.get("info"))
        for t, x in c[name].sent
        if t >= since and x.type not in ("status", "NS_ackmsg")
    ]


def test_cold_start_both_hbtui_vip_on_server1_fast() -> None:
    c = cold_start()
    c.run_until(100)
    assert c.vip_holders() == ["server1"]
    assert c.calls() == [("server1", "status"), ("server1", "start")]
    assert non_status(c, "server1") == [
        ("reqnodes", None, None),
        ("starting", None, None),
        ("resource", "none", None),
        ("repnodes", None, None),
        ("resource", "local", None),
        ("ip-request-resp", None, None),
        ("resource", "local", "req_our_resources()"),
    ]
    assert "Initial resource acquisition complete (T_RESOURCES(us))" in c["server2"].log_texts()
    c.run_until(30000)
    assert c.vip_holders() == ["server1"]
    assert not c["server1"].of_type(PeerDead) and not c["server2"].of_type(PeerDead)


def test_cold_start_with_a_lost_first_announcement_still_converges() -> None:
    c = Cluster()
    dropped: list[str] = []

    def drop_first_resource(src: str, dst: str, msg: object) -> bool:
        if getattr(msg, "type", None) == "resource" and not dropped:
            dropped.append(src)
            return False
        return True

    c.filters.append(drop_first_resource)
    c.start("server1")
    c.start("server2")
    c.run_until(3000)
    assert dropped and c.vip_holders() == ["server1"]
    assert any("lost packet(s)" in t for m in c.members.values() for t in m.log_texts())


def test_server2_alone_takes_over_at_initdead_then_fails_back() -> None:
    c = Cluster()
    c.start("server2")
    c.run_until(9999)
    assert c.vip_holders() == []
    c.run_until(10000)
    assert c.vip_holders() == ["server2"]
    c.run_until(16000)
    c.start("server1")
    c.run_until(16100)
    assert c.vip_holders() == ["server1"]
    assert c.calls() == [
        ("server2", "status"),
        ("server2", "start"),
        ("server2", "stop"),
        ("server1", "status"),
        ("server1", "start"),
    ]


def test_failover_after_kill_then_failback_call_order() -> None:
    c = cold_start()
    c.run_until(20000)
    c.kill("server1")  # last status from server1 was sent at 20000, heard at 20001
    c.run_until(25000)
    assert c.vip_holders() == ["server1"]  # stale: nobody removed it
    c.run_until(25001)
    assert sorted(c.vip_holders()) == ["server1", "server2"]
    done = c["server2"].of_type(TakeoverDone)[0]
    assert (done.phases.last_heard_ms, done.phases.declared_dead_ms) == (20001, 25001)
    assert non_status(c, "server2", since=25001) == [
        ("stonith", None, None),
        ("resource", "all", "req_our_resources()"),
        ("resource", "foreign", "mach_down"),
    ]
    c.run_until(30000)
    c.start("server1")  # finds the stale VIP and removes it before joining
    assert c.vip_holders() == ["server2"]
    c.run_until(30100)
    assert c.vip_holders() == ["server1"]
    assert c.calls()[2:] == [
        ("server2", "status"),
        ("server2", "start"),
        ("server2", "stop"),
        ("server1", "status"),
        ("server1", "start"),
    ]
    assert [(e.phase, e.from_node) for e in c["server2"].of_type(Failback)] == [
        ("offered", "server2"),
        ("released", "server2"),
    ]
    assert non_status(c, "server2", since=30000)[-4:] == [
        ("ask_resources", "foreign", "me"),
        ("resource", "local", "standby"),
        ("ask_resources", "foreign", "done"),
        ("resource", "local", None),
    ]
    assert non_status(c, "server1", since=30000)[-3:] == [
        ("ask_resources", "foreign", "other"),
        ("resource", "local", None),
        ("ask_resources", "foreign", "done"),
    ]
    assert "Other node completed standby takeover of foreign resources." in c["server2"].log_texts()


def test_failover_with_fast_timers() -> None:
    fast = {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 12000}
    c = cold_start(all=fast)
    c.run_until(10000)
    c.kill("server1")
    c.run_until(11000)
    assert "server2" not in c.vip_holders()
    c.run_until(11001)
    assert "server2" in c.vip_holders()


def test_auto_failback_off_keeps_resources_where_they_are() -> None:
    c = cold_start(all={"auto_failback": AutoFailback.OFF})
    c.run_until(20000)
    c.kill("server1")
    c.run_until(30000)
    c["server1"].vips.clear()
    c.start("server1")
    c.run_until(40000)
    assert c.vip_holders() == ["server2"]
    assert "Local Resource acquisition completed. (none)" in c["server1"].log_texts()


def test_graceful_stop_of_standby_then_owner() -> None:
    c = cold_start()
    c.run_until(20000)
    c.command("server2", "stop")
    assert c["server2"].exited
    c.run_until(20100)
    c.run_until(40000)
    assert [e.gave_up_resources for e in c["server1"].of_type(PeerDead)] == [True]
    assert "Dead node server2 gave up resources." in c["server1"].log_texts()
    assert c.vip_holders() == ["server1"]
    c.command("server1", "stop")
    c.run_until(41000)
    assert c.vip_holders() == []
    assert c.calls() == [
        ("server1", "status"),
        ("server1", "start"),
        ("server2", "stop"),
        ("server1", "status"),
        ("server1", "start"),
        ("server1", "stop"),
    ]


def test_graceful_stop_of_owner_peer_takes_over_at_once() -> None:
    c = cold_start()
    c.run_until(20000)
    c.command("server1", "stop")
    assert non_status(c, "server1", since=20000) == [
        ("resource", "none", "shutdown"),
        ("shutdone", None, None),
    ]
    c.run_until(20001)
    assert c.vip_holders() == ["server2"]
    assert non_status(c, "server2", since=20001) == [
        ("resource", "all", "req_our_resources()"),
        ("ask_resources", "all", "done"),
        ("resource", "all", None),
        ("resource", "foreign", "mach_down"),
    ]
    log = c["server2"].log_texts()
    assert "Received shutdown notice from 'server1'." in log
    assert c["server1"].log_texts()[-1] == "server1 Heartbeat shutdown complete."


def test_standby_then_takeover_commands() -> None:
    c = cold_start()
    c.run_until(5000)
    c.command("server1", "standby")
    c.run_until(5100)
    assert c.vip_holders() == ["server2"]
    c.run_until(20000)
    assert c.vip_holders() == ["server2"]  # no ping-pong with auto_failback on
    c.command("server1", "takeover")
    c.run_until(20100)
    assert c.vip_holders() == ["server1"]
    assert c.calls()[2:] == [
        ("server1", "stop"),
        ("server2", "status"),
        ("server2", "start"),
        ("server2", "stop"),
        ("server1", "status"),
        ("server1", "start"),
    ]


def test_wrong_key_no_takeover_while_alive_and_one_line() -> None:
    c = cold_start(server2={"key": b"SomethingElseEntirely"})
    c.run_until(60000)
    assert c.vip_holders() == ["server1"]
    line = (
        "server1 is alive but its packets fail authentication with key 1 (sha1): keys differ;"
        " not taking over"
    )
    assert c["server2"].log_texts().count(line) == 1
    assert c["server2"].of_type(AuthMismatchAlive)
    assert len(c["server2"].of_type(PacketRejected)) > 50
    assert not c["server2"].of_type(PeerDead) and not c["server1"].of_type(PeerDead)
    snap = c["server2"].node.snapshot(60000)  # type: ignore[union-attr]
    assert snap["rejected"][0]["reason"] == "bad_signature"


def test_wrong_key_peer_really_dies_then_takeover() -> None:
    c = cold_start(server2={"key": b"SomethingElseEntirely"})
    c.run_until(20000)
    c.kill("server1")
    c.run_until(24999)
    assert c.vip_holders() == ["server1"]
    c.run_until(26000)  # failures age out of the deadtime window, then it is dead
    assert "server2" in c.vip_holders()


def test_lost_message_is_retransmitted() -> None:
    c = cold_start()
    c.run_until(5000)
    state = {"dropped": 0}

    def drop_one_status(src: str, dst: str, msg: object) -> bool:
        if src == "server1" and getattr(msg, "type", None) == "status" and not state["dropped"]:
            state["dropped"] = 1
            return False
        return True

    c.filters.append(drop_one_status)
    c.run_until(8000)
    log = c["server2"].log_texts()
    assert any(t.startswith("1 lost packet(s) for [server1]") for t in log)
    assert "No pkts missing from server1!" in log
    assert "NS_rexmit" in c["server2"].sent_types()
    assert "rexmit" not in c["server1"].sent_types()  # resent as the stored bytes


def test_reordered_handshake_still_fails_back() -> None:
    c = cold_start()
    c.run_until(20000)
    c.kill("server1")
    c.run_until(30000)
    c["server1"].vips.clear()

    def hold_back_ask(src: str, dst: str, msg: object) -> int | None:
        return 300 if getattr(msg, "type", None) == "ask_resources" else None

    c.delays.append(hold_back_ask)
    c.start("server1")
    c.run_until(33000)
    assert c.vip_holders() == ["server1"]


def test_failing_stop_retried_once_then_loud_held_never_reboots() -> None:
    c = cold_start()
    c.run_until(5000)
    c["server1"].stop_rc = [1, 1]
    c["server1"].status_output = "failback is running"
    c.command("server1", "stop")
    c.run_until(5999)
    assert [op for _, s, op in c["server1"].calls if s == "failback.sh"][-1] == "stop"
    c.run_until(6000)
    m = c["server1"]
    assert [op for _, s, op in m.calls if s == "failback.sh"][-3:] == ["stop", "stop", "status"]
    assert any(t.startswith("Resource STOP failure: failback.sh") for t in m.log_texts())
    assert not m.exited  # issue 13.1: it holds the group until the operator decides
    assert VIP not in m.vips
    c.command("server1", "stop-cleared")
    assert m.exited
