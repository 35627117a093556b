"""``TraceFile``: the ``--record`` sink writes every line, in order, off the caller's thread."""

from __future__ import annotations

import threading
from pathlib import Path

from hbtui.sources.tracefile import TraceFile


def test_lines_arrive_in_order_and_close_writes_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    lines = [f'{{"n": {n}}}\n' for n in range(5000)]
    with TraceFile(path) as sink:
        for line in lines:
            assert sink.write(line) == len(line)
    assert path.read_text().splitlines(keepends=True) == lines


def test_write_does_not_run_on_the_callers_thread(tmp_path: Path) -> None:
    writers: set[str] = set()
    sink = TraceFile(tmp_path / "trace.jsonl")
    real_write = sink._file.write

    def noting_write(text: str) -> int:
        writers.add(threading.current_thread().name)
        return real_write(text)

    sink._file.write = noting_write  # type: ignore[method-assign]
    sink.write("one\n")
    sink.close()
    assert writers == {"hbtui-record"}
    assert (tmp_path / "trace.jsonl").read_text() == "one\n"


def test_close_twice_is_harmless(tmp_path: Path) -> None:
    sink = TraceFile(tmp_path / "t")
    sink.close()
    sink.close()
    assert (tmp_path / "t").read_text() == ""
