"""Every recorded file in ``tests/wire/vectors`` is checked against what hbtui reads or writes.

The datagrams themselves (``NN-*.bin``) and the pcaps are exercised by the codec tests;
this module covers their ``.txt`` descriptions, the real daemon's ha-log excerpts, its init
script's output and its state files (docs/protocol.md §8).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from wirevec import (
    COMPRESSED,
    DATAGRAMS,
    EXPECTED_FILES,
    HA_LOGS,
    INIT_SCRIPT_OUTPUTS,
    MSGFMT_NETSTRING,
    PCAPS,
    STATE_FILES,
    VECTORS,
    compressed_vectors,
    datagram_vectors,
    described_fields,
    ha_logs,
    make_keys,
    msgfmt_netstring_vectors,
    secret_for,
)

from hbtui.adapters.halog import format_log_line
from hbtui.adapters.state import load_or_create_uuid, read_generation, read_hostcache
from hbtui.config.loader import load_config
from hbtui.engine.actions import LogLevel, WriteLog
from hbtui.stream.halog import level_of, status_changes
from hbtui.wire import packet
from hbtui.wire.message import FieldType
from hbtui.wire.packet import SignatureCheck

DAEMON_LINE = re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ heartbeat: \[\d+\]: (\w+): ")
SCRIPT_LINE = re.compile(r"^\d{4}/\d\d/\d\d_\d\d:\d\d:\d\d  \S+\(\S+\)\[\d+\]:\s+(?:(\w+): )?")
# ha-log-f: the daemon dumps a rejected packet after its ERROR line, one netstring per line
PACKET_DUMP = re.compile(r"^(\d+:\(\d\)|42:1 )")
HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


def test_the_folder_holds_every_recorded_file() -> None:
    names = [p.name for p in VECTORS.iterdir()]
    assert len(names) == EXPECTED_FILES
    assert len(datagram_vectors()) == DATAGRAMS
    assert len(msgfmt_netstring_vectors()) == MSGFMT_NETSTRING
    assert len(compressed_vectors()) == COMPRESSED
    assert len(list(VECTORS.glob("compressed-*.txt"))) == COMPRESSED
    assert len(list(VECTORS.glob("msgfmt-netstring-*.txt"))) == MSGFMT_NETSTRING
    assert len(list(VECTORS.glob("[0-9][0-9]-*.txt"))) == DATAGRAMS
    assert len(ha_logs()) == HA_LOGS
    assert len(list(VECTORS.glob("initscript-*.txt"))) == INIT_SCRIPT_OUTPUTS
    assert len(list(VECTORS.glob("state-*"))) == STATE_FILES
    assert len(list(VECTORS.glob("*.pcap"))) == PCAPS


def decoded_as_described(path: Path) -> str:
    """Check field order, types, values and the length of a datagram against its ``.txt``
    description; return the description."""
    data = path.read_bytes()
    text = path.with_suffix(".txt").read_text()
    assert f"length:    {len(data)} bytes" in text
    msg, _, _ = packet.split(data)
    decoded = []
    for field in msg.fields:
        assert isinstance(field.value, bytes)
        if field.type is FieldType.BINARY:
            shown = f"hex:{field.value.hex()} base64:"
        else:
            shown = field.value.decode()
        decoded.append((field.type, field.name, shown))
    described = described_fields(text)
    assert [(t, n) for t, n, _ in decoded] == [(t, n) for t, n, _ in described]
    for (kind, name, ours), (_, _, theirs) in zip(decoded, described, strict=True):
        if kind is FieldType.BINARY:
            assert theirs.startswith(ours), name
        else:
            assert theirs == ours, name
    return text


@pytest.mark.parametrize("path", datagram_vectors(), ids=lambda p: p.stem[:2])
def test_description_matches_what_hbtui_decodes(path: Path) -> None:
    """Field order, types and values, the length and both signature verdicts."""
    text = decoded_as_described(path)
    data = path.read_bytes()
    assert "trailer HMAC-SHA1=True, auth= field HMAC-SHA1=True" in text
    keys = make_keys(secret_for(path.name))
    assert packet.trailer_check(data, keys) is SignatureCheck.OK
    assert packet.auth_field_check(packet.unseal(data, keys), keys) is SignatureCheck.OK


@pytest.mark.parametrize("path", msgfmt_netstring_vectors(), ids=lambda p: p.stem[17:])
def test_msgfmt_netstring_descriptions_match(path: Path) -> None:
    """A daemon configured ``msgfmt netstring``: the trailer alone, no ``auth`` field."""
    text = decoded_as_described(path)
    assert "trailer HMAC-SHA1=True, no auth= field" in text
    data = path.read_bytes()
    assert packet.trailer_check(data, make_keys()) is SignatureCheck.OK
    msg = packet.unseal(data, make_keys())
    assert packet.auth_field_check(msg, make_keys()) is SignatureCheck.MISSING


@pytest.mark.parametrize("path", compressed_vectors(), ids=lambda p: p.stem)
def test_compressed_descriptions_match(path: Path) -> None:
    """The wrapper's two fields as described; the expanded message's fields after them."""
    text = decoded_as_described(path)
    assert "trailer HMAC-SHA1=True, inner auth= field HMAC-SHA1=True" in text
    msg = packet.unseal(path.read_bytes(), make_keys())
    inner = text.split("with its NUL:\n", 1)[1]
    assert [line.split("=", 1)[0].split(") ")[1] for line in inner.splitlines()] == [
        f.name for f in msg
    ]


@pytest.mark.parametrize("path", ha_logs(), ids=lambda p: p.stem[7:])
def test_every_real_ha_log_line_has_a_shape_hbtui_reads(path: Path) -> None:
    """Daemon and resource-script lines; the level hbtui's log reader finds is the line's."""
    for line in path.read_bytes().decode(errors="replace").splitlines():
        m = DAEMON_LINE.match(line) or SCRIPT_LINE.match(line)
        if m is None:
            assert path.name.startswith("ha-log-f-wrong-key-") and PACKET_DUMP.match(line), line
            continue
        word = {"WARN": "WARN", "ERROR": "ERROR", "CRIT": "CRIT", "debug": "debug"}
        assert level_of(line) == word.get(m.group(1) or "info", "info"), line


def test_hbtuis_own_lines_have_the_real_daemons_shapes() -> None:
    for level in LogLevel:
        daemon = format_log_line(WriteLog(level, "text"), 1795663801.0, "server1", 42)
        script = format_log_line(WriteLog(level, "text", "ResourceManager"), 0.0, "s", 42)
        assert (m := DAEMON_LINE.match(daemon)) and m.group(1) == level.value
        assert (m := SCRIPT_LINE.match(script)) and m.group(1) == level.value


def read_states(name: str) -> list[tuple[str, str]]:
    log = (VECTORS / name).read_text()
    return [(c.node, c.new) for line in log.splitlines() for c in status_changes(line, "me", 0)]


def test_node_states_read_from_real_logs() -> None:
    assert ("server2", "active") in read_states("ha-log-a-cold-start-server1.txt")
    assert ("server1", "dead") in read_states("ha-log-b-node-dead-takeover-server2.txt")


def test_init_script_outputs_carry_the_words_hbtui_check_uses(tmp_path: Path) -> None:
    """The real daemon's refusals, recorded from its init script, in hbtui's own words."""
    shutil.copytree(HOWTO, tmp_path / "ha.d")
    (tmp_path / "ha.d" / "authkeys").chmod(0o644)
    _, problems = load_config(tmp_path / "ha.d", "server1")
    perms = [p.message for p in problems if "authkeys" in str(p.path)]
    recorded = (VECTORS / "initscript-g-start-server1.txt").read_text()
    assert any(m.split(" [")[0] in recorded and "600 recommended" in m for m in perms), perms
    (tmp_path / "ha.d" / "authkeys").chmod(0o600)
    _, problems = load_config(tmp_path / "ha.d", "server3")
    words = "Current node [server3] not in configuration!"
    assert any(words in p.message for p in problems)
    assert words in (VECTORS / "initscript-x-notinconf-start-server3.txt").read_text()
    stale = (VECTORS / "initscript-c-restart-server1-stale-vip.txt").read_text()
    assert "Resource IPaddr::192.168.10.10/24 is active, and should not be!" in stale


@pytest.mark.parametrize("node", ["server1", "server2"])
def test_real_state_files_are_read_as_they_are(node: str, tmp_path: Path) -> None:
    for name in ("hb_uuid", "hb_generation", "delhostcache"):
        shutil.copy(VECTORS / f"state-b-{node}.{name}", tmp_path / name)
    uuid, created = load_or_create_uuid(tmp_path)
    assert (uuid, created) == ((VECTORS / f"state-b-{node}.hb_uuid").read_bytes(), False)
    assert len(uuid) == 16
    assert read_generation(tmp_path) == 1795663801
    assert read_hostcache(tmp_path / "delhostcache") == []
