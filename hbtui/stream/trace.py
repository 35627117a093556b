"""Traces as JSON lines: one ``{"type": <class name>, ...fields}`` object per item.

Used by ``hbtui console --replay FILE``, by the test fixtures and by the attach source
when the control socket streams events in this shape.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from hbtui.engine import events as engine_events
from hbtui.stream import items as console_items


class TextSink(Protocol):
    """Where the console writes its trace: a ``TraceFile``, or any text file or buffer."""

    def write(self, text: str, /) -> int: ...


_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for module in (engine_events, console_items)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def to_json(item: Any) -> dict[str, Any]:
    """One item as a JSON-able dict."""
    data = dataclasses.asdict(item)
    return {"type": type(item).__name__, **data}


def from_json(data: dict[str, Any]) -> Any:
    """The item a ``to_json`` dict describes; ``ValueError`` for unknown types."""
    cls = _CLASSES.get(str(data.get("type")))
    if cls is None:
        raise ValueError(f"unknown item type {data.get('type')!r}")
    return _build(cls, data)


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls, vars(engine_events) | vars(console_items))
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


def dumps(items: Iterable[Any]) -> str:
    """JSON lines of ``items``."""
    return "".join(json.dumps(to_json(i), sort_keys=True) + "\n" for i in items)


def loads(text: str) -> list[Any]:
    """Items of JSON lines text (blank lines and ``#`` comments skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(from_json(json.loads(line)))
    return out


def load(path: Path) -> list[Any]:
    """Items of a JSON lines file."""
    return loads(path.read_text(encoding="utf-8"))
