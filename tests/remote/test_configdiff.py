"""Config diff between two nodes: what breaks the cluster, and keys shown only by digest."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from hbtui.configdiff import Impact, breaking, diff_configs, parse_node_config
from hbtui.remote import commands
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
SECRET = "PutYourSuperSecretKeyHere"


def howto_texts() -> dict[str, str]:
    return {n: (HOWTO / n).read_text() for n in ("ha.cf", "haresources", "authkeys")}


def test_identical_configs_have_no_difference() -> None:
    a = parse_node_config("server1", howto_texts())
    b = parse_node_config("server2", howto_texts())
    assert diff_configs(a, b) == []


def test_different_deadtime_and_key_are_called_out_without_the_key() -> None:
    left = howto_texts()
    right = howto_texts()
    right["ha.cf"] = right["ha.cf"].replace("deadtime 5", "deadtime 10")
    right["authkeys"] = right["authkeys"].replace(SECRET, "AnotherSecretKey")
    found = diff_configs(parse_node_config("server1", left), parse_node_config("server2", right))
    lines = [d.line("server1", "server2") for d in found]
    assert [d.what for d in breaking(found)] == ["deadtime", "key 1"]
    assert lines[0].startswith("BREAKS ha.cf deadtime: server1 5 s, server2 10 s")
    digest = hashlib.sha256(SECRET.encode()).hexdigest()[:12]
    assert f"sha1 sha256:{digest}" in lines[1]
    text = "\n".join(lines)
    assert SECRET not in text and "AnotherSecretKey" not in text


def test_node_lists_udpport_failback_and_groups() -> None:
    right = howto_texts()
    # udpport must come before the media lines: a later one is ignored (as 3.0.6 does)
    right["ha.cf"] = "udpport 695\n" + (
        right["ha.cf"]
        .replace("node server1 server2", "node server1 server3")
        .replace("udpport 694", "")
        .replace("auto_failback on", "auto_failback off")
    )
    right["haresources"] = right["haresources"].replace("server1 IPaddr", "server2 IPaddr")
    found = diff_configs(
        parse_node_config("server1", howto_texts()), parse_node_config("server2", right)
    )
    whats = {d.what for d in breaking(found)}
    assert {"node list", "udpport", "auto_failback"} <= whats
    assert any(w.startswith("group ") for w in whats)


def test_mcast_ports_that_differ_are_a_media_difference() -> None:
    """issue 16: two nodes on one group but different ports never hear each other."""
    left, right = howto_texts(), howto_texts()
    left["ha.cf"] += "mcast eth0 239.0.0.43 694 1 0\n"
    right["ha.cf"] += "mcast eth0 239.0.0.43 695 1 0\n"
    found = diff_configs(parse_node_config("server1", left), parse_node_config("server2", right))
    assert [d.what for d in found] == ["media"]


def test_auth_index_moved_but_same_keys_only_differs() -> None:
    left = howto_texts()
    left["authkeys"] = f"auth 1\n1 sha1 {SECRET}\n2 md5 other\n"
    right = dict(left, authkeys=f"auth 2\n1 sha1 {SECRET}\n2 md5 other\n")
    found = diff_configs(parse_node_config("a", left), parse_node_config("b", right))
    assert [d.impact for d in found] == [Impact.DIFFERS]


def test_missing_file_breaks() -> None:
    right = howto_texts()
    del right["authkeys"]
    found = diff_configs(
        parse_node_config("server1", howto_texts()), parse_node_config("server2", right)
    )
    assert [(d.file, d.impact) for d in found] == [("authkeys", Impact.BREAKS)]


async def test_diff_against_files_read_over_ssh(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    peer_dir = tmp_path / "peer-ha.d"
    peer_dir.mkdir()
    for name, text in howto_texts().items():
        if name == "ha.cf":
            text = text.replace("deadtime 5", "deadtime 10")
        (peer_dir / name).write_text(text)
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    try:
        texts = {}
        for name in commands.CONFIG_FILES:
            result = await link.run(commands.config_file(name, PurePosixPath(peer_dir)))
            assert result.ok, result.stderr
            texts[name] = result.stdout
    finally:
        await link.close()
    found = diff_configs(
        parse_node_config("server1", howto_texts()), parse_node_config("server2", texts)
    )
    assert [d.what for d in found] == ["deadtime"]
