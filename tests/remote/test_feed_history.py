"""The peer's ha-log: history is shown but states nothing; live lines may change states."""

from __future__ import annotations

import queue
import subprocess
import threading
from pathlib import Path, PurePosixPath

from hbtui.engine.events import NodeStateChanged
from hbtui.remote import commands
from hbtui.remote.session import PeerSession
from hbtui.remote.ssh import PeerLink, PeerTarget
from hbtui.sources.peer import PeerSource
from hbtui.stream.items import LogLine

DEAD = "Nov 26 03:40:00 server2 heartbeat: [645]: WARN: node server1: is dead"
READ_S = 10.0


class Lines:
    """A process's stdout lines, read by a thread so every wait is bounded."""

    def __init__(self, argv: tuple[str, ...]) -> None:
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.queue.put(line.rstrip("\n"))

    def next(self) -> str:
        return self.queue.get(timeout=READ_S)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=READ_S)


def test_tail_follow_gives_history_the_mark_then_live_lines(tmp_path: Path) -> None:
    log = tmp_path / "ha log's"  # quoting: the path is an argument, never script text
    log.write_text("".join(f"old {n}\n" for n in range(5)))
    argv = commands.tail_follow(PurePosixPath(log), lines=3)
    assert str(log) not in argv[2]
    lines = Lines(argv)
    try:
        history = [lines.next() for _ in range(4)]
        assert history == ["old 2", "old 3", "old 4", commands.LIVE_MARK]
        with log.open("a") as out:
            out.write("new 1\n")
        assert lines.next() == "new 1"
    finally:
        lines.close()


def test_tail_follow_of_a_missing_log_waits_for_it(tmp_path: Path) -> None:
    log = tmp_path / "ha-log"
    lines = Lines(commands.tail_follow(PurePosixPath(log)))
    try:
        assert lines.next() == commands.LIVE_MARK
        log.write_text("first\n")
        assert lines.next() == "first"
    finally:
        lines.close()


async def test_history_lines_change_no_status() -> None:
    source = PeerSource(PeerSession(PeerLink(PeerTarget("server2", host="192.0.2.1")), "server1"))
    source._arrived("log-history", DEAD)
    source._arrived("log", DEAD)
    source._queue.close()
    items = [item async for item in source._queue]
    assert [type(i) for i in items] == [LogLine, LogLine, NodeStateChanged]
