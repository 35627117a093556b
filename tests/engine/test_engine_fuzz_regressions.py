"""Engine bugs found by the state-machine fuzz (``test_engine_fuzz.py``), shrunk by hand.

Each test is the smallest deterministic scenario that shows one bug; it was marked
``xfail(strict=True)`` until the engine was fixed (then the mark went, and the matching
exclusion in ``enginefuzz.py`` with it). All are fixed now: the restart case by the home
node taking its groups back (``Ownership.peer_restarted``), the three double holds by "home
wins" when a peer stably claims its own groups while we hold them (``_home_wins``). Two
more close the window in which both nodes briefly ran the group: a takeover at initdead
sends no ``resource none`` first (``Ownership.went_active``), and a ``me`` is ignored
while our resources are in flux (``Ownership.on_ask``; ours is cancelled after 10 s).
A standby given before the initial acquisition was decided ends that wait: initdead
acquired the given group back.
"""

from __future__ import annotations

import pytest
from enginefuzz import ClusterMachine
from enginesim import Cluster

from hbtui.config.model import AutoFailback

FAST = {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 3000}


def both_up_until(t: int) -> Cluster:
    """The HOWTO cluster, both nodes started at 0 and run to ``t`` (server1 holds)."""
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(t)
    return c


def graceful_stop_and_restart_at_once(c: Cluster) -> int:
    """Both start at 0; server1 stops and starts again at 0, before server2 heard of it."""
    c.start("server1")
    c.start("server2")
    c.command("server1", "stop")
    c.start("server1")
    return 0


def start_at_peer_initdead(c: Cluster) -> int:
    """server2 alone; server1 starts at the very ms server2's initdead runs out."""
    c.start("server2")
    c.run_until(3000)
    c.start("server1")
    return 3000


@pytest.mark.parametrize("scenario", [graceful_stop_and_restart_at_once, start_at_peer_initdead])
def test_peer_taking_over_as_it_goes_active_leaves_one_holder(scenario: object) -> None:
    """server2 goes active and, in the same ms, takes server1's group (on the old run's
    ``shutdone``, or on never having heard server1 by initdead). Its going-active
    ``resource none isstable=0`` reaches the new server1 just before ``resource all
    isstable=1``; server1 acquires on the first (every node heard, all hbtui, none holds
    ours), and then neither side reacts to the other's stable claim on the same group."""
    c = Cluster(all=FAST)
    t0 = scenario(c)  # type: ignore[operator]
    c.run_until(t0 + 4 * FAST["keepalive"])
    assert len(c.vip_holders()) == 1, c.vip_holders()


def vip_on_both(c: Cluster) -> bool:
    """Did the VIP's up spans of server1 and server2 ever overlap (from the VIP calls)?"""
    spans: dict[str, list[tuple[int, float]]] = {}
    for name in ("server1", "server2"):
        up: int | None = None
        for ms, what, op in c[name].calls:
            if what == "VIP" and op == "add" and up is None:
                up = ms
            elif what == "VIP" and op == "del" and up is not None:
                spans.setdefault(name, []).append((up, ms))
                up = None
        if up is not None:
            spans.setdefault(name, []).append((up, float("inf")))
    return any(
        a < d and b_ < b for a, b in spans.get("server1", []) for b_, d in spans.get("server2", [])
    )


def test_takeover_at_initdead_is_the_first_word() -> None:
    """server2 goes active at initdead and takes over in that step; its first resource
    message is the takeover's stable ``resource all`` (no ``resource none isstable=0``
    before it, as recorded). server1, starting that very ms, waits for that claim instead
    of acquiring at once, so the group is never up on both nodes."""
    c = Cluster(all=FAST)
    t0 = start_at_peer_initdead(c)
    c.run_until(t0 + 4 * FAST["keepalive"])
    assert not vip_on_both(c)
    assert c.vip_holders() == ["server1"]  # handed back to its home node by the failback
    first = [msg for ms, msg in c["server2"].sent if ms == t0 and msg.type == "resource"]
    assert [(msg.get("rsc_hold"), msg.get("isstable")) for msg in first][:1] == [("all", "1")]


def test_restart_behind_a_partition_heals_to_one_holder() -> None:
    """server1 is killed; server2 takes over at deadtime. server1 restarts while
    server2's datagrams do not reach it (server1's reach server2), so server1 acquires
    its group at initdead: two holders, legitimately, during the partition. After the
    heal both still hold it: server2 saw a new generation (no ``came_back``), server1
    had never heard server2 before (no ``came_back`` either); each sees the other's
    stable claim (server1: ``all``, server2: ``local``) and neither gives way."""
    c = both_up_until(20000)
    c.kill("server1")
    c.run_until(30000)
    assert "server2" in c.vip_holders()
    cut = {"on": True}
    c.filters.append(lambda src, dst, msg: not (cut["on"] and src == "server2"))
    c.start("server1")
    c.run_until(45000)
    # server1's new run took its group at initdead (it never heard server2); server2 hears
    # its stable claim across the one-way cut and gives the group back at once
    assert c.vip_holders() == ["server1"]
    cut["on"] = False
    c.run_until(45000 + 2 * 1000 + 1)
    assert len(c.vip_holders()) == 1, c.vip_holders()


def kill_9(c: Cluster) -> None:
    c.kill("server2")


def stop_with_late_shutdone(c: Cluster) -> None:
    """A graceful stop whose ``shutdone`` is overtaken by the new run's first datagrams
    (server1 then drops it: "generation ... is older")."""
    c.delays.append(lambda src, dst, msg: 50 if msg.type == "shutdone" else None)
    c.command("server2", "stop")


@pytest.mark.parametrize("end_run", [kill_9, stop_with_late_shutdone])
def test_holder_restarted_within_deadtime_leaves_one_holder(end_run: object) -> None:
    """server1 goes standby, so server2 holds server1's group. server2's run ends
    (kill -9, or a stop whose ``shutdone`` server1 never accepts) and it starts again
    at once: the new run removes the VIP it finds ("before we own it") or finds none, and
    announces ``local`` (its own groups: none). server1 saw a restart, not a death or a
    shutdone, holds ``none`` and is stable, so it never re-acquires: nobody runs the
    group, for good (the same with auto_failback off; a restart after deadtime is fine)."""
    c = both_up_until(5000)
    c.command("server1", "standby")
    c.run_until(6000)
    assert c.vip_holders() == ["server2"]
    end_run(c)  # type: ignore[operator]
    c.kill("server2")
    c.start("server2")
    c.run_until(40000)
    assert len(c.vip_holders()) == 1, c.vip_holders()


def one_way_then_full_partition(c: Cluster, cut: set[str]) -> int:
    """server2's datagrams stop reaching server1 at 20 s: server1 declares server2 dead
    and takes over (it holds its group already); its ``resource rsc_hold=foreign
    info=mach_down`` reaches server2, which records server1's hold as ``foreign``. At
    26 s server1's datagrams are cut too: server2 declares server1 dead and takes the
    group."""
    cut.add("server2")
    c.run_until(26000)
    cut.add("server1")
    c.run_until(32000)
    return 32000


def two_partitions(c: Cluster, cut: set[str]) -> int:
    """A full partition from 20 s to 26 s: both take over, the heal gives the group back
    to server1; then the retransmitted ``mach_down`` announcements of the partition
    arrive and server2 records server1's hold as ``foreign``. A second partition from
    28 s: server2 takes the group again."""
    cut.update(("server1", "server2"))
    c.run_until(26000)
    cut.clear()
    c.run_until(28000)
    assert c.vip_holders() == ["server1"]  # the first heal worked
    cut.update(("server1", "server2"))
    c.run_until(34000)
    return 34000


@pytest.mark.parametrize("partitions", [one_way_then_full_partition, two_partitions])
def test_partition_after_a_mach_down_heals_to_one_holder(partitions: object) -> None:
    """After the partitions server2 sees server1 return. It used to take server1's hold
    from its mach_down message (``foreign``, the groups just taken over) and so not give
    the group back ("still holds its resources" needs ``local``/``all``): both held it from
    then on. A mach_down now adds to the hold it knew."""
    c = both_up_until(20000)
    cut: set[str] = set()
    c.filters.append(lambda src, dst, msg: src not in cut)
    healed = partitions(c, cut)  # type: ignore[operator]
    assert sorted(c.vip_holders()) == ["server1", "server2"]  # the partition's split brain
    cut.clear()
    c.run_until(healed + 2 * 1000 + 1)
    assert len(c.vip_holders()) == 1, c.vip_holders()


@pytest.mark.parametrize("late_ms", [0, 1, 2, 3])
def test_crossed_standby_requests_leave_one_holder(late_ms: int) -> None:
    """Both operators run ``hb_standby`` at 20 s; server2's ``ask_resources me`` is
    3 ms late. server2 answers server1's ``me`` (its own request forgotten); server1
    gives the group up on that ``other``; server2 acquires and says ``done``; but
    server2's late ``me`` reached server1 first and replaced server1's finished give
    with a take, so that ``done`` makes server1 acquire again: both hold it. (With a
    2 ms delay nobody moves and both handshakes stay open, refusing later commands.)"""
    c = both_up_until(20000)
    c.delays.append(
        lambda src, dst, msg: late_ms if src == "server2" and msg.get("info") == "me" else None
    )
    c.command("server1", "standby")
    c.command("server2", "standby")
    c.run_until(20000 + 2 * 1000 + 1)
    assert len(c.vip_holders()) == 1, c.vip_holders()
    for name in ("server1", "server2"):  # no handshake left open (refusing later commands)
        node = c[name].node
        assert node is not None and node.snapshot()["standby"] is None, name


def test_standby_aimed_at_a_stopping_peer_leaves_one_holder() -> None:
    """At 5001 ms (not a keepalive's ms) server1 stops and starts again at once; in the
    same ms server2 runs
    ``hb_standby all`` (server1's old run is still alive for it). The new server1, not
    yet active, answers the ``ask_resources me`` with ``other``; server2 then takes the
    old run's ``shutdone`` and takes over every group, ending with ``ask_resources all
    done``, which the new server1 reads as the end of its handshake: it acquires too.
    A node now ignores a ``me`` until its own resources are stable, as the real daemon
    does ("local resources in flux"), so the group is never up on both nodes at once."""
    c = both_up_until(5001)
    c.command("server1", "stop")
    c.start("server1")
    c.command("server2", "standby")
    most = 0
    for ms in range(5001, 5001 + 2 * 1000 + 2):
        c.run_until(ms)
        most = max(most, len(c.vip_holders()))
    assert most == 1
    assert c.vip_holders() == ["server1"]  # server2 took it at the shutdone, then gave it back
    assert "standby message [me] from server2 ignored." in " ".join(c["server1"].log_texts())


def test_an_unanswered_standby_request_is_cancelled() -> None:
    """A ``me`` that gets no answer (lost here; a peer in flux ignores it) does not keep
    the handshake open for good: 10 s later it is cancelled, as by the real daemon, and
    the next ``hb_standby`` goes through."""
    c = both_up_until(5000)
    c.filters.append(lambda src, dst, msg: msg.get("info") != "me")
    c.command("server1", "standby")
    c.run_until(14999)
    node = c["server1"].node
    assert node is not None and node.snapshot()["standby"] is not None
    c.run_until(15000)
    assert node.snapshot()["standby"] is None
    assert "No reply to standby request.  Standby request cancelled." in c["server1"].log_texts()
    c.filters.clear()
    c.command("server1", "standby")
    c.run_until(17000)
    assert c.vip_holders() == ["server2"]


def test_taker_restarting_during_a_standby_leaves_one_holder() -> None:
    """server1 asks to go standby; 1 ms later server2, the taker, restarts. The handshake
    with its old run is aborted and the new run holds nothing: server1, which may already
    have released its group, takes it back once idle (nobody held it for good before)."""
    c = Cluster(all=FAST)
    c.start("server1")
    c.start("server2")
    c.run_until(5000)
    c.command("server1", "standby")
    c.run_until(5001)
    c.kill("server2")
    c.start("server2")
    c.run_until(5001 + 6 * FAST["deadtime"])
    assert len(c.vip_holders()) == 1, c.vip_holders()


def test_takeover_on_a_shutdown_notice_gives_back_to_the_restarted_home_node() -> None:
    """server1 stops gracefully and starts again at once; server2, starting, takes
    server1's group on the old run's shutdown notice while the new server1 acquires it
    too. server1's stable claim reached server2 while its takeover scripts still ran, and
    "home wins" only looked at the claim on arrival: both held it for good (found by the
    fuzz with its exclusions lifted, seed 99). The check now also runs when a job ends."""
    c = Cluster(all=FAST)
    ms = {
        "server1": {"stop": 0, "status": 1, "start": 2},
        "server2": {"status": 1, "start": 5, "stop": 0},
    }
    c.script_delay = lambda node, call: ms[node][call.op.value]
    c.start("server1")
    c.command("server1", "stop")
    c.kill("server1")
    c.start("server1")
    c.start("server2")
    c.run_until(1 + 2 * FAST["deadtime"] + 2 * FAST["keepalive"])
    assert c.vip_holders() == ["server1"], c.vip_holders()


def test_a_claim_that_arrives_after_the_shutdone_is_stale() -> None:
    """server1 acquires its group and stops at once; its resource messages arrive 60 ms
    late, its ``shutdone`` does not: server2 takes the group over. server1's stable claim
    (``local``) of the finished run then reached server2, which gave the group back to a
    node that had left: nobody held it (found by the fuzz with its exclusions lifted, seed
    1, where the claim came as a retransmission). A run's messages after its shutdone now
    change nothing."""
    c = Cluster(all=FAST)
    c.delays.append(
        lambda src, dst, msg: 60 if src == "server1" and msg.type == "resource" else None
    )
    c.start("server1")
    c.start("server2")
    c.run_until(30)
    c.command("server1", "stop")
    c.run_until(3 * FAST["deadtime"])
    assert c.vip_holders() == ["server2"], c.vip_holders()


def test_a_claim_overtaken_by_a_standby_is_stale_and_the_standby_stands() -> None:
    """server1's stable ``local`` claims of its first acquisition arrive 60 ms late, after
    the standby it then gave (its operator ran hb_standby at 13 ms): server2 took the group
    and, on the late claim, gave it back to a node that had just released it: nobody held
    it (found by the fuzz with its exclusions lifted, seed 1). A resource message older
    than an ownership message already applied now changes nothing; and the standby uses up
    the auto_failback offer, so server2 keeps what the operator moved to it."""
    c = Cluster(all=FAST)
    late_local = 60

    def delay(src: str, dst: str, msg: object) -> int | None:
        own = getattr(msg, "type", "") == "resource" and msg.get("rsc_hold") == "local"  # type: ignore[attr-defined]
        return late_local if src == "server1" and own else None

    c.delays.append(delay)
    c.start("server1")
    c.start("server2")
    c.run_until(13)
    c.command("server1", "standby")
    c.run_until(3 * FAST["deadtime"])
    assert c.vip_holders() == ["server2"], c.vip_holders()


def test_a_late_standby_announcement_is_applied_and_waited_for() -> None:
    """server1 goes standby; its ``resource none info=standby`` arrives 60 ms late, after
    its ``ask_resources done``. The taker, its acquisition done, judged "home wins" on
    server1's old ``local`` claim (that message still missing) and gave the group back;
    the late message was then dropped as older than the ``done``: nobody held the group
    (found by the fuzz, seed 4242). A resource message is now stale only against a newer
    resource message, and "home wins" waits until the peer's missing messages arrive."""
    c = Cluster(all=FAST)

    def late_standby(src: str, dst: str, msg: object) -> int | None:
        said = getattr(msg, "type", "") == "resource" and msg.get("info") == "standby"  # type: ignore[attr-defined]
        return 60 if src == "server1" and said else None

    c.delays.append(late_standby)
    c.start("server1")
    c.start("server2")
    c.run_until(6000)
    c.command("server1", "standby")
    c.run_until(12000)
    assert c.vip_holders() == ["server2"], c.vip_holders()


def test_a_takeover_at_initdead_behind_a_one_way_cut_heals_to_one_holder() -> None:
    """Found by the one-way fuzz (seed 99): server1 holds its group; server2 starts while
    server1's datagrams do not reach it (server2's reach server1). At initdead server2 has
    never heard server1, declares it dead and takes the group: both hold it. server1 hears
    that takeover (its ``resource all``) but its own claims are lost, and Heartbeat sends a
    claim only when it changes: once the cut heals server2 still never learns that server1
    holds the group, and both keep it. The node whose groups a peer claims while it holds
    them repeats its claim every keepalive until the peer's claim no longer overlaps."""
    c = Cluster()
    c.start("server1")
    c.run_until(12000)
    assert c.vip_holders() == ["server1"]
    cut = {"server1"}
    c.filters.append(lambda src, dst, msg: src not in cut)
    c.run_until(12500)  # nothing of server1's is in flight when server2 starts
    c.start("server2")
    c.run_until(22501)
    assert sorted(c.vip_holders()) == ["server1", "server2"]  # the cut's split brain
    cut.clear()
    c.run_until(22501 + 2 * 1000 + 1)
    assert c.vip_holders() == ["server1"], c.vip_holders()
    c.run_until(40000)
    assert c.vip_holders() == ["server1"]
    quiet = [m for m in c["server1"].sent_types()[-10:] if m == "resource"]
    assert len(quiet) <= 1  # the repeated claim stops once the overlap is gone


def test_a_standby_done_lost_through_a_long_loss_still_reaches_the_taker() -> None:
    """Found by the one-way fuzz (seed 99): server1's ``ask_resources done`` and each resend
    of it are lost for 6 s. The taker asked for the missing seq three times, a second apart,
    then never again: after the loss it still waited for the ``done`` (server1 had released)
    and nobody held the group, for good. It now asks until the seq arrives."""
    c = both_up_until(20000)
    lift = 26000
    c.filters.append(
        lambda src, dst, msg: (
            not (src == "server1" and msg.get("info") == "done" and c.clock.now < lift)
        )
    )
    c.command("server1", "standby")
    c.run_until(lift)
    assert c.vip_holders() == []  # released, the done not yet through
    c.run_until(lift + 4000 + 2 * 1000)
    assert c.vip_holders() == ["server2"]


def test_a_standby_before_the_initial_acquisition_is_not_undone_at_initdead() -> None:
    """Found by a long run of the autojoin fuzz (HBTUI_FUZZ_EXAMPLES=10000), the same on two
    nodes and on main: server2's statuses to server1 are lost for its startup dt; the
    network heals just after server1 asks to go standby; server1 hands the group over on
    server2's answer, declares server2 dead a few ms later (its statuses come back only with
    the retransmission, after the rexmit delay) and takes the group back; neither side lets
    go afterwards. What took it back was server1's initdead: it was still waiting for its
    initial acquisition when it gave the group away, and acquired it again at initdead. A
    give now ends that wait (``Ownership`` after the GIVE job); ``teardown`` checks one
    holder."""
    m = ClusterMachine()
    m.boot(timers="fast", failback=AutoFailback.ON, first="server1", both=True, stagger=0)
    m.advance(ms=1)
    m.network(back=1.0, duplicate=0.0, loss=0.05, max_delay=0, seed=1)
    m.advance(ms=7495)
    m.advance(ms=7480)
    m.operator(arg="all", cmd="standby", name="server1")
    m.teardown()
