"""``hbtui report``: authkeys redaction, the log window, the bundle (never a key), and the
command on this machine (no node running: what is missing is listed, nothing fails)."""

from __future__ import annotations

import shutil
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.remote.ssh import LinkError
from hbtui.report.ask import BundleAsk, parse_span
from hbtui.report.bundle import write_bundle
from hbtui.report.make import make_bundle
from hbtui.report.redact import key_texts, redact_authkeys, scrub
from hbtui.report.window import in_window, line_time

HOWTO = Path(__file__).parents[2] / "hbtui" / "data" / "howto"
KEY = "PutYourSuperSecretKeyHere"


def howto_copy(tmp_path: Path) -> Path:
    """The HOWTO's /etc/ha.d copied under ``tmp_path`` (authkeys 600, as the node wants)."""
    config = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    return config


def report_files(tmp_path: Path, config: Path, node: str, out: Path) -> dict[str, str]:
    """Run `hbtui report` for one node without peers; the bundle's files by name."""
    argv = ["report", "--config-dir", str(config), "--state-dir", str(tmp_path / "state"),
            "--node-name", node, "--control-socket", str(tmp_path / "none.sock"),
            "--no-peers", "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    with tarfile.open(out) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}  # fmt: skip


def test_authkeys_keys_become_digests() -> None:
    text, dropped = redact_authkeys(
        f"# keys\nauth 1\n1 sha1 {KEY}\n2 crc\n3 md5 two words\nbogus\n"
    )
    assert KEY not in text and "two words" not in text and dropped == 1
    assert "1 sha1 sha256:" in text and "2 crc (no key)" not in text and "auth 1" in text
    assert key_texts(f"1 sha1 {KEY}\n2 md5 abc\n") == {KEY}  # a 3-character key is not scrubbed
    assert scrub(f"x {KEY} y", {KEY}) == "x [key removed] y"


def test_log_window_keeps_both_time_styles_and_continuations() -> None:
    log = (
        "2026/12/05_09:00:00 early\n"
        "Dec 05 09:30:00 server1 heartbeat: [1]: info: in\n"
        "  a continuation line\n"
        "2026/12/05_09:45:00 in too\n"
        "Dec 05 10:30:00 late\n"
    )
    kept = in_window(log, datetime(2026, 12, 5, 9, 15), datetime(2026, 12, 5, 10, 0))
    assert kept.splitlines() == [
        "Dec 05 09:30:00 server1 heartbeat: [1]: info: in",
        "  a continuation line",
        "2026/12/05_09:45:00 in too",
    ]
    assert line_time("no time here", 2026) is None
    assert in_window(log, None, None) == log


def test_the_bundle_never_holds_a_key(tmp_path: Path) -> None:
    items = [("etc/ha.cf", f"# someone pasted {KEY} here\n"), ("log/ha-log", "line\n")]
    out = write_bundle(tmp_path / "b.tar.gz", {"server1": items}, {KEY}, "all", ["x: y"])
    assert out.stat().st_mode & 0o777 == 0o600
    with tarfile.open(out) as tar:
        names = tar.getnames()
        texts = [tar.extractfile(m).read().decode() for m in tar.getmembers() if m.isfile()]  # type: ignore[union-attr]
    assert any(n.endswith("/README.txt") for n in names)
    assert any(n.endswith("/server1/etc/ha.cf") for n in names)
    assert all(KEY not in t for t in texts)
    assert any("not collected:" in t and "x: y" in t for t in texts)


def test_report_on_this_machine_without_a_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = howto_copy(tmp_path)
    out = tmp_path / "bundle.tar.gz"
    files = report_files(tmp_path, config, "server1", out)
    assert f"wrote {out} (server1;" in capsys.readouterr().out
    assert "server1/etc/ha.cf" in files and "server1/etc/authkeys.redacted" in files
    assert all(KEY not in text for text in files.values())
    assert "server1/status.json.error" in files  # no node runs: said, not fatal
    assert "server1: state/hb_uuid" in files["README.txt"]


def test_the_bundle_holds_the_postmortem_of_its_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: the support bundle carries `hbtui postmortem` of the window's logs."""
    config = howto_copy(tmp_path)
    log = tmp_path / "ha-log"
    vectors = Path(__file__).resolve().parents[1] / "wire" / "vectors"
    shutil.copy(vectors / "ha-log-b-node-dead-takeover-server2.txt", log)
    ha_cf = config / "ha.cf"
    lines = [
        ln for ln in ha_cf.read_text().splitlines() if not ln.startswith(("logfile", "debugfile"))
    ]
    ha_cf.write_text("\n".join([f"logfile {log}", *lines]) + "\n")
    files = report_files(tmp_path, config, "server2", tmp_path / "bundle.tar.gz")
    capsys.readouterr()
    assert "failover server1 -> server2" in files["postmortem/report.txt"]
    assert '"kind": "failover"' in files["postmortem/timeline.jsonl"]
    assert "postmortem/:\n  report.txt\n  timeline.jsonl" in files["README.txt"]


async def test_make_bundle_says_an_unreachable_node_and_keeps_the_window(tmp_path: Path) -> None:
    """The one function `hbtui report` and the console's B call: every node's own failure
    is said in the README, the others are bundled; logs are cut to the window."""

    async def here() -> tuple[list[tuple[str, str]], set[str]]:
        log = "2026/12/05_08:00:00 old\n2026/12/05_09:40:00 kept\n"
        return [("log/ha-log", log), ("status.json.error", "no node\n")], {KEY}

    async def peer() -> tuple[list[tuple[str, str]], set[str]]:
        raise LinkError("no route to server2")

    ask = BundleAsk(since=datetime(2026, 12, 5, 9, 30))
    done = await make_bundle("server1", {"server1": here, "server2": peer}, ask, tmp_path / "b.tgz")
    assert done.nodes == ("server1",)
    assert "server2: unreachable: no route to server2" in done.missing
    assert "server1: status.json: no node" in done.missing
    assert "(server1; " in done.summary()
    with tarfile.open(done.path) as tar:
        files = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                 for m in tar.getmembers() if m.isfile()}  # fmt: skip
    assert files["server1/log/ha-log"] == "2026/12/05_09:40:00 kept\n"
    assert "server2: unreachable" in files["README.txt"]


def test_spans_of_the_console_window() -> None:
    assert parse_span("1h") == timedelta(hours=1)
    assert parse_span(" 30m ") == timedelta(minutes=30)
    assert parse_span("1.5d") == timedelta(hours=36)
    for bad in ("", "1", "h", "0m", "-1h", "1 hour"):
        with pytest.raises(ValueError, match="not a time span"):
            parse_span(bad)


def test_an_unwritable_output_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = howto_copy(tmp_path)
    (tmp_path / "a-file").write_text("")
    argv = ["report", "--config-dir", str(config), "--state-dir", str(tmp_path / "state"),
            "--node-name", "server1", "--control-socket", str(tmp_path / "none.sock"),
            "--no-peers", "--output", str(tmp_path / "a-file" / "b.tar.gz")]  # fmt: skip
    assert main(argv) == 1
    out = tmp_path / "a-file" / "b.tar.gz"
    assert f"hbtui report: cannot write {out}:" in capsys.readouterr().err
