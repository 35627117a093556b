"""The split-brain probe from a peer's side (issue 17): the program's answer parsed, the
verdicts and failures said once, and the findings in the peer source's snapshot."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import CommandResult, LinkError, PeerLink, PeerTarget
from hbtui.sources.peer import PeerSource
from hbtui.sources.peer_arp import (
    AnswerError,
    PeerArpProbe,
    parse_answer,
    program_argv,
    program_text,
)
from hbtui.stream.items import LogLine, SnapshotTaken

VIP = "192.168.10.10"
HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
PEER_MAC, OUR_MAC = "02:00:c0:a8:0a:02", "02:00:c0:a8:0a:01"


def answer(*probes: dict[str, object]) -> str:
    return "a login banner\n" + json.dumps({"probes": list(probes)}) + "\n"


def held(macs: Sequence[str] = (OUR_MAC,), here: bool = True) -> dict[str, object]:
    return {"ip": VIP, "device": "eth0", "mac": PEER_MAC, "here": here, "macs": list(macs)}


class FakeLink:
    """Answers ``python3 -`` like a peer would (or fails), and keeps what was sent."""

    def __init__(self) -> None:
        self.stdout = answer(held(()))
        self.exit_status = 0
        self.broken = False
        self.sent: list[tuple[tuple[str, ...], str | None, float]] = []

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        self.sent.append((tuple(argv), input_text, timeout))
        if self.broken:
            raise LinkError("link to server2 is down")
        return CommandResult(tuple(argv), self.exit_status, self.stdout, "python3: not found\n")


def test_the_answer_is_parsed_and_a_wrong_one_named() -> None:
    error = {"ip": VIP, "device": "eth9", "error": "No such file or directory"}
    first, second = parse_answer(answer(held(), error))
    assert (first.here, first.macs, first.mac, first.error) == (True, (OUR_MAC,), PEER_MAC, None)
    assert second.device == "eth9" and second.error == "No such file or directory"
    for wrong, said in [
        ("", "expected {'probes'"),
        ("Traceback (most recent call last)", "not JSON"),
        (answer({**held(), "here": "yes"}), "here: expected true or false"),
        (answer({**held(), "macs": "x"}), "macs: expected a list"),
        (answer({"device": "eth0"}), "ip: expected a string"),
    ]:
        with pytest.raises(AnswerError, match=said):
            parse_answer(wrong)


def test_the_program_is_arpwhos_own_source_sent_on_stdin() -> None:
    assert program_argv(("python3",), 0.3, [(VIP, "eth0")]) == ["python3", "-", "0.3",
                                                                 f"{VIP}=eth0"]  # fmt: skip
    text = program_text()
    assert "def probe_device(" in text and "import hbtui" not in text and "from hbtui" not in text


async def test_verdicts_once_failures_once_and_never_a_split_brain() -> None:
    link, said = FakeLink(), []
    probe = PeerArpProbe(link, "server2", [(VIP, "eth0")], 2.0,
                         lambda lvl, t: said.append((lvl, t)), lambda: 5)  # fmt: skip
    await probe.check_once()
    argv, program, timeout = link.sent[0]
    assert argv[:2] == ("python3", "-") and program == program_text() and timeout <= 10
    assert said == [] and probe.describe()["split_brain"] == []
    link.stdout = answer(held())  # our MAC answers for the VIP the peer holds
    await probe.check_once()
    await probe.check_once()
    assert said == [("CRIT", f"Split brain seen from server2: {VIP} is held by 2 machines on "
                             f"eth0: server2 ({PEER_MAC}), {OUR_MAC}")]  # fmt: skip
    (found,) = probe.describe()["split_brain"]
    assert found["mac"] == PEER_MAC and probe.describe()["split_brains_seen"] == 1
    said.clear()
    for broken in ("link", "exit", "junk"):  # each said once, the verdict kept, no new one
        link.broken, link.exit_status = broken == "link", 127 if broken == "exit" else 0
        link.stdout = "junk" if broken == "junk" else link.stdout
        await probe.check_once()
        await probe.check_once()
        assert said == [("ERROR", said[0][1])], said
        said.clear()
        link.broken, link.exit_status, link.stdout = False, 0, answer(held())
        await probe.check_once()
        assert said == [("info", "split-brain probe from server2 works again")]
        said.clear()
    link.stdout = answer(held(()))
    await probe.check_once()
    assert said == [("info", f"Split brain over: {VIP} is held by server2 alone")]
    assert probe.describe()["split_brains_seen"] == 1


async def test_a_failed_run_is_named_with_what_the_peer_said() -> None:
    link, said = FakeLink(), []
    link.exit_status = 127
    probe = PeerArpProbe(link, "server2", [(VIP, "eth0")], 2.0,
                         lambda lvl, text: said.append(text), lambda: 5)  # fmt: skip
    await probe.check_once()
    assert said == ["split-brain probe from server2 failed: python3 exited 127: python3: not found"]


async def test_the_peer_source_puts_the_finding_in_its_snapshot() -> None:
    session = PeerSession(PeerLink(PeerTarget("server2", host="192.0.2.1")), "server1")
    source = PeerSource(session, 2.0, [(VIP, "eth0")])
    assert source.probe is not None and not source._probe_ready()  # link not up yet
    link = FakeLink()
    link.stdout = answer(held())
    source.probe.runner = link
    source._arrived("cl_status", {"server1": "active", "server2": "active"})
    await source.probe.check_once()
    items = list(source._queue.take_ready())
    crit = [i for i in items if isinstance(i, LogLine) and i.level == "CRIT"]
    assert crit and crit[0].text.startswith("console: Split brain seen from server2")
    snap = [i for i in items if isinstance(i, SnapshotTaken)][-1].data
    assert snap["status"] == "active" and snap["runtime"]["split_brain"][0]["macs"] == [OUR_MAC]
    source._arrived("cl_status", {"server1": "active", "server2": "active"})  # kept
    (again,) = source._queue.take_ready()
    assert isinstance(again, SnapshotTaken) and again.data["runtime"]["split_brain"]
    # an hbtui peer that probes itself: its own finding stands, ours is not added
    own = {"node": "server2", "now_ms": 1, "runtime": {"split_brain": []}}
    source._arrived("event", {"type": "snapshot", "snapshot": own})
    (mine,) = source._queue.take_ready()
    assert isinstance(mine, SnapshotTaken) and mine.data["runtime"] == {"split_brain": []}
    assert source._probes_itself and not source._probe_ready()


def test_the_console_asks_each_peer_to_probe_as_hbtui_conf_says(tmp_path: Path) -> None:
    """``split_brain_probe`` in hbtui.conf: each peer source probes every VIP of haresources
    from its side that often; off (the default): none does."""
    from hbtui.commands.console import _peer_probe
    from hbtui.config.loader import load_config
    from hbtui.sources.peers import PeerOptions, peer_sources

    etc = tmp_path / "ha.d"
    shutil.copytree(HOWTO, etc)
    config, _ = load_config(etc, "server1", partial=True)
    assert config is not None
    assert _peer_probe(etc, config) == {}
    (etc / "hbtui.conf").write_text("split_brain_probe = 2\n")
    asked = _peer_probe(etc, config)
    assert asked["probe_every_s"] == 2.0 and [ip for ip, _ in asked["probe_on"]] == [VIP]
    (peer,) = peer_sources(config, "server1", PeerOptions(**asked))
    assert peer.node_name == "server2" and peer.probe is not None
    assert peer.probe.vips == asked["probe_on"] and peer.probe.interval_s == 2.0
