"""Fixtures of the namespace lab; everything skips with a reason where the lab cannot run."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbtui.lab.commands import run
from hbtui.lab.netns import Lab, new_run_id, sweep_stale_netns

from .cluster import RealHeartbeat

TOOLS = ("ip", "unshare", "nsenter", "mount", "nft", "tcpdump")


@functools.cache
def lab_unavailable() -> str | None:
    """None when this machine can run the lab, else the reason it cannot."""
    if os.geteuid() != 0:
        return "the namespace lab needs root (network/mount/PID namespaces)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        packages = "iproute2, util-linux, nftables, tcpdump"
        return f"the namespace lab needs {', '.join(missing)} (Debian: {packages})"
    probe = f"hblprobe-{new_run_id()}"
    added = run(["ip", "netns", "add", probe], check=False)
    if added.returncode != 0:
        return f"`ip netns add` fails here: {added.stderr.strip()}"
    try:
        argv = ["ip", "netns", "exec", probe, "unshare", "--uts", "--mount", "--ipc", "--pid"]
        done = run([*argv, "--fork", "--mount-proc", "true"], check=False)
        if done.returncode != 0:
            return f"unshare of UTS/mount/PID namespaces fails here: {done.stderr.strip()}"
    finally:
        run(["ip", "netns", "del", probe], check=False)
    sweep_stale_netns()
    return None


@pytest.fixture
def lab_dir(tmp_path: Path) -> Path:
    """Where the lab keeps per-node directories (pytest keeps the last runs for post-mortems)."""
    return tmp_path / "lab"


@contextlib.contextmanager
def lab_of(names: list[str], lab_dir: Path) -> Iterator[Lab]:
    """A lab of ``names`` (192.168.10.1, .2, ... in that order); skips where none can run."""
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    with Lab(names, base_dir=lab_dir) as made:
        yield made


@pytest.fixture
def lab(lab_dir: Path) -> Iterator[Lab]:
    """A two-node lab (server1 192.168.10.1, server2 192.168.10.2), torn down after the test."""
    with lab_of(["server1", "server2"], lab_dir) as made:
        yield made


@pytest.fixture
def lab3(lab_dir: Path) -> Iterator[Lab]:
    """A three-node lab (server1, server2, server3 at .1 .2 .3), torn down after the test."""
    with lab_of(["server1", "server2", "server3"], lab_dir) as made:
        yield made


@pytest.fixture
def real_heartbeat() -> None:
    """Skip unless the Debian heartbeat 3.0.6 package is installed."""
    reason = RealHeartbeat.available()
    if reason:
        pytest.skip(reason)
