"""The engine's transition tables (every legal step, an illegal one raises) and the
single owners of peer facts (one place decides, the others ask)."""

from __future__ import annotations

import itertools

import pytest
from enginesim import IPS, UUIDS, Cluster, FakePeer, make_config

from hbtui.engine import handshake as hs
from hbtui.engine import messages as m
from hbtui.engine.events import PacketRejected, PeerRestarted
from hbtui.engine.handshake import Move, Role, Stage
from hbtui.engine.node import Identity, Node
from hbtui.engine.resources import STEP_PHASES, Step, StepPhase, StepPhaseError
from hbtui.engine.status import NodeStatus, NodeStatusError, next_status

# -- the standby handshake -----------------------------------------------------------

LEGAL = {
    (None, Move.WE_ASK): hs.GIVE_ASKED,
    (None, Move.PEER_ASKS): hs.TAKE_ANSWERED,
    (hs.GIVE_ASKED, Move.PEER_ANSWERS): hs.GIVE_RELEASING,
    (hs.GIVE_RELEASING, Move.RELEASED): hs.GIVE_RELEASED,
    (hs.GIVE_RELEASED, Move.PEER_DONE): None,
    (hs.TAKE_ANSWERED, Move.PEER_DONE): hs.TAKE_ACQUIRING,
    (hs.TAKE_ACQUIRING, Move.ACQUIRED): None,
    **{(s, Move.PEER_ASKS): hs.TAKE_ANSWERED for s in hs.TRANSITIONS if s is not None},
    **{(s, Move.ABORT): None for s in hs.TRANSITIONS if s is not None},
}


@pytest.mark.parametrize(("state", "move"), list(LEGAL))
def test_every_legal_handshake_step(state: hs.State, move: Move) -> None:
    assert hs.allows(state, move)
    assert hs.step(state, move) == LEGAL[(state, move)]


def test_every_other_handshake_step_raises() -> None:
    illegal = [(s, mv) for s, mv in itertools.product(hs.TRANSITIONS, Move) if (s, mv) not in LEGAL]
    assert len(illegal) == len(hs.TRANSITIONS) * len(Move) - len(LEGAL) > 20
    for state, move in illegal:
        assert not hs.allows(state, move)
        with pytest.raises(hs.HandshakeError):
            hs.step(state, move)


def test_advance_keeps_the_handshake_object_until_it_ends() -> None:
    sb = hs.advance(None, Move.WE_ASK, "foreign", "server2")
    assert sb == hs.Standby(Role.GIVE, "foreign", "server2", Stage.ASKED)
    assert hs.advance(sb, Move.PEER_ANSWERS) is sb and sb.stage is Stage.RELEASING
    taken = hs.advance(sb, Move.PEER_ASKS, "all", "server2")
    assert taken == hs.Standby(Role.TAKE, "all", "server2", Stage.ANSWERED)
    assert hs.advance(taken, Move.ABORT) is None
    with pytest.raises(hs.HandshakeError, match="released is illegal in state take answered"):
        hs.advance(taken, Move.RELEASED)


def test_standby_walks_the_table_on_both_sides() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(5000)
    c["server1"].stop_rc = [1]  # the release waits 1 s for its retry
    seen: dict[str, list[hs.State]] = {"server1": [], "server2": []}

    def watch() -> None:
        for name, states in seen.items():
            node = c[name].node
            assert node is not None
            if not states or states[-1] != node.owner.handshake:
                states.append(node.owner.handshake)

    watch()
    c.command("server1", "standby")
    for t in range(5000, 6200):
        c.run_until(t)
        watch()
    assert seen["server1"] == [None, hs.GIVE_ASKED, hs.GIVE_RELEASING, hs.GIVE_RELEASED, None]
    assert seen["server2"] == [None, hs.TAKE_ANSWERED, None]
    assert c.vip_holders() == ["server2"]


def test_handshake_messages_that_do_not_fit_are_ignored() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(5000)
    peer = FakePeer("server2", hbtui=True, generation=c.generations["server2"])
    peer.stamper.seq = 10_000  # far ahead of the real server2: accepted (a gap)
    node = c["server1"].node
    assert node is not None
    sent, events = len(c["server1"].sent), len(c["server1"].events)
    for info in ("other", "done", "not"):
        c.inject("server1", peer.make(m.ask_resources("foreign", info)), IPS["server2"])
    assert node.owner.standby is None
    assert {x.type for _, x in c["server1"].sent[sent:]} <= {"NS_ackmsg"}
    assert not [e for e in c["server1"].events[events:] if isinstance(e, PacketRejected)]


# -- our status, a step's phase --------------------------------------------------------


def test_node_status_steps() -> None:
    assert next_status(NodeStatus.INIT, NodeStatus.UP) is NodeStatus.UP
    assert next_status(NodeStatus.UP, NodeStatus.ACTIVE) is NodeStatus.ACTIVE
    for current, new in itertools.product(NodeStatus, NodeStatus):
        if (current, new) in ((NodeStatus.INIT, NodeStatus.UP), (NodeStatus.UP, NodeStatus.ACTIVE)):
            continue
        with pytest.raises(NodeStatusError):
            next_status(current, new)


def test_node_status_is_a_plain_string_on_the_wire_and_in_events() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 7), 0)
    assert node.status is NodeStatus.INIT
    out = node.start(0)
    changed = [e for e in out if type(e).__name__ == "NodeStateChanged"]
    assert [(type(e.old), e.old, type(e.new), e.new) for e in changed] == [(str, "init", str, "up")]
    assert node.status == "up" and f"{node.status}" == "up"


STEP_LEGAL = {
    (StepPhase.BEGIN, StepPhase.STATUS),
    (StepPhase.BEGIN, StepPhase.START),
    (StepPhase.BEGIN, StepPhase.STOP),
    (StepPhase.BEGIN, StepPhase.PROBE),
    (StepPhase.PROBE, StepPhase.STOP),
    (StepPhase.STATUS, StepPhase.START),
    (StepPhase.STOP, StepPhase.RETRY),
    (StepPhase.STOP, StepPhase.CHECK),
    (StepPhase.RETRY, StepPhase.STOP),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(StepPhase, StepPhase)))
def test_step_phases(current: StepPhase, new: StepPhase) -> None:
    group = make_config("server1").haresources.groups[0]
    step = Step(group, group.resources[1], True, current)
    assert ((current, new) in STEP_LEGAL) == (new in STEP_PHASES[current])
    if (current, new) in STEP_LEGAL:
        step.enter(new)
        assert step.phase is new
    else:
        with pytest.raises(StepPhaseError):
            step.enter(new)


# -- one owner for each peer fact ------------------------------------------------------


def test_liveness_generation_and_uuid_each_have_one_owner() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    checks = 0
    for t in [*range(0, 3000, 7), 20000, 24999, 25001, 25002, 30000]:
        if t == 20000:
            c.kill("server1")
        if t == 30000:
            c.start("server1")
        c.run_until(t)
        node = c["server2"].node
        assert node is not None
        live = node.members.peers["server1"]
        alive = node.members.is_alive("server1")
        assert alive is live.link_up and (not alive or not live.dead)
        snap = node.snapshot(t)["nodes"]["server1"]
        assert snap["generation"] == node.acceptor.generation("server1")
        uuid = node.stamper.uuid_of("server1")
        assert snap["uuid"] == (uuid.hex() if uuid else None)
        checks += 1
    assert checks > 400
    assert not hasattr(node.members.peers["server1"], "generation")
    assert not hasattr(node.members.peers["server1"], "uuid")
    assert not hasattr(node.owner.peers["server1"], "alive")


def test_takeover_timeline_asks_membership() -> None:
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(20000)
    c.kill("server1")
    c.run_until(26000)
    node = c["server2"].node
    assert node is not None
    assert (node.members.heard_ms("server1"), node.members.dead_ms("server1")) == (20001, 25001)
    c.start("server1")
    c.run_until(26001)
    assert (node.members.heard_ms("server1"), node.members.dead_ms("server1")) == (26001, None)


def test_restart_reports_the_generation_the_acceptor_replaced() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    node.start(0)
    first, second = FakePeer(generation=0x10), FakePeer(generation=0x12)
    node.feed(first.make(m.status("active", 5000)), first.addr, 10)
    out = node.feed(second.make(m.status("active", 5000)), second.addr, 20)
    assert [e for e in out if isinstance(e, PeerRestarted)] == [
        PeerRestarted(20, "server2", 0x10, 0x12)
    ]
    assert node.acceptor.generation("server2") == 0x12


def test_runner_reserves_ids_for_the_node() -> None:
    node = Node(make_config("server1"), Identity(UUIDS["server1"], 1), 0)
    out = node.start(0, present_vips=["192.168.10.10"])
    (removal,) = [a for a in out if type(a).__name__ == "DelVip"]
    assert removal.request_id == 1 and node.runner.reserve_id() == 2


def test_a_mach_down_adds_to_the_hold_it_knew() -> None:
    from hbtui.engine.holdstate import merged_hold

    assert merged_hold("local", "foreign") == "all"
    assert merged_hold(None, "foreign") == "foreign"
    assert merged_hold("all", "foreign") == "all"
    assert merged_hold("none", "local") == "local"
