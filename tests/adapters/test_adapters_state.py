"""State files: byte-exact against the real daemon's files, plus the state dir lock."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from hbtui.adapters.state import (
    HostCacheEntry,
    StateDirBusy,
    StateDirLock,
    StateError,
    delete_uuid,
    ensure_delhostcache,
    format_generation,
    load_node_state,
    load_or_create_uuid,
    next_generation,
    read_generation,
    read_hostcache,
    write_hostcache,
)

VECTORS = Path(__file__).resolve().parents[1] / "wire" / "vectors"  # recorded from the real daemon
REAL_START_EPOCH = 1795663800.59  # scenario b run 5: both nodes started at this second


@pytest.mark.parametrize("node", ["server1", "server2"])
def test_generation_format_matches_real_file(node: str) -> None:
    real = (VECTORS / f"state-b-{node}.hb_generation").read_bytes()
    assert real == b"     1795663801\n"
    assert format_generation(1795663801) == real


def test_first_generation_is_start_second_plus_one(tmp_path: Path) -> None:
    generation = next_generation(tmp_path, wall_clock=lambda: REAL_START_EPOCH)
    assert generation == 1795663801
    real = (VECTORS / "state-b-server1.hb_generation").read_bytes()
    assert (tmp_path / "hb_generation").read_bytes() == real


def test_generation_increments_from_real_file(tmp_path: Path) -> None:
    real = VECTORS / "state-b-server2.hb_generation"
    (tmp_path / "hb_generation").write_bytes(real.read_bytes())
    assert read_generation(tmp_path) == 1795663801
    assert next_generation(tmp_path, wall_clock=lambda: 0.0) == 1795663802
    assert next_generation(tmp_path, wall_clock=lambda: 0.0) == 1795663803
    assert (tmp_path / "hb_generation").read_bytes() == b"     1795663803\n"


def test_garbage_generation_restarts_from_clock(tmp_path: Path) -> None:
    (tmp_path / "hb_generation").write_bytes(b"not a number\n")
    assert next_generation(tmp_path, wall_clock=lambda: 1000.9) == 1001


@pytest.mark.parametrize("node", ["server1", "server2"])
def test_real_uuid_file_is_used_as_is(tmp_path: Path, node: str) -> None:
    real = (VECTORS / f"state-b-{node}.hb_uuid").read_bytes()
    (tmp_path / "hb_uuid").write_bytes(real)
    got, created = load_or_create_uuid(tmp_path)
    assert (got, created) == (real, False)
    assert uuid.UUID(bytes=real).version == 4


def test_missing_uuid_is_created_like_the_real_daemon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    got, created = load_or_create_uuid(tmp_path)
    assert created
    on_disk = (tmp_path / "hb_uuid").read_bytes()
    assert on_disk == got and len(on_disk) == 16
    assert uuid.UUID(bytes=on_disk).version == 4
    assert "No uuid found for current node - generating a new uuid." in caplog.messages
    # deleting it gives a fresh identity next time
    (tmp_path / "hb_uuid").unlink()
    again, created_again = load_or_create_uuid(tmp_path)
    assert created_again and again != got


def test_delhostcache_is_empty_like_the_real_one(tmp_path: Path) -> None:
    ensure_delhostcache(tmp_path)
    real = (VECTORS / "state-b-server1.delhostcache").read_bytes()
    assert (tmp_path / "delhostcache").read_bytes() == real == b""


def test_hostcache_round_trip_and_format(tmp_path: Path) -> None:
    real_uuid = (VECTORS / "state-b-server1.hb_uuid").read_bytes()
    path = tmp_path / "hostcache"
    entries = [HostCacheEntry("server1", real_uuid), HostCacheEntry("server2", bytes(16), 100)]
    write_hostcache(path, entries)
    assert path.read_bytes() == (
        b"server1\t8c48da33-e9f9-44b5-9b78-d17d18cc81e3\t100\t\n"
        b"server2\t00000000-0000-0000-0000-000000000000\t100\t\n"
    )
    assert read_hostcache(path) == entries


def test_invalid_hostcache_is_removed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "hostcache"
    path.write_text("server1 garbage\n")
    assert read_hostcache(path) == []
    assert not path.exists()
    assert any("Invalid host/uuid map file" in m for m in caplog.messages)


def test_load_node_state_first_start(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state = load_node_state(state_dir, wall_clock=lambda: REAL_START_EPOCH)
    assert state.uuid_created and state.generation == 1795663801
    assert sorted(p.name for p in state_dir.iterdir()) == [
        "delhostcache",
        "hb_generation",
        "hb_uuid",
    ]
    second = load_node_state(state_dir, wall_clock=lambda: 0.0)
    assert not second.uuid_created and second.node_uuid == state.node_uuid
    assert second.generation == state.generation + 1


def test_state_dir_lock_names_the_other_pid(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path;"
        "from hbtui.adapters.state import StateDirLock;"
        "lock = StateDirLock(Path(sys.argv[1])); lock.acquire();"
        "print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StateDirBusy) as info:
            StateDirLock(tmp_path).acquire()
        assert info.value.pid == holder.pid
        assert f"PID {holder.pid}" in str(info.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    # the holder is gone: the kernel dropped its lock
    with StateDirLock(tmp_path) as lock:
        assert (tmp_path / "hbtui.lock").read_text().strip() == str(os.getpid())
        assert lock.path.exists()


def test_lock_creates_the_state_dir_and_is_reentrant_after_release(tmp_path: Path) -> None:
    state_dir = tmp_path / "new" / "state"
    lock = StateDirLock(state_dir)
    lock.acquire()
    lock.release()
    lock.acquire()
    lock.release()
    assert (state_dir / "hbtui.lock").exists()


def test_delete_uuid_says_what_it_did(tmp_path: Path) -> None:
    (tmp_path / "hb_uuid").write_bytes(b"u" * 16)
    assert delete_uuid(tmp_path).startswith("deleted ")
    assert not (tmp_path / "hb_uuid").exists()
    assert "did not exist" in delete_uuid(tmp_path)
    (tmp_path / "hb_uuid").mkdir()
    with pytest.raises(StateError, match="cannot delete"):
        delete_uuid(tmp_path)
