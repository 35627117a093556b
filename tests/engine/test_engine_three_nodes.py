"""Three nodes on the simulated LAN (issue 16): membership for every node, and one taker.

Heartbeat 3.0.6's haresources mode is two-node: with three nodes, every survivor of the
owner's death takes its groups over (seen in the lab: the VIP on server2 and server3,
"ERROR: Both machines own our resources!"). hbtui picks one taker: the first node of the
``node`` line that is alive, the dead one excepted; the others log who takes over.
"""

from __future__ import annotations

from enginesim import THREE, Cluster

FAST = {"keepalive": 200, "deadtime": 1000, "warntime": 500, "initdead": 3000}
UP = 6000  # past the startup period (its longer advertised dt)


def three_up() -> Cluster:
    c = Cluster(nodes=THREE, all=FAST)
    for name in THREE:
        c.start(name)
    c.run_until(UP)
    assert c.vip_holders() == ["server1"], c.vip_holders()
    return c


def test_every_node_sees_every_other_and_a_death() -> None:
    c = three_up()
    for name in THREE:
        node = c[name].node
        assert node is not None
        seen = node.snapshot(c.clock.now)["nodes"]
        assert {n: seen[n]["status"] for n in THREE if n != name} == {
            n: "active" for n in THREE if n != name
        }
    c.kill("server1")
    c.run_until(UP + 2 * FAST["deadtime"])
    for name in ("server2", "server3"):
        node = c[name].node
        assert node is not None
        assert node.snapshot(c.clock.now)["nodes"]["server1"]["status"] == "dead"


def test_one_survivor_takes_over_and_gives_back_on_return() -> None:
    c = three_up()
    c.kill("server1")
    c.members["server1"].vips.clear()  # a power cut: its interface went with it
    c.run_until(UP + 2 * FAST["deadtime"])
    assert c.vip_holders() == ["server2"], c.vip_holders()
    assert any("server2 takes over server1's resources" in t for t in c["server3"].log_texts())
    c.start("server1")
    c.run_until(UP + 2 * FAST["deadtime"] + 3000)
    assert c.vip_holders() == ["server1"], c.vip_holders()


def test_the_next_node_takes_over_when_the_taker_dies_too() -> None:
    c = three_up()
    c.kill("server1")
    c.members["server1"].vips.clear()
    c.run_until(UP + 2 * FAST["deadtime"])
    c.kill("server2")
    c.members["server2"].vips.clear()
    c.run_until(UP + 4 * FAST["deadtime"])
    assert c.vip_holders() == ["server3"], c.vip_holders()


def test_a_graceful_stop_hands_over_to_one_node() -> None:
    c = three_up()
    c.command("server1", "stop")
    c.run_until(UP + FAST["deadtime"])
    assert c.vip_holders() == ["server2"], c.vip_holders()
