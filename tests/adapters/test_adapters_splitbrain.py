"""The split-brain detector: ARP probe frames, reply parsing, the watch's verdicts (a probe
stand-in), the hbtui.conf setting and the --check verdict."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from hbtui.adapters.arpprobe import build_probe_frame, mac_text, replier
from hbtui.adapters.garp import GarpError
from hbtui.adapters.splitbrain import SplitBrainWatch
from hbtui.config.hbtui_conf import load_settings
from hbtui.config.problems import ConfigError

OURS = bytes.fromhex("020000000001")
THEIRS = bytes.fromhex("020000000002")
VIP = "192.168.10.10"


def reply(mac: bytes, ip: str) -> bytes:
    arp = struct.pack(
        "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac, socket.inet_aton(ip), OURS, bytes(4)
    )
    return OURS + mac + b"\x08\x06" + arp


def test_the_probe_is_rfc5227_and_replies_are_read() -> None:
    frame = build_probe_frame(OURS, VIP)
    assert len(frame) == 60 and frame[:6] == b"\xff" * 6 and frame[12:14] == b"\x08\x06"
    sender_ip, target_ip = frame[28:32], frame[38:42]
    assert sender_ip == bytes(4) and target_ip == socket.inet_aton(VIP)  # nobody learns
    assert replier(reply(THEIRS, VIP), VIP) == THEIRS
    assert replier(reply(THEIRS, "192.168.10.11"), VIP) is None
    assert replier(frame, VIP) is None  # a request, not a reply
    assert replier(b"\x00" * 10, VIP) is None
    assert mac_text(THEIRS) == "02:00:00:00:00:02"


class Link:
    """What the probe stand-in answers, and whether the VIP is here."""

    def __init__(self) -> None:
        self.macs: tuple[str, ...] = ()
        self.here = True
        self.fail = False

    async def probe(self, device: str, ip: str) -> tuple[str, ...]:
        if self.fail:
            raise GarpError("no such device")
        return self.macs

    async def present(self, ip: str) -> bool:
        return self.here


async def test_watch_reports_each_split_brain_once_and_its_end() -> None:
    link, lines = Link(), []
    watch = SplitBrainWatch(
        [(VIP, "eth0")], 1.0, link.present, lambda lvl, t: lines.append((lvl, t)), lambda: 7,
        link.probe, lambda device: "02:00:00:00:00:01",
    )  # fmt: skip
    await watch.check_once()
    assert lines == [] and watch.describe()["split_brain"] == []
    assert watch.describe()["split_brains_seen"] == 0
    link.macs = ("02:00:00:00:00:02",)  # someone else answers for our VIP
    await watch.check_once()
    await watch.check_once()
    assert lines == [
        ("CRIT", "Split brain: 192.168.10.10 is held by 2 machines on eth0: "
                 "this node (02:00:00:00:00:01), 02:00:00:00:00:02"),
    ]  # fmt: skip
    (found,) = watch.describe()["split_brain"]
    assert found["macs"] == ["02:00:00:00:00:02"] and found["mac"] == "02:00:00:00:00:01"
    assert watch.describe()["split_brains_seen"] == 1
    link.here = False  # we let it go: one holder, the other machine
    await watch.check_once()
    assert lines[-1] == (
        "info",
        "Split brain over: 192.168.10.10 is held by 02:00:00:00:00:02 alone",
    )
    link.macs = ("02:00:00:00:00:02", "02:00:00:00:00:03")  # two others
    await watch.check_once()
    assert lines[-1][0] == "CRIT" and "02:00:00:00:00:03" in lines[-1][1]
    assert watch.describe()["split_brains_seen"] == 2  # a new one after the first ended
    link.fail = True
    await watch.check_once()
    await watch.check_once()
    assert [lvl for lvl, _ in lines].count("ERROR") == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [("split_brain_probe = 5", 5000), ("split_brain_probe = 2500ms", 2500),
     ("split_brain_probe = off", None)],
)  # fmt: skip
def test_setting(tmp_path: Path, line: str, expected: int | None) -> None:
    (tmp_path / "hbtui.conf").write_text(line + "\n")
    assert load_settings(tmp_path).split_brain_probe_ms == expected
    assert load_settings(tmp_path / "absent").split_brain_probe_ms is None


def test_a_bad_setting_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "hbtui.conf").write_text("start_probe = yes\nsplit_brain_probe = 10ms\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert f"{tmp_path / 'hbtui.conf'}:2" in str(err.value.problems[0])
