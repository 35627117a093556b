"""Engine bugs found by the state-machine fuzz (``test_engine_fuzz.py``), shrunk by hand.

Each test is the smallest deterministic scenario that shows one bug; it is marked
``xfail(strict=True)`` until the engine is fixed (then the mark goes, and the matching
exclusion in ``enginefuzz.py`` with it).
"""

from __future__ import annotations

import pytest
from enginesim import Cluster

FAST = {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 3000}


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


@pytest.mark.xfail(
    strict=True,
    reason="fast path acquires on the peer's 'resource none isstable=0' that its takeover "
    "of our group follows at once; nothing resolves the double hold afterwards",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="a peer that took our group over keeps it when our new run, started behind a "
    "partition, took it too: the heal gives back only to a returning same generation",
)
def test_restart_behind_a_partition_heals_to_one_holder() -> None:
    """server1 is killed; server2 takes over at deadtime. server1 restarts while
    server2's datagrams do not reach it (server1's reach server2), so server1 acquires
    its group at initdead: two holders, legitimately, during the partition. After the
    heal both still hold it: server2 saw a new generation (no ``came_back``), server1
    had never heard server2 before (no ``came_back`` either); each sees the other's
    stable claim (server1: ``all``, server2: ``local``) and neither gives way."""
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(20000)
    c.kill("server1")
    c.run_until(30000)
    assert "server2" in c.vip_holders()
    cut = {"on": True}
    c.filters.append(lambda src, dst, msg: not (cut["on"] and src == "server2"))
    c.start("server1")
    c.run_until(45000)
    assert sorted(c.vip_holders()) == ["server1", "server2"]  # the partition's split brain
    cut["on"] = False
    c.run_until(45000 + 2 * 1000 + 1)
    assert len(c.vip_holders()) == 1, c.vip_holders()
