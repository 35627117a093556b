"""The textfile writer: atomic, mode 0644, and a failing write said once, then its recovery."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from hbtui.commands.check import check_config
from hbtui.metrics.exporter import MetricsExporter

SNAP = {"node": "server1", "runtime": {"state": "running"}}


async def test_the_textfile_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "hbtui.prom"
    exporter = MetricsExporter(1000, lambda: SNAP, 0.0, out)
    await exporter.write()
    await exporter.write()
    assert 'hbtui_node_info{node="server1"' in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["hbtui.prom"]  # no temporary left
    assert exporter.written == 2


async def test_a_failing_write_is_said_once_and_its_end_too(tmp_path: Path) -> None:
    said: list[tuple[str, str]] = []
    out = tmp_path / "node-exporter" / "hbtui.prom"
    exporter = MetricsExporter(1000, lambda: SNAP, 0.0, out, lambda lv, t: said.append((lv, t)))
    for _ in range(3):
        await exporter.write()
    assert said == [("WARN", f"metrics: cannot write {out}: No such file or directory; "
                              "the metrics go stale")]  # fmt: skip
    out.parent.mkdir()
    await exporter.write()
    assert said[-1] == ("info", f"metrics: {out} written again")
    assert exporter.written == 1 and out.exists()


def test_check_warns_when_the_textfile_directory_is_missing(tmp_path: Path) -> None:
    config = tmp_path / "ha.d"
    shutil.copytree(Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto", config)
    (config / "authkeys").chmod(0o600)
    missing = tmp_path / "node-exporter" / "hbtui.prom"
    (config / "hbtui.conf").write_text(f"metrics_textfile = {missing}\n")
    out = io.StringIO()
    assert check_config(config, "server1", as_json=False, out=out) == 0  # a warning
    assert f"metrics_textfile {missing}: no directory {missing.parent}" in out.getvalue()
