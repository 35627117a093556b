"""ha.cf's tuning directives (issue 16): compression, compression_threshold,
traditional_compression, max_rexmit_delay, hopfudge, uuidfrom, read as Heartbeat 3.0.6 reads
them and used (no "does not implement" warning); max_rexmit_delay, only partly the daemon's,
says what differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.config.ha_cf import UNSUPPORTED, parse_ha_cf
from hbtui.config.lines import ConfigFile
from hbtui.config.model import Compression, CompressionName, HaCf
from hbtui.config.problems import Problem, Severity

Capture = pytest.CaptureFixture[str]
BASE = "node server1 server2\nucast eth0 192.168.10.2\n"
TUNING = (
    "compression",
    "compression_threshold",
    "traditional_compression",
    "max_rexmit_delay",
    "hopfudge",
    "uuidfrom",
)


def parse(text: str) -> tuple[HaCf, list[Problem]]:
    return parse_ha_cf(ConfigFile(Path("/etc/ha.d/ha.cf"), BASE + text, 0o644))


def test_the_daemons_defaults() -> None:
    cf, problems = parse("")
    assert problems == []
    assert cf.compression == Compression(CompressionName.ZLIB, 2048, traditional=False)
    assert (cf.max_rexmit_delay_ms, cf.hopfudge, cf.uuid_from_name) == (250, 1, False)
    assert not cf.compression.wants(10**6)  # only traditional compression sends compressed


def test_every_tuning_directive_is_used() -> None:
    assert not set(TUNING) & UNSUPPORTED.keys()
    cf, problems = parse(
        "compression bz2\ncompression_threshold 1\ntraditional_compression yes\n"
        "max_rexmit_delay 400\nhopfudge 3\nuuidfrom nodename\n"
    )
    assert [(p.severity, p.line) for p in problems] == [(Severity.WARNING, 6)]
    assert problems[0].message == (
        "max_rexmit_delay 400: hbtui asks for a lost message 200 ms after it notices the gap "
        "and resends one at most once a second; the daemon asks after a random 50 to 400 ms, "
        "asks the same node again only 400 ms later, and resends a message at most once "
        "every 390 ms"
    )
    assert cf.compression == Compression(CompressionName.BZ2, 1024, traditional=True)
    assert cf.compression.wants(1025) and not cf.compression.wants(1024)
    assert (cf.max_rexmit_delay_ms, cf.hopfudge, cf.uuid_from_name) == (400, 3, True)
    cf, problems = parse("uuidfrom file\ntraditional_compression off\n")
    assert problems == [] and not cf.uuid_from_name and not cf.compression.traditional


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("compression gzip", "Compression module(gzip) not found"),
        ("compression ZLIB", "Compression module(ZLIB) not found"),
        ("compression_threshold 0", "compress_threshhold(0) invalid"),
        ("compression_threshold -2", "compress_threshhold(-2) invalid"),
        ("compression_threshold big", "compress_threshhold(big) invalid"),
        ("traditional_compression maybe", "invalid traditional_compression [maybe]"),
        ("max_rexmit_delay 0", "Invalid max_rexmit_delay time(0)"),
        ("hopfudge 256", "invalid hopfudge [256]: 0 to 255"),
        ("uuidfrom Nodename", "Invalid uuidfrom directive [Nodename]"),
        ("uuidfrom", "uuidfrom takes exactly one value"),
    ],
)
def test_a_value_the_daemon_refuses_is_an_error(line: str, why: str) -> None:
    cf, problems = parse(line + "\n")
    assert [(p.severity, p.line) for p in problems] == [(Severity.ERROR, 3)]
    assert why in problems[0].message
    assert cf.compression == Compression() and cf.max_rexmit_delay_ms == 250


def test_numbers_are_read_as_atoi_reads_them() -> None:
    cf, problems = parse("compression_threshold 4k\nmax_rexmit_delay 80ms\n")
    assert cf.compression.threshold == 4096 and cf.max_rexmit_delay_ms == 80
    assert [p.severity for p in problems] == [Severity.WARNING] * 3
    assert "Heartbeat reads it as 4" in problems[0].message
    assert "Heartbeat reads it as 80" in problems[1].message
    assert "a random 0 to 80 ms" in problems[2].message


def test_hbtui_check_says_what_goes_on_the_wire(howto: Path, capsys: Capture) -> None:
    args = ("check", "--config-dir", str(howto), "--node-name", "server1")
    assert main([*args]) == 0
    out = capsys.readouterr().out
    assert "wire:      msgfmt classic; sent uncompressed; uuid from hb_uuid" in out
    with (howto / "ha.cf").open("a") as f:
        f.write("compression bz2\ncompression_threshold 1\ntraditional_compression on\n")
        f.write("uuidfrom nodename\nhopfudge 2\n")
    assert main([*args]) == 0
    out = capsys.readouterr().out
    assert "does not implement" not in out and "hopfudge" not in out
    wire = (
        "wire:      msgfmt classic; messages over 1 KB sent bz2-compressed; uuid from the node name"
    )
    assert wire in out
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cluster"]["wire"] == {
        "msgfmt": "classic",
        "compression": "bz2",
        "compression_threshold_kb": 1,
        "traditional_compression": True,
        "uuidfrom": "nodename",
    }
