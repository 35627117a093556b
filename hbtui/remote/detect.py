"""What runs on a peer, and the facts we read there, before we show or run anything.

The parsers are pure (text in, values out); :func:`probe_peer` runs the reads through any
:class:`~hbtui.remote.runner.CommandRunner`, concurrently, and one failed read never sinks
the others (``gather(..., return_exceptions=True)``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from hbtui.remote import commands
from hbtui.remote.commands import ServiceManager
from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import CommandResult, LinkError

UUID_BYTES = 16


class PeerDaemon(StrEnum):
    """Which heartbeat the peer runs."""

    HBTUI = "hbtui"
    HEARTBEAT = "heartbeat"  # the real 3.0.6 daemon (cl_status answers)
    NONE = "none"  # neither answers (stopped, or not installed)


@dataclass(frozen=True, slots=True)
class PeerAddress:
    """One address of the peer (``ip -j addr``)."""

    ifname: str
    address: str
    prefixlen: int
    label: str = ""

    def __str__(self) -> str:
        shown = f"{self.address}/{self.prefixlen} on {self.ifname}"
        return f"{shown} ({self.label})" if self.label and self.label != self.ifname else shown


@dataclass(frozen=True, slots=True)
class PeerFacts:
    """Everything read from one peer in one probe."""

    node_name: str | None = None
    hb_uuid: str | None = None
    daemon: PeerDaemon = PeerDaemon.NONE
    hbtui_status: dict[str, Any] | None = None
    cl_status: str = ""  # `cl_status hbstatus` output when the real daemon answered
    service: ServiceManager | None = None
    config_texts: dict[str, str] = field(default_factory=dict)
    addresses: tuple[PeerAddress, ...] = ()
    problems: tuple[str, ...] = ()


def parse_od_uuid(text: str) -> str | None:
    """``od -An -tx1`` output of hb_uuid as a uuid string; None unless exactly 16 bytes."""
    pairs = text.split()
    try:
        raw = bytes(int(p, 16) for p in pairs)
    except ValueError:
        return None
    return str(uuid.UUID(bytes=raw)) if len(raw) == UUID_BYTES else None


def parse_ip_json(text: str) -> tuple[PeerAddress, ...]:
    """Addresses from ``ip -j addr``; an unreadable answer gives none."""
    try:
        links = json.loads(text or "[]")
    except json.JSONDecodeError:
        return ()
    found: list[PeerAddress] = []
    if not isinstance(links, list):
        return ()
    for link in links:
        if not isinstance(link, dict):
            continue
        ifname = str(link.get("ifname", "?"))
        for info in link.get("addr_info", []) or []:
            if isinstance(info, dict) and "local" in info:
                found.append(
                    PeerAddress(
                        ifname,
                        str(info["local"]),
                        int(info.get("prefixlen", 0)),
                        str(info.get("label", "")),
                    )
                )
    return tuple(found)


def parse_hbtui_status(text: str) -> dict[str, Any] | None:
    """``hbtui status --json`` (one indented object), or the first line of ``--follow``."""
    stripped = text.strip()
    for candidate in (stripped, stripped.splitlines()[0] if stripped else ""):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


async def _try(runner: CommandRunner, argv: Sequence[str]) -> CommandResult | None:
    """Run argv; None when the link failed (a non-zero exit is still a result)."""
    try:
        return await runner.run(argv, timeout=15.0)
    except LinkError:
        return None


@dataclass(frozen=True, slots=True)
class Installed:
    """What one daemon has on the peer: a systemd unit, an init script, enabled at boot."""

    unit: bool = False
    script: bool = False
    enabled: bool = False

    @property
    def present(self) -> bool:
        """It can be started there at all."""
        return self.unit or self.script


def parse_inventory(text: str) -> dict[str, Installed]:
    """``name unit=0 script=1 enabled=1`` lines (:func:`commands.service_inventory`)."""
    found: dict[str, Installed] = {}
    for line in text.splitlines():
        if not line.split():
            continue
        name, *pairs = line.split()
        flags = dict(pair.partition("=")[::2] for pair in pairs)
        found[name] = Installed(*(flags.get(k) == "1" for k in ("unit", "script", "enabled")))
    return found


def choose_service(
    daemon: PeerDaemon,
    installed: dict[str, Installed],
    known: ServiceManager | None = None,
    init_dir: PurePosixPath = commands.INIT_DIR,
) -> ServiceManager | None:
    """The service manager of the daemon that runs, or (none runs) the one to start.

    A running daemon gets its own unit (systemd first) or init script, never the other's.
    When neither answers, the one the session knew before stays (a stopped hbtui peer
    must be started as hbtui); else hbtui if it is installed and heartbeat is absent or
    not enabled at boot, else heartbeat, else hbtui.
    """
    if daemon is PeerDaemon.NONE:
        if known is not None:
            return known
        hbtui = installed.get(commands.HBTUI_NAME, Installed())
        real = installed.get(commands.HEARTBEAT_NAME, Installed())
        if hbtui.present and not (real.present and real.enabled):
            name = commands.HBTUI_NAME
        elif real.present:
            name = commands.HEARTBEAT_NAME
        else:
            return None
    else:
        name = commands.HBTUI_NAME if daemon is PeerDaemon.HBTUI else commands.HEARTBEAT_NAME
    have = installed.get(name, Installed())
    return commands.service_for(name, have.unit, init_dir) if have.present else None


async def detect_service(
    runner: CommandRunner,
    daemon: PeerDaemon,
    known: ServiceManager | None = None,
    init_dir: PurePosixPath = commands.INIT_DIR,
) -> ServiceManager | None:
    """Read what is installed on the peer, then :func:`choose_service`."""
    if daemon is PeerDaemon.NONE and known is not None:
        return known
    found = await _try(runner, commands.service_inventory(init_dir=init_dir))
    installed = parse_inventory(found.stdout) if found is not None and found.ok else {}
    return choose_service(daemon, installed, known, init_dir)


async def detect_daemon(
    runner: CommandRunner, hbtui_program: commands.Argv = commands.HBTUI
) -> tuple[PeerDaemon, dict[str, Any] | None, str]:
    """Does the peer answer ``hbtui status --json``, or ``cl_status hbstatus``?"""
    hbtui = await _try(runner, commands.hbtui_status(program=hbtui_program))
    if hbtui is not None and hbtui.ok:
        status = parse_hbtui_status(hbtui.stdout)
        if status is not None:
            return PeerDaemon.HBTUI, status, ""
    real = await _try(runner, commands.cl_status("hbstatus"))
    if real is not None and real.ok:
        return PeerDaemon.HEARTBEAT, None, real.stdout.strip()
    return PeerDaemon.NONE, None, real.stdout.strip() if real is not None else ""


async def probe_peer(
    runner: CommandRunner,
    *,
    config_dir: PurePosixPath = commands.ETC_HA_D,
    state_dir: PurePosixPath = commands.STATE_DIR,
    hbtui_program: commands.Argv = commands.HBTUI,
    known_service: ServiceManager | None = None,
) -> PeerFacts:
    """Read name, uuid, daemon, service manager, config files and addresses, concurrently.

    ``known_service`` is what an earlier probe found: kept while neither daemon answers.
    """
    reads = [
        _try(runner, commands.uname_n()),
        _try(runner, commands.hb_uuid_hex(state_dir)),
        _try(runner, commands.ip_addresses()),
        *(_try(runner, commands.read_file(config_dir / n)) for n in commands.CONFIG_FILES),
    ]
    results = await asyncio.gather(*reads, return_exceptions=True)
    daemon, status, cl_text = await detect_daemon(runner, hbtui_program)
    service = await detect_service(runner, daemon, known_service)
    problems: list[str] = []

    def ok(index: int, what: str) -> CommandResult | None:
        result = results[index]
        if isinstance(result, BaseException) or result is None:
            problems.append(f"{what}: link failed")
            return None
        if not result.ok:
            problems.append(f"{what}: {result.stderr.strip() or f'exit {result.exit_status}'}")
            return None
        return result

    name = ok(0, "uname -n")
    uuid_read = ok(1, "hb_uuid")
    addrs = ok(2, "ip -j addr")
    texts = {}
    for offset, file_name in enumerate(commands.CONFIG_FILES, start=3):
        read = ok(offset, str(config_dir / file_name))
        if read is not None:
            texts[file_name] = read.stdout
    hb_uuid = parse_od_uuid(uuid_read.stdout) if uuid_read else None
    if uuid_read is not None and hb_uuid is None:
        problems.append("hb_uuid: not 16 bytes")
    return PeerFacts(
        node_name=name.stdout.strip().lower() if name else None,
        hb_uuid=hb_uuid,
        daemon=daemon,
        hbtui_status=status,
        cl_status=cl_text,
        service=service,
        config_texts=texts,
        addresses=parse_ip_json(addrs.stdout) if addrs else (),
        problems=tuple(problems),
    )
