"""Peer detection: pure parsers, and a probe of a real sshd peer with a fake /etc/ha.d."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path, PurePosixPath

from hbtui.remote import commands
from hbtui.remote.detect import (
    PeerDaemon,
    detect_service,
    parse_hbtui_status,
    parse_inventory,
    parse_ip_json,
    parse_od_uuid,
    probe_peer,
)
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
SAMPLE_UUID = "63beed36-4d3a-42b1-9ecc-42bdc8c9370f"


def test_od_output_becomes_a_uuid() -> None:
    text = " 63 be ed 36 4d 3a 42 b1 9e cc 42 bd c8 c9 37 0f\n"
    assert parse_od_uuid(text) == SAMPLE_UUID
    assert parse_od_uuid(" 63 be\n") is None
    assert parse_od_uuid("zz") is None


def test_ip_json_addresses() -> None:
    text = (
        '[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,'
        '"label":"lo"}]},{"ifname":"eth0","addr_info":[{"local":"192.168.10.2",'
        '"prefixlen":24,"label":"eth0"},{"local":"192.168.10.10","prefixlen":24,'
        '"label":"eth0:0"}]}]'
    )
    found = parse_ip_json(text)
    assert [str(a) for a in found] == [
        "127.0.0.1/8 on lo",
        "192.168.10.2/24 on eth0",
        "192.168.10.10/24 on eth0 (eth0:0)",
    ]
    assert parse_ip_json("not json") == ()


def test_hbtui_status_first_line() -> None:
    assert parse_hbtui_status('{"node": "server2"}\n{"event": 1}\n') == {"node": "server2"}
    assert parse_hbtui_status('{\n  "node": "server2"\n}\n') == {"node": "server2"}
    assert parse_hbtui_status("usage: ...") is None


def test_argv_never_embeds_values_in_script_text() -> None:
    evil = "x; rm -rf /"
    argv = commands.command_exists(evil)
    assert argv[-1] == evil and evil not in argv[2]
    argv = commands.write_file(PurePosixPath("/etc/ha.d/it's"))
    assert argv[-1] == "/etc/ha.d/it's" and "it's" not in argv[2]


async def test_probe_local_fake_node(tmp_path: Path) -> None:
    facts = await _probe_fake(LocalRunner(), tmp_path)
    _check_facts(facts)


async def test_probe_peer_over_ssh(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        facts = await _probe_fake(link, tmp_path)
        written = tmp_path / "etc" / "new file; with 'quotes'"
        result = await link.run(commands.write_file(PurePosixPath(written)), input_text="a\nb\n")
        assert result.ok, result.stderr
        assert written.read_text() == "a\nb\n"
        assert (written.stat().st_mode & 0o777) == 0o600
    finally:
        await link.close()
    _check_facts(facts)


async def _probe_fake(runner: LocalRunner | PeerLink, root: Path):  # type: ignore[no-untyped-def]
    etc = root / "etc"
    shutil.copytree(HOWTO, etc)
    state = root / "state"
    state.mkdir()
    (state / "hb_uuid").write_bytes(uuid.UUID(SAMPLE_UUID).bytes)
    return await probe_peer(runner, config_dir=PurePosixPath(etc), state_dir=PurePosixPath(state))


def _check_facts(facts) -> None:  # type: ignore[no-untyped-def]
    assert facts.node_name
    assert facts.hb_uuid == SAMPLE_UUID
    assert set(facts.config_texts) == {"ha.cf", "haresources", "authkeys"}
    assert "node server1 server2" in facts.config_texts["ha.cf"]
    assert any(a.address == "127.0.0.1" for a in facts.addresses)
    # this machine has the Debian heartbeat package but no daemon running
    assert facts.daemon in (PeerDaemon.NONE, PeerDaemon.HEARTBEAT)
    if Path("/etc/init.d/heartbeat").exists():
        assert facts.service is not None


async def test_service_inventory_on_a_real_shell(tmp_path: Path) -> None:
    """The inventory script finds executable init scripts (systemd is absent here)."""
    init_dir = tmp_path / "init.d"
    init_dir.mkdir()
    hbtui_script = init_dir / "hbtui"
    hbtui_script.write_text("#!/bin/sh\nexit 0\n")
    hbtui_script.chmod(0o755)
    (init_dir / "heartbeat").write_text("not executable\n")
    done = await LocalRunner().run(commands.service_inventory(init_dir=PurePosixPath(init_dir)))
    found = parse_inventory(done.stdout)
    assert found["hbtui"].script and not found["hbtui"].unit
    assert not found["heartbeat"].present
    runner, where = LocalRunner(), PurePosixPath(init_dir)
    service = await detect_service(runner, PeerDaemon.NONE, init_dir=where)
    assert service is not None and service.start == (str(hbtui_script), "start")
    assert await detect_service(runner, PeerDaemon.HEARTBEAT, init_dir=where) is None
    known = commands.systemd_service(commands.HBTUI_UNIT)  # sticky: not even asked
    assert await detect_service(runner, PeerDaemon.NONE, known, where) is known
