"""A snapshot as the console reads it: typed, decoded once, every part optional.

``SnapshotTaken.data`` is a JSON-able dict whose shape depends on the source: the engine's
``Node.snapshot()`` (embedded node, control socket, a peer's ``hbtui status --follow``), a
watch source's picture of a real ``heartbeat`` (statuses and VIP owners only: no engine),
or the built-in demo trace; each source adds the config's timers and resources
(``config_extras``). ``read_snapshot`` turns any of them into an ``Observed``, checking
every type on the way, so that readers never ``.get`` with a default and a malformed
snapshot is one ``SnapshotError`` naming the field, not a wrong figure on screen.

A part the source did not send is ``None`` (or empty), which readers take as "keep what
you knew": a watch source knows no deadline, an engine peer entry always carries one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class SnapshotError(ValueError):
    """A snapshot field of the wrong type; the message names the field."""


@dataclass(frozen=True, slots=True)
class PeerTiming:
    """What the engine knows of a peer's keepalives (absent for sources without one)."""

    link: str
    last_heard_ms: int | None  # None: never heard
    deadline_ms: int | None  # None: declared dead
    deadtime_ms: int | None  # its advertised dt, when known
    links: tuple[tuple[str, bool], ...] = ()  # (device, up) of every medium, ha.cf order


@dataclass(frozen=True, slots=True)
class ObservedNode:
    """One entry of ``nodes``."""

    name: str
    is_self: bool
    status: str | None  # None: the source did not say
    uuid: str | None
    generation: int | None
    timing: PeerTiming | None


@dataclass(frozen=True, slots=True)
class ObservedVip:
    """A VIP and who holds it, as the source saw it."""

    resource: str
    ip: str
    owner: str | None
    device: str | None
    label: str | None


@dataclass(frozen=True, slots=True)
class ProbedSplit:
    """A VIP the node's ARP probe found held by more than one machine
    (``runtime.split_brain``): ``here`` when this node has it too, ``macs`` the others,
    ``mac`` the prober's own MAC on the device (when it was read)."""

    ip: str
    device: str
    here: bool
    macs: tuple[str, ...]
    mac: str | None = None


@dataclass(frozen=True, slots=True)
class ConfiguredVip:
    """A VIP of haresources (a config extra): shown before any owner is reported."""

    resource: str
    ip: str


@dataclass(frozen=True, slots=True)
class ObservedResource:
    """A haresources token and a first word about it (a config extra), with the key of its
    group when the source knows it."""

    token: str
    status: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Datagrams from ``ip`` dropped for ``reason`` so far."""

    reason: str
    ip: str
    count: int


@dataclass(frozen=True, slots=True)
class SourceExtras:
    """What sources add beside the engine's picture: timers and the config's resources."""

    warntime_ms: int | None
    keepalive_ms: int | None
    keepalives_visible: bool
    resources: tuple[ObservedResource, ...]
    configured_vips: tuple[ConfiguredVip, ...]


@dataclass(frozen=True, slots=True)
class Observed:
    """The whole snapshot (see the module docstring)."""

    node: str | None
    status: str | None
    started_ms: int | None  # when this node's engine started (its uptime), when known
    standby: bool
    nodes: tuple[ObservedNode, ...]
    groups: tuple[tuple[str, str], ...]  # (key, home node)
    running_here: frozenset[str] | None  # keys of the groups running here (None: not said)
    vips: tuple[ObservedVip, ...]
    rejected: tuple[Rejection, ...]
    runtime: Mapping[str, Any] | None  # the runtime's counters (``PacketCounts.read``)
    split_brain: tuple[ProbedSplit, ...] | None  # None: the node runs no probe
    probe_held: frozenset[str] | None  # the VIPs its probe found on it (None: no probe)
    extras: SourceExtras


def read_snapshot(data: Mapping[str, Any]) -> Observed:
    """Decode ``data`` (see the module docstring); raise ``SnapshotError`` on a wrong type."""
    if not isinstance(data, Mapping):
        raise SnapshotError(f"snapshot: expected an object, got {type(data).__name__}")
    nodes = _field(data, "nodes", dict, "snapshot") or {}
    runtime = _field(data, "runtime", dict, "snapshot")
    return Observed(
        node=_field(data, "node", str, "snapshot"),
        status=_field(data, "status", str, "snapshot"),
        started_ms=_field(data, "started_ms", int, "snapshot"),
        standby=bool(data.get("standby")),
        nodes=tuple(_node(str(name), info) for name, info in nodes.items()),
        groups=tuple(
            (_need(g, "key", str, "groups[]"), _need(g, "home", str, "groups[]"))
            for g in _items(data, "groups")
        ),
        running_here=_running_here(data),
        vips=tuple(_vip(v) for v in _items(data, "vips")),
        rejected=tuple(
            Rejection(
                _need(r, "reason", str, "rejected[]"),
                _need(r, "ip", str, "rejected[]"),
                _need(r, "count", int, "rejected[]"),
            )
            for r in _items(data, "rejected")
        ),
        runtime=runtime,
        split_brain=_probed(runtime),
        probe_held=_probe_held(runtime),
        extras=SourceExtras(
            warntime_ms=_field(data, "warntime_ms", int, "snapshot"),
            keepalive_ms=_field(data, "keepalive_ms", int, "snapshot"),
            keepalives_visible=bool(data.get("keepalives_visible", True)),
            resources=tuple(
                ObservedResource(
                    _need(r, "token", str, "resources[]"),
                    _field(r, "status", str, "resources[]") or "unknown",
                    _field(r, "group", str, "resources[]"),
                )
                for r in _items(data, "resources")
            ),
            configured_vips=tuple(
                ConfiguredVip(
                    _need(v, "resource", str, "configured_vips[]"),
                    _need(v, "ip", str, "configured_vips[]"),
                )
                for v in _items(data, "configured_vips")
            ),
        ),
    )


def _probed(runtime: Mapping[str, Any] | None) -> tuple[ProbedSplit, ...] | None:
    """The split-brain probe's findings, when the node runs the probe."""
    if runtime is None or "split_brain" not in runtime:
        return None
    where = "runtime.split_brain[]"
    found = []
    for entry in _items(runtime, "split_brain"):
        macs = _need(entry, "macs", list, where)
        found.append(
            ProbedSplit(
                _need(entry, "ip", str, where),
                _field(entry, "device", str, where) or "?",
                bool(entry.get("here")),
                tuple(str(mac) for mac in macs),
                _field(entry, "mac", str, where),
            )
        )
    return tuple(found)


def _probe_held(runtime: Mapping[str, Any] | None) -> frozenset[str] | None:
    """The VIPs the node's probe found on the node itself, when it says."""
    held = _field(runtime, "probe_held", list, "runtime") if runtime is not None else None
    return None if held is None else frozenset(str(ip) for ip in held)


def _running_here(data: Mapping[str, Any]) -> frozenset[str] | None:
    """The keys of the groups an engine snapshot says run here (None when it does not say)."""
    groups = _items(data, "groups")
    if not groups or any("running_here" not in g for g in groups):
        return None
    return frozenset(str(g["key"]) for g in groups if _need(g, "running_here", bool, "groups[]"))


def _node(name: str, info: Any) -> ObservedNode:
    where = f"nodes.{name}"
    if not isinstance(info, Mapping):
        raise SnapshotError(f"{where}: expected an object, got {type(info).__name__}")
    timing = None
    if "link" in info:  # an engine's peer entry
        timing = PeerTiming(
            link=_need(info, "link", str, where),
            last_heard_ms=_field(info, "last_heard_ms", int, where),
            deadline_ms=_field(info, "deadline_ms", int, where),
            deadtime_ms=_field(info, "deadtime_ms", int, where),
            links=_links(info, where),
        )
    return ObservedNode(
        name=name,
        is_self=bool(info.get("self", False)),
        status=_field(info, "status", str, where) or None,
        uuid=_field(info, "uuid", str, where),
        generation=_field(info, "generation", int, where),
        timing=timing,
    )


def _links(info: Mapping[str, Any], where: str) -> tuple[tuple[str, bool], ...]:
    """A peer's ``links`` as (device, up) pairs (empty in older snapshots)."""
    found = []
    for dev, link in (_field(info, "links", dict, where) or {}).items():
        if not isinstance(link, Mapping):
            raise SnapshotError(
                f"{where}.links.{dev}: expected an object, got {type(link).__name__}"
            )
        found.append((str(dev), _need(link, "status", str, f"{where}.links.{dev}") == "up"))
    return tuple(found)


def _vip(v: Any) -> ObservedVip:
    where = "vips[]"
    if not isinstance(v, Mapping):
        raise SnapshotError(f"{where}: expected an object, got {type(v).__name__}")
    return ObservedVip(
        resource=_need(v, "resource", str, where),
        ip=_need(v, "ip", str, where),
        owner=_field(v, "owner", str, where),
        device=_field(v, "device", str, where),
        label=_field(v, "label", str, where),
    )


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A list of objects under ``key`` (empty when absent)."""
    value = _field(data, key, list, "snapshot") or []
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise SnapshotError(f"{key}[{i}]: expected an object, got {type(entry).__name__}")
    return value


def _field(data: Mapping[str, Any], key: str, kind: type[T], where: str) -> T | None:
    """``data[key]`` when present and not null, checked to be a ``kind``."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SnapshotError(
            f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__} {value!r:.40}"
        )
    return value


def _need(data: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    """Like ``_field`` but the key must be there."""
    value = _field(data, key, kind, where)
    if value is None:
        raise SnapshotError(f"{where}.{key}: missing")
    return value
