"""Node state on disk, as Heartbeat keeps it in its state directory (/var/lib/heartbeat).

Files (docs/protocol.md §8, byte formats checked against the real daemon's files):

* ``hb_uuid``: the node's identity, exactly 16 raw bytes of a version-4 uuid, no newline.
* ``hb_generation``: ``"%15d\\n"`` (16 bytes), incremented and fsynced at every start.
* ``hostcache`` / ``delhostcache``: ``name<TAB>uuid<TAB>weight<TAB>site<LF>`` per node.
* ``hbtui.lock``: ours only; an fcntl lock so two hbtui nodes never share one state dir.

These are small synchronous file operations, done once at start-up (call them before the
event loop runs, or through ``asyncio.to_thread``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hbtui.adapters.uuidname import uuid_from_name

log = logging.getLogger(__name__)

UUID_FILE = "hb_uuid"
GENERATION_FILE = "hb_generation"
HOSTCACHE_FILE = "hostcache"
DELHOSTCACHE_FILE = "delhostcache"
LOCK_FILE = "hbtui.lock"
UUID_SIZE = 16
DEFAULT_WEIGHT = 100


class StateError(Exception):
    """A state file cannot be read or written."""


class StateDirBusy(StateError):
    """Another process holds the state directory lock."""

    def __init__(self, state_dir: Path, pid: int | None) -> None:
        who = f"PID {pid}" if pid is not None else "another process (PID unknown)"
        super().__init__(
            f"state directory {state_dir} is in use by another hbtui node ({who}); "
            "stop it first or give a different --state-dir"
        )
        self.state_dir = state_dir
        self.pid = pid


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a synced temp file and rename, then sync the dir."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_SYNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# -- hb_uuid ---------------------------------------------------------------------------


def load_or_create_uuid(state_dir: Path) -> tuple[bytes, bool]:
    """Return ``(16 raw uuid bytes, created)``; a missing or malformed file gets a new v4 uuid."""
    path = state_dir / UUID_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror}") from exc
    if raw is not None and len(raw) == UUID_SIZE:
        return raw, False
    if raw is not None:
        log.warning("%s has %d bytes instead of %d - replacing it", path, len(raw), UUID_SIZE)
    log.info("No uuid found for current node - generating a new uuid.")
    new = uuid.uuid4().bytes
    try:
        _write_atomic(path, new)
    except OSError as exc:
        raise StateError(f"cannot write {path}: {exc.strerror}") from exc
    return new, True


# -- hb_generation -----------------------------------------------------------------------


def format_generation(generation: int) -> bytes:
    """The exact bytes of an ``hb_generation`` file: right-aligned in 15 columns + LF."""
    return b"%15d\n" % generation


def read_generation(state_dir: Path) -> int | None:
    """The stored generation, or None when the file is missing or unparsable."""
    path = state_dir / GENERATION_FILE
    try:
        text = path.read_bytes().decode("ascii")
        return int(text.strip())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError):
        log.warning("%s is unreadable - treating it as missing", path)
        return None


def next_generation(state_dir: Path, wall_clock: Callable[[], float] = time.time) -> int:
    """Read the generation, add 1, write it back (synced) and return it.

    Missing file: start from the current epoch second, so the first generation is
    ``int(now) + 1`` as the real daemon does.
    """
    previous = read_generation(state_dir)
    if previous is None:
        generation = int(wall_clock()) + 1
        log.warning("No Previous generation - starting at %d", generation)
    else:
        generation = previous + 1
    path = state_dir / GENERATION_FILE
    try:
        _write_atomic(path, format_generation(generation))
    except OSError as exc:
        raise StateError(f"cannot write {path}: {exc.strerror}") from exc
    log.info("Heartbeat generation: %d", generation)
    return generation


# -- hostcache ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostCacheEntry:
    """One line of ``hostcache``: a node name and the uuid it was last seen with."""

    name: str
    node_uuid: bytes
    weight: int = DEFAULT_WEIGHT
    site: str = ""

    def to_line(self) -> str:
        """The line as written to the file (with its trailing newline)."""
        text_uuid = str(uuid.UUID(bytes=self.node_uuid))
        return f"{self.name}\t{text_uuid}\t{self.weight}\t{self.site}\n"

    @classmethod
    def from_line(cls, line: str) -> HostCacheEntry:
        """Parse one line; raises ValueError when it is not in the cache format."""
        parts = line.rstrip("\n").split("\t")
        if len(parts) not in (3, 4) or not parts[0]:
            raise ValueError(f"bad hostcache line: {line!r}")
        node_uuid = uuid.UUID(parts[1]).bytes
        site = parts[3] if len(parts) == 4 else ""
        return cls(parts[0], node_uuid, int(parts[2]), site)


def read_hostcache(path: Path) -> list[HostCacheEntry]:
    """Entries of a host cache file; an unparsable file is removed (as Heartbeat does)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        log.error("Cannot read host/uuid map file [%s]: %s", path, exc)
        return []
    try:
        return [HostCacheEntry.from_line(line) for line in text.splitlines() if line]
    except ValueError:
        log.error("Invalid host/uuid map file [%s] - removed.", path)
        with contextlib.suppress(OSError):
            path.unlink()
        return []


def write_hostcache(path: Path, entries: Iterable[HostCacheEntry]) -> None:
    """Rewrite a host cache file with ``entries`` (synced)."""
    data = "".join(entry.to_line() for entry in entries).encode("utf-8")
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise StateError(f"cannot write {path}: {exc.strerror}") from exc


def save_hostcache(state_dir: Path, nodes: Iterable[tuple[str, bytes]]) -> None:
    """``WriteHostcache``: every member with its uuid (``autojoin other|any``)."""
    entries = [HostCacheEntry(name, raw) for name, raw in nodes]
    write_hostcache(state_dir / HOSTCACHE_FILE, entries)


def ensure_delhostcache(state_dir: Path) -> None:
    """Create an empty ``delhostcache`` when missing (the real daemon always has one)."""
    path = state_dir / DELHOSTCACHE_FILE
    if not path.exists():
        write_hostcache(path, [])


# -- the state dir lock -----------------------------------------------------------------


class StateDirLock:
    """An exclusive fcntl lock on ``<state_dir>/hbtui.lock`` holding our PID.

    The kernel drops the lock when the process dies, so a crash never leaves it stale.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StateDirBusy naming the holder's PID."""
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateError(f"cannot lock {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise StateDirBusy(self.state_dir, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (the file stays; an unlocked file means free)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StateDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class NodeState:
    """What a start-up reads from the state dir."""

    node_uuid: bytes
    uuid_created: bool
    generation: int
    hostcache: tuple[HostCacheEntry, ...]


def load_node_state(
    state_dir: Path, wall_clock: Callable[[], float] = time.time, uuid_name: str | None = None
) -> NodeState:
    """The start-up sequence: uuid, next generation, host caches (the dir must be locked).

    With ``uuid_name`` (ha.cf ``uuidfrom nodename``) the uuid is derived from that name and
    hb_uuid is neither read nor written, as the daemon does."""
    state_dir.mkdir(parents=True, exist_ok=True)
    if uuid_name is not None:
        node_uuid, created = uuid_from_name(uuid_name), False
    else:
        node_uuid, created = load_or_create_uuid(state_dir)
    generation = next_generation(state_dir, wall_clock)
    hostcache = tuple(read_hostcache(state_dir / HOSTCACHE_FILE))
    ensure_delhostcache(state_dir)
    return NodeState(node_uuid, created, generation, hostcache)


def delete_uuid(state_dir: Path) -> str:
    """Remove hb_uuid so the next start makes a new one; what happened, as a sentence.

    ``StateError`` when the file is there but cannot be removed. The caller makes sure the
    node is stopped (a running node keeps its uuid in memory and would write it back).
    """
    path = state_dir / UUID_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return f"{path} did not exist; a new uuid is made at the next start"
    except OSError as exc:
        raise StateError(f"cannot delete {path}: {exc.strerror or exc}") from exc
    return f"deleted {path}; the next start makes a new uuid"
