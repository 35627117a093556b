"""Events and snapshots as JSON lines (the control socket, the SSH link, --follow)."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import Any


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


def event_to_dict(item: Any) -> dict[str, Any]:
    """``{"type": <class name>, **fields}`` for any dataclass event."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        return {"type": type(item).__name__, **fields}
    return {"type": type(item).__name__, "value": str(item)}


def dumps_line(obj: Any) -> bytes:
    """One compact JSON line, newline included."""
    return (json.dumps(obj, default=_default, separators=(",", ":")) + "\n").encode()
