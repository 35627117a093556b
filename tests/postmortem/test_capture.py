"""``hbtui postmortem --pcap``: the nodes' clocks from a capture of udp/694 (issue 17).

The capture is made here from a real status datagram of the Heartbeat 3.0.6 daemon
(tests/wire/vectors), its ``src``, ``seq`` and ``ts`` rewritten in place (same lengths).
"""

from __future__ import annotations

import json
import math
import struct
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.commands.postmortem import report_of
from hbtui.engine import hblog
from hbtui.postmortem.capture import clock_offsets, read_capture
from hbtui.postmortem.files import PostmortemError, read_log
from hbtui.postmortem.model import Kind
from hbtui.postmortem.timeline import Settings, analyse

from .test_hbtui_logs import T0, write_log

VECTORS = Path(__file__).resolve().parent.parent / "wire" / "vectors"
STATUS = (VECTORS / "03-status-active-server1.bin").read_bytes()
AHEAD_S = 3.0  # server2's clock against the capture's (and server1's)
SETTINGS = Settings(deadtime_s=5, nodes=("server1", "server2"))


def status(src: str, seq: int, ts: int) -> bytes:
    """The recorded status, as sent by ``src`` with ``seq`` (2 digits) at ``ts``."""
    out = STATUS.replace(b"src=server1", b"src=" + src.encode())
    out = out.replace(b"seq=21", b"seq=%02d" % seq)
    return out.replace(b"ts=6b05ff4e", b"ts=%08x" % ts)


def pcap(records: list[tuple[float, bytes]]) -> bytes:
    """A classic pcap (Ethernet) of UDP datagrams 192.168.10.x:694 -> broadcast."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for when, payload in records:
        udp = struct.pack("!HHHH", 694, 694, 8 + len(payload), 0) + payload
        ip = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
            bytes([192, 168, 10, 1]), bytes([192, 168, 10, 255]),
        )  # fmt: skip
        frame = b"\xff" * 6 + b"\x02" * 6 + b"\x08\x00" + ip + udp
        sec = math.floor(when)
        usec = round((when - sec) * 1e6)
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
    return b"".join(out)


def incident(tmp_path: Path) -> tuple[Path, Path]:
    """server1 sends until T0+20.3 s and dies; server2 (clock 3 s ahead) logs it dead."""
    t0 = T0.timestamp()
    records = []
    for k in range(21):
        sent1 = t0 + k + 0.3
        records.append((sent1, status("server1", 10 + k, math.floor(sent1))))
    for k in range(40):
        sent2 = t0 + k + 0.6
        records.append((sent2, status("server2", 10 + k, math.floor(sent2 + AHEAD_S))))
    capture = tmp_path / "udp694.pcap"
    capture.write_bytes(pcap(sorted(records)))
    dead_at = 20.3 + 5 + AHEAD_S  # seconds after T0 on server2's clock
    log = write_log(
        tmp_path / "ha-log",
        "server2",
        [
            (AHEAD_S, hblog.status_update("server1", "active")),
            (dead_at, hblog.warn("node server1: is dead")),
            (dead_at, hblog.taking_over("IPaddr::192.168.10.10/24")),
            (dead_at + 0.1, hblog.info("mach_down takeover complete.")),
        ],
    )
    return capture, log


def test_a_capture_puts_a_node_on_its_clock_and_dates_the_last_packet(tmp_path: Path) -> None:
    capture_path, log = incident(tmp_path)
    capture = read_capture([capture_path])
    offsets = clock_offsets(capture)
    assert abs(offsets["server1"]) <= 0.5 and abs(offsets["server2"] - AHEAD_S) <= 0.5

    report = analyse([read_log(log)], SETTINGS, capture)
    (entry,) = report.entries
    assert (entry.kind, entry.from_node, entry.to_node) == (Kind.FAILOVER, "server1", "server2")
    last = entry.phases["last_heard"]
    assert abs(last - (T0 + timedelta(seconds=20.3))) < timedelta(milliseconds=1)
    dead = entry.phases["declared_dead"]  # on the capture's clock now
    assert abs((dead - last).total_seconds() - 5.0) <= 0.5
    assert any("server2 +2.9 s" in note and "moved onto" in note for note in report.notes)

    blind = analyse([read_log(log)], SETTINGS)  # without the capture: server2's clock
    assert blind.entries[0].phases["declared_dead"] - dead >= timedelta(seconds=2.5)


def test_cli_pcap_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture, log = incident(tmp_path)
    assert main(["postmortem", "--json", "--pcap", str(capture), str(log)]) == 0
    (entry,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    heard = datetime.fromisoformat(entry["last_heard"])
    assert heard.astimezone().replace(tzinfo=None) == T0 + timedelta(seconds=20.3)


def test_a_capture_without_heartbeat_packets_is_an_error_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(pcap([]))
    with pytest.raises(PostmortemError, match=r"empty\.pcap: no Heartbeat status packet"):
        read_capture([empty])
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture")
    with pytest.raises(PostmortemError, match=r"junk\.pcap"):
        read_capture([junk])


HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
COLD_START = VECTORS / "capture-a-cold-start.pcap"  # two real daemons, the HOWTO's key


def config_dir(tmp_path: Path, key_line: str) -> Path:
    """The HOWTO's /etc/ha.d with ``key_line`` as authkeys' key 1."""
    etc = tmp_path / "ha.d"
    etc.mkdir()
    for name in ("ha.cf", "haresources"):
        (etc / name).write_text((HOWTO / name).read_text())
    (etc / "authkeys").write_text(f"auth 1\n{key_line}\n")
    (etc / "authkeys").chmod(0o600)
    return etc


def key_problems(tmp_path: Path, key_line: str, pcap_path: Path) -> list[str]:
    log = tmp_path / "ha-log-a-cold-start-server1.txt"
    log.write_text((VECTORS / log.name).read_text())
    report = report_of([log], config_dir(tmp_path, key_line), [pcap_path])
    return [p.text for p in report.problems if p.kind == "keys_differ"]


def test_the_real_daemons_packets_pass_with_their_key(tmp_path: Path) -> None:
    assert key_problems(tmp_path, "1 sha1 PutYourSuperSecretKeyHere", COLD_START) == []


def test_packets_signed_with_another_key_are_named_per_sender(tmp_path: Path) -> None:
    found = key_problems(tmp_path, "1 sha1 NotTheKeyTheyUsed", COLD_START)
    assert [text.split("'")[0] for text in found] == [
        "keys differ: server1",
        "keys differ: server2",
    ]
    assert all("signature does not match key 1 (sha1)" in text for text in found), found


def test_only_the_wrong_key_sender_is_named(tmp_path: Path) -> None:
    """The daemon's own status signed with the wrong key (vector 23) among good ones."""
    good = (VECTORS / "04-status-active-server2.bin").read_bytes()
    wrong = (VECTORS / "23-status-wrongkey-server2.bin").read_bytes()
    ours = (VECTORS / "03-status-active-server1.bin").read_bytes()
    t0 = T0.timestamp()
    mixed = tmp_path / "mixed.pcap"
    mixed.write_bytes(pcap([(t0, ours), (t0 + 0.5, good), (t0 + 1.25, wrong), (t0 + 2.25, wrong)]))
    (text,) = key_problems(tmp_path, "1 sha1 PutYourSuperSecretKeyHere", mixed)
    assert text.startswith("keys differ: server2's packets fail authentication in the capture")
    assert "since 10:41:01.250: 2 of 3 until 10:41:02.250" in text, text
