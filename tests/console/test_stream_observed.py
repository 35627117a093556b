"""``read_snapshot``: every source's snapshot decodes to the same typed picture, and a
malformed one is one ``SnapshotError`` naming the field (the console logs it, keeps state)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hbtui.console.model import ConsoleModel
from hbtui.sources.demo_trace import snapshot as demo_snapshot
from hbtui.stream.items import SnapshotTaken
from hbtui.stream.observed import SnapshotError, read_snapshot

GOLDEN = Path(__file__).parents[1] / "engine" / "data" / "snapshot_golden.json"


def _engine_snapshots() -> list[dict[str, Any]]:
    """Every moment of every scene the engine's snapshot golden file recorded."""
    scenes = json.loads(GOLDEN.read_text())
    return [snap for moments in scenes.values() for _, snap in moments]


def test_every_recorded_engine_snapshot_decodes() -> None:
    for snap in _engine_snapshots():
        seen = read_snapshot(snap)
        assert {n.name for n in seen.nodes} == set(snap["nodes"])


def test_engine_snapshot_decodes_with_peer_timing() -> None:
    seen = read_snapshot(_engine_snapshots()[0])
    by_name = {n.name: n for n in seen.nodes}
    assert by_name["server1"].is_self and by_name["server1"].timing is None
    peer = by_name["server2"]
    assert peer.timing is not None and peer.timing.link
    assert peer.timing.deadline_ms is not None
    assert seen.groups and all(isinstance(home, str) for _, home in seen.groups)


def test_watch_style_snapshot_has_no_timing_and_keeps_what_the_model_knew() -> None:
    model = ConsoleModel("server2", str)
    model.apply(SnapshotTaken(0, demo_snapshot()))
    assert model.nodes["server1"].deadline_ms is not None
    watch_like = {"keepalives_visible": False, "nodes": {"server1": {"self": False}}}
    model.apply(SnapshotTaken(10, watch_like))
    server1 = model.nodes["server1"]
    assert server1.status == "active" and server1.deadline_ms is not None  # kept
    assert model.keepalives_visible is False


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"nodes": []}, "snapshot.nodes"),
        (
            {"nodes": {"server1": {"link": "eth0", "deadline_ms": "soon"}}},
            "nodes.server1.deadline_ms",
        ),
        ({"nodes": {"server1": {"generation": True}}}, "nodes.server1.generation"),
        ({"vips": [{"resource": "IPaddr::x", "ip": 7}]}, "vips[].ip"),
        ({"groups": ["server1"]}, "groups[0]"),
        ({"warntime_ms": "10"}, "snapshot.warntime_ms"),
        ({"resources": [{"status": "on"}]}, "resources[].token"),
        ({"runtime": {"split_brain": [{"ip": "192.168.10.10"}]}}, "runtime.split_brain[].macs"),
        ({"groups": [{"key": "g", "home": "s", "running_here": "yes"}]}, "groups[].running_here"),
    ],
)
def test_a_malformed_snapshot_names_its_field(bad: dict[str, Any], named: str) -> None:
    with pytest.raises(SnapshotError, match=named.replace("[", r"\[").replace("]", r"\]")):
        read_snapshot(bad)


def test_the_console_logs_a_malformed_snapshot_and_changes_nothing() -> None:
    model = ConsoleModel("server2", str)
    model.apply(SnapshotTaken(0, demo_snapshot()))
    before = (model.nodes["server1"].status, model.vips["192.168.10.10"].owner)
    changed = model.apply(SnapshotTaken(5, {"nodes": {"server1": {"status": 3}}}))
    assert changed == {"log"}
    assert "snapshot ignored: nodes.server1.status" in model.log[-1].text
    assert (model.nodes["server1"].status, model.vips["192.168.10.10"].owner) == before
