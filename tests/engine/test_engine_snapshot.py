"""The typed snapshot: ``describe(now).to_dict()`` is the dict ``Node.snapshot`` gave
before it was typed (recorded in data/snapshot_golden.json), and ``from_dict`` reads it
back."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from snapscenes import SCENES, pictures

from hbtui.engine.node import Node
from hbtui.engine.snapshot import NodeSnapshot

GOLDEN = json.loads((Path(__file__).parent / "data" / "snapshot_golden.json").read_text())


def plain(value: Any) -> Any:
    """``value`` with the exact types JSON decoding gives (fails on anything else)."""
    if isinstance(value, dict):
        assert all(type(k) is str for k in value)
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    assert value is None or type(value) in (str, int, bool), (type(value), value)
    return value


def take(node: Node, now: int | None) -> tuple[NodeSnapshot, dict[str, Any], str]:
    snap = node.describe(now)
    return snap, node.snapshot(now), json.dumps(node.snapshot(now))


@functools.cache
def shots() -> dict[str, list[tuple[str, Any]]]:
    """Every scene's moments, run once per test session."""
    return pictures(take)


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_typed_snapshot_gives_the_old_dict(scene: str) -> None:
    taken = shots()[scene]
    assert [label for label, _ in taken] == [label for label, _ in GOLDEN[scene]]
    for (label, (snap, old_api, text)), (_, expected) in zip(taken, GOLDEN[scene], strict=True):
        assert plain(snap.to_dict()) == expected, label
        assert old_api == expected, label
        assert text == json.dumps(expected), label  # same keys in the same order


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_from_dict_round_trips(scene: str) -> None:
    for label, (snap, old_api, text) in shots()[scene]:
        assert NodeSnapshot.from_dict(old_api) == snap, label
        assert NodeSnapshot.from_dict(json.loads(text)) == snap, label
        assert NodeSnapshot.from_dict({**old_api, "runtime": {"state": "running"}}) == snap


def test_the_scenes_reach_what_they_are_named_after() -> None:
    seen = {label: snap for scene in shots().values() for label, (snap, _, _) in scene}
    assert {str(s.standby) for s in seen.values()} >= {"asked", "answered", "releasing"}
    assert seen["declared-server2"].peers[0].live.status == "dead"
    assert seen["back-server2"].peers[0].generation == seen["back-server1"].this.generation
    assert seen["retrying-server1"].busy and seen["retrying-server1"].phase == "shutdown"
    rejected = dict(shots()["rejected_packets"])["server1"][0].rejected
    assert {r.reason.value for r in rejected} == {"bad_signature", "garbage", "unknown_sender"}
