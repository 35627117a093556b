"""The capture reader and ``hbtui decode`` on the real daemon's cold-start capture."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from wirevec import VECTORS, WRONG_KEY_VECTOR, authkeys_file, datagram_vectors, make_keys

from hbtui.cli import main
from hbtui.config.model import AuthMethod
from hbtui.wire import packet
from hbtui.wire.accept import Acceptor, Reason
from hbtui.wire.packet import PacketRejected, SignatureCheck
from hbtui.wire.pcap import PcapError, read_datagrams

CAPTURE = VECTORS / "capture-a-cold-start.pcap"
NODES = ("server1", "server2")


def capture() -> list:  # type: ignore[type-arg]
    return list(read_datagrams(CAPTURE.read_bytes()))


def to_pcapng(pcap: bytes) -> bytes:
    """Rewrite a little-endian classic pcap as pcapng (SHB, IDB, EPBs)."""

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB3x", 9, 1, 6) + b"\0" * 4)
    pos = 24
    while pos < len(pcap):
        sec, usec, caplen, length = struct.unpack_from("<IIII", pcap, pos)
        stamp = sec * 1_000_000 + usec
        frame = pcap[pos + 16 : pos + 16 + caplen]
        head = struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, caplen, length)
        out += block(6, head + frame)
        pos += 16 + caplen
    return out


def test_classic_pcap_reader() -> None:
    datagrams = capture()
    assert len(datagrams) == 115
    first = datagrams[0]
    assert first.src == ("192.168.10.1", 36574) and first.dst == ("192.168.10.2", 694)
    assert first.time == pytest.approx(1795555130.632265)
    assert first.payload == (VECTORS / "01-status-init-server1.bin").read_bytes()


def test_pcapng_reader_gives_the_same_datagrams() -> None:
    assert list(read_datagrams(to_pcapng(CAPTURE.read_bytes()))) == capture()


def test_reader_refuses_other_files() -> None:
    with pytest.raises(PcapError):
        read_datagrams(b"hello")


def test_capture_replay_is_accepted_by_both_nodes() -> None:
    """Each node accepts everything its peer sent; the real late packet fills its gap."""
    gaps = []
    for us in NODES:
        peer = next(n for n in NODES if n != us)
        acceptor = Acceptor(us, NODES, make_keys())
        for d in capture():
            verdict = acceptor.accept(d.payload, d.src)
            if verdict.reason is Reason.FROM_SELF:
                continue  # the capture holds both directions
            assert verdict.ok or verdict.reason is Reason.NOT_FOR_US, verdict.detail
            assert not verdict.duplicate
            if verdict.missing or verdict.gap_filled:
                gaps.append((us, verdict.missing, verdict.gap_filled))
        assert acceptor.missing(peer) == ()
        assert not acceptor.describe()
    # server1 sent resource seq 0x2b before ask_resources seq 0x2a (docs/protocol.md §5.3 rule 6)
    assert gaps == [("server2", (0x2A,), False), ("server2", (), True)]


def test_decode_capture_right_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = authkeys_file(tmp_path)
    assert main(["decode", "--authkeys", str(keys), str(CAPTURE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 115
    assert all(line.endswith("trailer=ok auth=ok") for line in lines)
    assert lines[0] == (
        "2026-11-24 21:18:50.632265 192.168.10.1:36574 -> 192.168.10.2:694 status "
        "src=server1 st=init dt=1b58 seq=1 hg=6b05ff3b trailer=ok auth=ok"
    )


def test_decode_capture_wrong_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keys = tmp_path / "authkeys"
    keys.write_text("auth 1\n1 sha1 SomethingElseEntirely\n")
    keys.chmod(0o644)  # a lax mode is fine for decoding
    assert main(["decode", "--authkeys", str(keys), str(CAPTURE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.endswith("trailer: bad signature auth: bad signature") for line in lines)


def test_decode_raw_files_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in datagram_vectors()]
    assert main(["decode", "--json", *files]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == len(files)
    assert {r["trailer"] for r in records} == {"no key"}
    ack = next(r for r in records if r["type"] == "NS_ackmsg")
    assert {"name": "ackseq", "type": 0, "value": "8"} in ack["fields"]


def test_decode_wrong_key_vector_and_garbage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keys = authkeys_file(tmp_path)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"###\n99:(0)t=")
    wrong = str(VECTORS / WRONG_KEY_VECTOR)
    assert main(["decode", "--authkeys", str(keys), wrong, str(junk)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("trailer: bad signature auth: bad signature")
    assert "undecodable (12 bytes)" in out[1]


def test_decode_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "/nonexistent/x.bin"]) == 1
    assert "x.bin" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("method", "secret"),
    [(AuthMethod.CRC, b""), (AuthMethod.MD5, b"PutYourSuperSecretKeyHere")],
)
def test_real_daemon_crc_and_md5_captures_verify(method: AuthMethod, secret: bytes) -> None:
    """Captures of the real daemon with `auth 2` and the crc / md5 method."""
    datagrams = list(read_datagrams((VECTORS / f"lab-{method}-cold-start.pcap").read_bytes()))
    assert len(datagrams) >= 80
    keys = make_keys(secret, index=2, method=method)
    wrong = make_keys(b"x" if secret else b"", index=2, method=AuthMethod.SHA1)
    for d in datagrams:
        msg = packet.unseal(d.payload, keys)
        assert packet.auth_field_check(msg, keys) is SignatureCheck.OK
        assert packet.seal(msg, keys) == d.payload  # our signer reproduces the daemon's bytes
        with pytest.raises(PacketRejected) as info:
            packet.unseal(d.payload, wrong)
        assert info.value.reason is Reason.BAD_SIGNATURE
    if method is AuthMethod.CRC:  # %lx: some digests are shorter than 8 digits
        lengths = {len(packet.parse_trailer(packet.split(d.payload)[2])[1]) for d in datagrams}
        assert min(lengths) < 8


def test_decode_classic_and_msgfmt_netstring_datagrams(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 16: a classic text datagram shows ``classic`` and the verdict on its ``auth``
    field (the one receivers check); a ``msgfmt netstring`` datagram has no auth field."""
    keys = authkeys_file(tmp_path)
    msg = packet.split((VECTORS / "03-status-active-server1.bin").read_bytes())[0]
    good = tmp_path / "classic.bin"
    good.write_bytes(packet.seal_classic(msg, make_keys()))
    bad = tmp_path / "tampered.bin"
    bad.write_bytes(good.read_bytes().replace(b"st=active", b"st=standby"))
    bare = VECTORS / "msgfmt-netstring-status-active-server1.bin"
    assert main(["decode", "--authkeys", str(keys), str(good), str(bad), str(bare)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(" src=server1 st=active dt=1388 seq=21 hg=6b05ff3b classic auth=ok")
    assert out[1].endswith(" st=standby dt=1388 seq=21 hg=6b05ff3b classic auth: bad signature")
    assert out[2].endswith("seq=6 hg=6b147d8f trailer=ok auth=missing")
    assert main(["decode", "--json", str(good)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["format"], record["auth"], record["length"]) == ("classic", "no key", 208)
