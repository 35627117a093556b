"""The one JSON codec of the stream: events, items and snapshots as JSON objects.

Used by the control socket (``hbtui status --json`` and ``--follow``, the console's attach
mode, the peer over SSH) and by traces (``--record``/``--replay``). An item is
``{"type": <class name>, **fields}``; a snapshot carries ``"schema": SCHEMA``. Readers
accept objects without a schema (written before it existed) and refuse a newer one.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from hbtui.engine import events as engine_events
from hbtui.stream import items as stream_items

SCHEMA = 1

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for module in (engine_events, stream_items)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def to_json(item: Any) -> dict[str, Any]:
    """``{"type": <class name>, **fields}`` for any dataclass item."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {"type": type(item).__name__, **dataclasses.asdict(item)}
    return {"type": type(item).__name__, "value": str(item)}


def rfc3339(epoch_s: float) -> str:
    """``2026-12-05T10:25:00.123Z``: UTC, milliseconds (what JSON readers expect)."""
    when = datetime.fromtimestamp(epoch_s, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def with_wall_times(snapshot: dict[str, Any], now_ms: int, wall_s: float) -> dict[str, Any]:
    """``snapshot`` with RFC 3339 times beside the monotonic ones: ``time`` (when it was
    taken) and each node's ``last_heard_at`` (``now_ms`` is the node's monotonic now)."""
    out = {**snapshot, "time": rfc3339(wall_s)}
    nodes = snapshot.get("nodes")
    if isinstance(nodes, dict):
        out["nodes"] = {
            name: {**info, "last_heard_at": rfc3339(wall_s - (now_ms - heard) / 1000)}
            if isinstance(info, dict) and isinstance(heard := info.get("last_heard_ms"), int)
            else info
            for name, info in nodes.items()
        }
    return out


def with_schema(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the codec sends it: the schema version beside its fields."""
    return {**snapshot, "schema": SCHEMA}


def check_schema(data: dict[str, Any]) -> None:
    """``ValueError`` for an object written by a newer hbtui than this one reads."""
    schema = data.get("schema", SCHEMA)
    if not isinstance(schema, int) or schema > SCHEMA:
        raise ValueError(f"schema {schema!r} is newer than this hbtui reads ({SCHEMA})")


def from_json(data: dict[str, Any]) -> Any:
    """The item a ``to_json`` dict describes; ``ValueError`` for unknown types."""
    check_schema(data)
    cls = _CLASSES.get(str(data.get("type")))
    if cls is None:
        raise ValueError(f"unknown item type {data.get('type')!r}")
    return _build(cls, data)


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls, vars(engine_events) | vars(stream_items))
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint) and isinstance(value, dict):
            value = _build(hint, value)  # type: ignore[arg-type]
        elif isinstance(value, list) and _is_tuple(hint):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _is_tuple(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return True
    return any(typing.get_origin(a) is tuple or a is tuple for a in typing.get_args(hint))


def dumps_line(obj: Any) -> bytes:
    """One compact JSON line, newline included."""
    return (json.dumps(obj, default=_default, separators=(",", ":")) + "\n").encode()
