"""The one JSON codec: items round-trip, snapshots carry the schema, newer ones are refused."""

from __future__ import annotations

import json

import pytest

from hbtui.engine.events import PeerDead, TakeoverDone, TakeoverPhases
from hbtui.stream import codec, trace
from hbtui.stream.items import LogLine


def test_items_round_trip_through_json_lines() -> None:
    items = [
        LogLine(5, "WARN", "late"),
        PeerDead(7, "server1", 2000, 5000, False),
        TakeoverDone(9, "server1", "dead", ("g1",), TakeoverPhases(1, 2, 3, 4, 5)),
    ]
    assert trace.loads(trace.dumps(items)) == items
    line = codec.dumps_line(codec.to_json(items[1]))
    assert codec.from_json(json.loads(line)) == items[1]


def test_snapshots_carry_the_schema_and_a_newer_one_is_refused() -> None:
    assert codec.with_schema({"node": "server1"}) == {"node": "server1", "schema": codec.SCHEMA}
    old = codec.to_json(LogLine(1, "info", "x"))  # written before the schema existed
    assert codec.from_json(old) == LogLine(1, "info", "x")
    with pytest.raises(ValueError, match="newer"):
        codec.from_json({**old, "schema": codec.SCHEMA + 1})
