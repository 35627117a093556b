"""Self-test of the namespace lab: isolation, naming, cleanup, and the observe helpers."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from hbtui.lab.commands import LabError, run
from hbtui.lab.netns import Lab, existing_netns

from .observe import capture, drop_traffic, restore_traffic, wait_for_vip

pytestmark = pytest.mark.lab


def root_addresses() -> list[str]:
    links = json.loads(run(["ip", "-j", "addr", "show"]).stdout)
    return [info["local"] for link in links for info in link.get("addr_info", [])]


def test_nodes_are_isolated_and_teardown_removes_everything(lab: Lab) -> None:
    names = lab.netns_names
    assert len(names) == 3 and set(names) <= existing_netns()
    anchors = [node.anchor_pid for node in lab]
    for node in lab:
        assert node.run(["uname", "-n"], check=True).stdout.strip() == node.name
        assert [a.ip for a in node.addresses() if a.ifname == "eth0"] == [node.ip]
        # PID namespace: only PID 1 (anchor) and the command itself are visible.
        assert node.run(["cat", "/proc/self/stat"]).stdout.split()[0] != "1"
        assert node.processes() == []
    assert socket.gethostname() not in {"server1", "server2"}
    assert not [ip for ip in root_addresses() if ip.startswith("192.168.10.")]
    routes = run(["ip", "-j", "route", "show", "192.168.10.0/24"]).stdout
    assert json.loads(routes or "[]") == []
    assert lab["server1"].run(["ping", "-c", "1", "-W", "2", "192.168.10.2"]).returncode == 0
    lab.close()
    assert not set(names) & existing_netns()
    assert all(not os.path.exists(f"/proc/{pid}") for pid in anchors)


def test_private_directories_per_node(lab: Lab) -> None:
    one, two = lab["server1"], lab["server2"]
    one.run(["sh", "-c", "echo one > /var/log/probe; echo one > /etc/ha.d/probe"], check=True)
    assert one.host_path("/var/log/probe").read_text() == "one\n"
    assert (one.etc_dir / "probe").exists()
    assert two.run(["cat", "/var/log/probe"]).returncode != 0
    assert not os.path.exists("/var/log/probe")
    assert "192.168.10.2 server2" in one.run(["cat", "/etc/hosts"]).stdout


def test_reboot_is_a_harmless_standin(lab: Lab) -> None:
    node = lab["server1"]
    if not node.bound or not any(os.path.exists(p) for p in ("/sbin/reboot", "/sbin/shutdown")):
        pytest.skip("no reboot/shutdown command on this machine to stand in for")
    done = node.run(["/sbin/reboot", "-nf"], timeout=10)
    assert done.returncode == 0
    assert any("reboot -nf" in line for line in node.standin_calls())
    assert node.run(["uname", "-n"]).stdout.strip() == "server1"


def test_kill_all_stops_every_process_of_the_node(lab: Lab) -> None:
    node = lab["server1"]
    node.popen(["sh", "-c", "sleep 300 & sleep 300 & wait"])
    deadline = time.monotonic() + 5
    while len(node.processes()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(node.processes()) == 3
    killed = node.kill_all()
    assert len(killed) == 3 and node.processes() == []
    assert node.run(["uname", "-n"]).stdout.strip() == "server1"  # the anchor lives on


def test_wait_for_vip_sees_add_and_remove(lab: Lab) -> None:
    node = lab["server2"]
    add = ["ip", "addr", "add", "192.168.10.99/24", "dev", "eth0", "label", "eth0:9"]
    node.popen(["sh", "-c", 'sleep 0.2; exec "$@"', "sh", *add])
    began = time.monotonic()
    seen = wait_for_vip(node, "192.168.10.99", present=True, timeout=5)
    assert 0.15 < seen - began < 3
    assert lab.vip_holders("192.168.10.99") == ["server2"]
    label = [a.label for a in node.addresses() if a.ip == "192.168.10.99"]
    assert label == ["eth0:9"]
    node.run(["ip", "addr", "del", "192.168.10.99/24", "dev", "eth0"], check=True)
    wait_for_vip(node, "192.168.10.99", present=False, timeout=5)
    with pytest.raises(TimeoutError):
        wait_for_vip(node, "192.168.10.99", present=True, timeout=0.2)


def test_drop_traffic_and_capture(lab: Lab) -> None:
    one = lab["server1"]
    ping = ["ping", "-c", "1", "-W", "1", "192.168.10.2"]
    pcap = lab.directory / "icmp.pcap"
    with capture(lab, pcap, "icmp"):
        drop_traffic(one, 100)
        assert one.run(ping).returncode != 0
        restore_traffic(one)
        assert one.run(ping).returncode == 0
    assert pcap.stat().st_size > 24  # pcap header plus the echo request/reply
    with pytest.raises(ValueError):
        drop_traffic(one, 101)


def test_failed_start_cleans_up(tmp_path: os.PathLike[str]) -> None:
    from .conftest import lab_unavailable

    if lab_unavailable():
        pytest.skip(lab_unavailable() or "")
    broken = Lab(["server1", "x" * 80], base_dir=None)
    with pytest.raises(LabError):
        broken.start()
    assert not set(broken.netns_names) & existing_netns()
