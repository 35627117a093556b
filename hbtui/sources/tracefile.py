"""``TraceFile``: a ``--record`` file written by its own thread, so the UI never waits on disk."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

_CLOSE = None


class TraceFile:
    """A text sink: ``write`` only queues; one thread appends and flushes each line in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("w", encoding="utf-8")
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._drain, name="hbtui-record", daemon=True)
        self._thread.start()

    def write(self, text: str) -> int:
        """Queue ``text``; returns its length like ``TextIO.write``."""
        self._queue.put(text)
        return len(text)

    def close(self) -> None:
        """Write what is queued, then close the file (bounded: the thread only writes)."""
        if self._thread.is_alive():
            self._queue.put(_CLOSE)
            self._thread.join(timeout=10)

    def __enter__(self) -> TraceFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _drain(self) -> None:
        try:
            while (text := self._queue.get()) is not _CLOSE:
                self._file.write(text)
                if self._queue.empty():
                    self._file.flush()  # a trace read while the console runs is whole lines
        finally:
            self._file.close()
