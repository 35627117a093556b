"""The engine against the real daemon's recordings: our messages field by field against
the vectors, and our reactions to real messages (re-signed, with seq/hg adjusted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from enginesim import KEY, UUIDS, Cluster, make_config, messages_of, texts_of

from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.engine.actions import AddVip, RunScript, ScriptResult, VipResult
from hbtui.engine.events import AuthMismatchAlive, PeerDead
from hbtui.engine.messages import HBTUI_FIELD
from hbtui.engine.node import Identity, Node
from hbtui.wire.message import Field, FieldType, Message
from hbtui.wire.packet import seal, split

VECTORS = Path(__file__).resolve().parents[1] / "wire" / "vectors"
KEYS = AuthKeys(Path("authkeys"), 1, {1: AuthKey(1, AuthMethod.SHA1, KEY)})
VARYING = {"seq", "hg", "ts", "ld", "auth", "srcuuid", "destuuid", "dt", "ackseq"}


def vector(stem: str) -> Message:
    path = next(VECTORS.glob(f"{stem}*.bin"))
    return split(path.read_bytes())[0]


def resign(stem: str, **changes: str | bytes | None) -> bytes:
    """A vector's message with some fields replaced (None = removed), signed again."""
    msg = vector(stem)
    fields = []
    for f in msg:
        if f.name == "auth":
            continue
        if f.name in changes:
            value = changes[f.name]
            if value is None:
                continue
            if isinstance(value, str):
                f = Field(f.name, value.encode(), FieldType.STRING)
            else:
                f = Field(f.name, value, FieldType.BINARY)
        fields.append(f)
    return seal(Message(tuple(fields)), KEYS)


def kind(msg: Message) -> tuple[Any, ...]:
    return (msg.type, msg.get("st"), msg.get("rsc_hold"), msg.get("isstable"), msg.get("info"))


def all_scenario_messages() -> list[Message]:
    """Every message both engines send in cold start, failover, failback and stops."""
    c = Cluster()
    c.start("server1")
    c.start("server2")
    c.run_until(20000)
    c.kill("server1")
    c.run_until(30000)
    c["server1"].vips.clear()
    c.start("server1")
    c.run_until(40000)
    c.command("server2", "stop")
    c.run_until(41000)
    return [msg for m in c.members.values() for _, msg in m.sent]


OURS = all_scenario_messages()
STEMS = [p.stem for p in sorted(VECTORS.glob("[0-9][0-9]-*.bin")) if int(p.stem[:2]) <= 21]


@pytest.mark.parametrize("stem", STEMS)
def test_our_message_matches_the_vector_field_by_field(stem: str) -> None:
    real = vector(stem)
    same = [m for m in OURS if kind(m) == kind(real)]
    assert same, f"we never send a message like {stem}"
    preferred = [m for m in same if m.get("src") == real.get("src")] or same
    ours = preferred[0]
    names = [f.name for f in ours if f.name != HBTUI_FIELD]
    assert names == [f.name for f in real]
    for f in real:
        if f.name in VARYING or f.name in ("dest", "src", "node"):
            continue
        assert ours.get(f.name) == real.get(f.name), f.name
    if real.type == "stonith":
        assert (ours.get("src"), ours.get("node")) == (real.get("src"), real.get("node"))


def new_node(name: str, **cfg: Any) -> Node:
    node = Node(make_config(name, **cfg), Identity(UUIDS[name], 1795555132), 0)
    node.start(0)
    return node


S2 = ("192.168.10.2", 41417)
S1 = ("192.168.10.1", 36574)


def test_real_status_init_makes_us_active_and_ask_its_node_list() -> None:
    node = new_node("server2")
    out = node.feed(resign("01"), S1, 10)
    assert texts_of(out)[:2] == [
        "Link server1:eth0 up.",
        "Status update for node server1: status init",
    ]
    req = messages_of(out)[0]
    assert req.type == "reqnodes"
    assert req.get_bytes("destuuid") == vector("01").get_bytes("srcuuid")
    assert node.status == "active"


def test_failback_from_a_real_holder() -> None:
    """hbtui server1 starts while the real server2 holds the VIP (scenario c)."""
    node = new_node("server1")
    hg = "6b07a7e5"
    node.feed(resign("04", seq="1", hg=hg), S2, 100)
    out = node.feed(resign("05", seq="2", hg=hg, destuuid=UUIDS["server1"]), S2, 110)
    assert [x.type for x in messages_of(out)] == ["repnodes"]
    out = node.feed(resign("14", seq="3", hg=hg, info=None), S2, 200)  # resource all isstable=1
    assert [kind(x) for x in messages_of(out)] == [("resource", None, "none", "1", None)]
    assert "Local Resource acquisition completed. (none)" in texts_of(out)
    out = node.feed(resign("16", seq="4", hg=hg), S2, 1000)
    assert [kind(x) for x in messages_of(out)] == [
        ("ask_resources", None, "foreign", None, "other")
    ]
    assert texts_of(out) == [
        "server2 wants to go standby [foreign]",
        "standby: acquire [foreign] resources from server2",
    ]
    node.feed(resign("18", seq="5", hg=hg), S2, 1100)
    srcuuid = vector("16").get_bytes("srcuuid")
    out = node.feed(resign("19", seq="6", hg=hg, src="server2", srcuuid=srcuuid), S2, 1200)
    add = next(a for a in out if isinstance(a, AddVip))
    assert (add.ip, add.prefix, add.broadcast, add.arp) == (
        "192.168.10.10",
        24,
        "192.168.10.255",
        True,
    )
    out = node.vip_done(add.request_id, VipResult(True, "", "eth0", "eth0:0"), 1201)
    status = next(a for a in out if isinstance(a, RunScript))
    assert status.argv == ("/etc/ha.d/resource.d/failback.sh", "status")
    out = node.script_done(status.request_id, ScriptResult(0, ""), 1202)
    start = next(a for a in out if isinstance(a, RunScript))
    assert start.argv[-1] == "start"
    out = node.script_done(start.request_id, ScriptResult(0, ""), 1203)
    assert [kind(x) for x in messages_of(out)] == [
        ("resource", None, "local", "1", None),
        ("ask_resources", None, "foreign", None, "done"),
    ]
    assert "Initial resource acquisition complete (auto_failback)" in texts_of(out)


def test_real_owner_goes_silent_we_take_over_at_its_dt() -> None:
    node = new_node("server2")
    hg = "6b06000d"
    node.feed(resign("03", seq="1", hg=hg), S1, 1000)  # dt=1388: 5000 ms
    node.feed(resign("09", seq="2", hg=hg), S1, 1010)  # resource local isstable=1
    assert node.owner.phase == "stable"
    assert not [e for e in node.tick(5999) if isinstance(e, PeerDead)]
    out = node.tick(6000)
    assert [e.node for e in out if isinstance(e, PeerDead)] == ["server1"]
    msgs = messages_of(out)
    assert [kind(x)[0] for x in msgs][:2] == ["stonith", "resource"]
    assert (msgs[0].get("node"), msgs[0].get("result")) == ("server1", "n_stnth")
    assert any(isinstance(a, AddVip) for a in out)


def test_real_peer_graceful_shutdown_then_gave_up() -> None:
    node = new_node("server1")
    hg = "6b07a88e"
    uuid = vector("20").get_bytes("srcuuid")
    node.feed(resign("04", seq="1", hg=hg, srcuuid=uuid), S2, 100)
    out = node.feed(resign("20", seq="2", hg=hg), S2, 2000)
    # info=shutdown: server2 is releasing; nothing is acquired until its shutdone
    assert not [a for a in out if isinstance(a, AddVip)]
    out = node.feed(resign("21", seq="3", hg=hg), S2, 2010)
    assert texts_of(out)[:2] == [
        "Received shutdown notice from 'server2'.",
        "Resources being acquired from server2.",
    ]
    add = next(a for a in out if isinstance(a, AddVip))
    out = node.vip_done(add.request_id, VipResult(True), 2011)
    st = next(a for a in out if isinstance(a, RunScript))
    out = node.script_done(st.request_id, ScriptResult(0, "running"), 2012)  # running: no start
    assert [kind(x) for x in messages_of(out)] == [
        ("ask_resources", None, "all", None, "done"),
        ("resource", None, "all", "1", None),
        ("resource", None, "foreign", None, "mach_down"),
    ]
    # status 04 advertised dt=1388 (5000 ms): dead at 5100
    out = [x for t in range(1000, 8000, 1000) for x in node.tick(t)]
    assert "Dead node server2 gave up resources." in texts_of(out)
    assert not [x for x in messages_of(out) if x.type == "stonith"]


def test_real_wrong_key_peer_is_not_taken_over() -> None:
    node = new_node("server1")
    data = (VECTORS / "23-status-wrongkey-server2.bin").read_bytes()
    out = []
    for t in range(0, 20000, 1000):
        out += node.feed(data, S2, t + 5)
        out += node.tick(t + 1000)
    line = (
        "server2 is alive but its packets fail authentication with key 1 (sha1):"
        " keys differ; not taking over"
    )
    assert texts_of(out).count(line) == 1
    assert [e.node for e in out if isinstance(e, AuthMismatchAlive)] == ["server2"]
    assert not [x for x in messages_of(out) if x.type == "stonith"]
    assert node.owner.rsc_hold == "local"  # its own group, taken at initdead


def test_wrong_key_packets_from_another_address_do_not_count() -> None:
    node = Node(
        make_config("server1"), Identity(UUIDS["server1"], 1), 0, ucast_ips=["192.168.10.2"]
    )
    node.start(0)
    data = (VECTORS / "23-status-wrongkey-server2.bin").read_bytes()
    out = []
    for t in range(0, 12000, 1000):
        out += node.feed(data, ("10.9.9.9", 694), t + 5)
        out += node.tick(t + 1000)
    assert [e.node for e in out if isinstance(e, PeerDead)] == ["server2"]
