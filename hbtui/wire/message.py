"""A Heartbeat message: an ordered list of typed fields (order matters to signatures)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum


class FieldType(IntEnum):
    """The type digit of a netstring field, ``(N)name=value``."""

    STRING = 0
    BINARY = 1
    STRUCT = 2
    LIST = 3
    COMPRESS = 4
    UNCOMPRESS = 5


@dataclass(frozen=True, slots=True)
class Field:
    """One field. ``value`` is raw bytes, or a nested ``Message`` for STRUCT."""

    name: str
    value: bytes | Message
    type: FieldType = FieldType.STRING


@dataclass(frozen=True, slots=True)
class Message:
    """An immutable, ordered message; lookups by name return the first match."""

    fields: tuple[Field, ...] = ()

    @classmethod
    def of(cls, *pairs: tuple[str, str | bytes]) -> Message:
        """Build from ``(name, value)`` pairs: ``str`` -> string field, ``bytes`` -> binary."""
        out = []
        for name, value in pairs:
            if isinstance(value, str):
                out.append(Field(name, value.encode(), FieldType.STRING))
            else:
                out.append(Field(name, value, FieldType.BINARY))
        return cls(tuple(out))

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.fields)

    def field(self, name: str) -> Field | None:
        """The first field called ``name``, or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        """A field's value as text (Latin-1, so every byte survives), or ``default``."""
        f = self.field(name)
        if f is None or isinstance(f.value, Message):
            return default
        return f.value.decode("latin-1")

    def get_bytes(self, name: str) -> bytes | None:
        """A field's raw value, or None (also None for nested messages)."""
        f = self.field(name)
        if f is None or isinstance(f.value, Message):
            return None
        return f.value

    @property
    def type(self) -> str | None:
        """The message type, field ``t``."""
        return self.get("t")

    def with_field(self, field: Field) -> Message:
        """A copy with ``field`` appended."""
        return Message((*self.fields, field))

    def without(self, name: str) -> Message:
        """A copy without any field called ``name``."""
        return Message(tuple(f for f in self.fields if f.name != name))
