"""The guided hostname change: text rewrites, the dry-run plan, and the executor over sshd."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path, PurePosixPath

from hbtui.remote import commands
from hbtui.remote.commands import custom_service
from hbtui.remote.runner import LocalRunner
from hbtui.remote.ssh import PeerLink
from hbtui.rename.execute import StepOutcome, execute_plan, read_rename_node
from hbtui.rename.plan import Membership, RenameNode, plan_rename
from hbtui.rename.rewrite import (
    hostname_problem,
    rename_in_ha_cf,
    rename_in_haresources,
    rename_in_hosts,
)

from .conftest import Sshd

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
HOSTS = "127.0.0.1 localhost\n192.168.10.1 server1\n192.168.10.2 server2 server2.lan # peer\n"


def texts() -> dict[str, str]:
    return {n: (HOWTO / n).read_text() for n in commands.CONFIG_FILES}


def test_rewrites_touch_only_the_name_tokens() -> None:
    ha_cf = "# node server2 stays in comments\nnode server1  SERVER2 # two\nucast eth0 server2\n"
    assert rename_in_ha_cf(ha_cf, "server2", "server3") == (
        "# node server2 stays in comments\nnode server1  server3 # two\nucast eth0 server3\n"
    )
    hares = "server2 IPaddr::10.0.0.1 \\\n  server2\nserver1 x\n"
    assert rename_in_haresources(hares, "server2", "server3") == (
        "server3 IPaddr::10.0.0.1 \\\n  server2\nserver1 x\n"
    )
    assert rename_in_hosts(HOSTS, "server2", "server3") == HOSTS.replace("server2", "server3")
    assert hostname_problem("server3") is None
    assert hostname_problem("-x") and hostname_problem("a b") and hostname_problem("x;rm")


def _node(name: str, **extra: object) -> RenameNode:
    service = commands.systemd_service()
    return RenameNode(name, service, texts=texts(), hosts_text=HOSTS, **extra)  # type: ignore[arg-type]


def test_dry_run_shows_every_step_for_server2_to_server3() -> None:
    old_uuid = "63beed36-4d3a-42b1-9ecc-42bdc8c9370f"
    nodes = [_node("server1"), _node("server2", old_uuid=old_uuid)]
    plan = plan_rename(nodes, "server2", "server3")
    assert plan.problems == ()
    assert [s.key for s in plan.steps] == ["check", "stop", "uuid", "rename", "start", "verify"]
    text = "\n".join(plan.lines())
    for line in (
        "server1$ systemctl stop heartbeat.service",
        "server2$ systemctl stop heartbeat.service",
        "server1$ rm -f -- /var/lib/heartbeat/hb_uuid",
        "server2$ rm -f -- /var/lib/heartbeat/hb_uuid",
        'server2$ sh -c \'hostname "$1" && printf "%s\\n" "$1" > "$2"\' sh server3 /etc/hostname',
        "server1$ cp -p -- /etc/ha.d/ha.cf /etc/ha.d/ha.cf.hbtui-bak",
        "server2$ cp -p -- /etc/hosts /etc/hosts.hbtui-bak",
        "server1$ systemctl start heartbeat.service",
        "server1$ cl_status nodestatus server3",
        "server2$ cl_status nodestatus server1",
        "server2$ od -An -tx1 -v /var/lib/heartbeat/hb_uuid",
    ):
        assert line in text, line
    assert "if it fails:" in text
    # haresources names server1 only: unchanged, so not rewritten
    assert "haresources.hbtui-bak" not in text
    rename = plan.steps[3]
    written = [c.input_text for c in rename.actions if c.input_text]
    assert any("node server1 server3" in t for t in written)


def test_plan_refuses_bad_names_and_broken_configs() -> None:
    nodes = [_node("server1"), _node("server2")]
    assert any("already a node" in p for p in plan_rename(nodes, "server2", "server1").problems)
    assert any("not a valid" in p for p in plan_rename(nodes, "server2", "srv;rm").problems)
    assert any("not one of" in p for p in plan_rename(nodes, "server9", "server3").problems)
    other = texts()
    other["ha.cf"] = other["ha.cf"].replace("deadtime 5", "deadtime 10")
    broken = [_node("server1"), RenameNode("server2", nodes[1].service, texts=other)]
    assert any("deadtime" in p for p in plan_rename(broken, "server2", "server3").problems)


def _fake_node(root: Path, name: str) -> dict[str, object]:
    """A node's files under ``root``: ha.d, state dir with an hb_uuid, hostname, hosts."""
    etc = root / "ha.d"
    shutil.copytree(HOWTO, etc)
    state = root / "state"
    state.mkdir()
    (state / "hb_uuid").write_bytes(uuid.uuid4().bytes)
    (root / "hostname").write_text(name + "\n")
    (root / "hosts").write_text(HOSTS)
    flag = root / "running"
    flag.touch()
    service = custom_service(
        stop=("rm", "-f", "--", str(flag)),
        # a stand-in daemon: "running" flag, and a new hb_uuid when there is none
        start=(
            "sh",
            "-c",
            'touch "$1" && { [ -e "$2" ] || head -c 16 /dev/urandom > "$2"; }',
            "sh",
            str(flag),
            str(state / "hb_uuid"),
        ),
        status=("test", "-e", str(flag)),
    )
    return {
        "service": service,
        "config_dir": PurePosixPath(etc),
        "state_dir": PurePosixPath(state),
        "hosts_file": PurePosixPath(root / "hosts"),
        "hostname_file": PurePosixPath(root / "hostname"),
        "set_running_hostname": False,
        "membership": Membership.NONE,
    }


async def test_executor_renames_over_ssh(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    local, peer = LocalRunner(), PeerLink(sshd.target(known_hosts))
    await peer.connect_once()
    try:
        one = await read_rename_node("server1", local, **_fake_node(tmp_path / "s1", "server1"))
        two = await read_rename_node("server2", peer, **_fake_node(tmp_path / "s2", "server2"))
        old_uuids = {one.old_uuid, two.old_uuid}
        plan = plan_rename([one, two], "server2", "server3")
        assert plan.problems == ()
        seen: list[tuple[int, bool]] = []

        def progress(outcome: StepOutcome) -> None:
            seen.append((outcome.number, outcome.done))

        outcomes = await execute_plan(
            plan, {"server1": local, "server2": peer}, progress=progress, poll_s=0.05
        )
    finally:
        await peer.close()
    assert [o.ok for o in outcomes] == [True] * 6, [o.failures for o in outcomes]
    assert seen == [(n, d) for n in range(1, 7) for d in (False, True)]
    s1, s2 = tmp_path / "s1", tmp_path / "s2"
    assert (s2 / "hostname").read_text() == "server3\n"
    assert (s1 / "hostname").read_text() == "server1\n"
    for root in (s1, s2):
        assert "node server1 server3" in (root / "ha.d" / "ha.cf").read_text()
        assert "node server1 server2" in (root / "ha.d" / "ha.cf.hbtui-bak").read_text()
        assert "server3 server3.lan # peer" in (root / "hosts").read_text()
        assert (root / "running").exists()
        fresh = str(uuid.UUID(bytes=(root / "state" / "hb_uuid").read_bytes()))
        assert fresh not in old_uuids


async def test_executor_stops_at_first_failure(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    local, peer = LocalRunner(), PeerLink(sshd.target(known_hosts))
    await peer.connect_once()
    try:
        one = await read_rename_node("server1", local, **_fake_node(tmp_path / "s1", "server1"))
        fake = _fake_node(tmp_path / "s2", "server2")
        bad = custom_service(stop=("false",), start=("true",), status=("true",))
        fake["service"] = bad
        two = await read_rename_node("server2", peer, **fake)
        plan = plan_rename([one, two], "server2", "server3")
        outcomes = await execute_plan(plan, {"server1": local, "server2": peer}, poll_s=0.05)
    finally:
        await peer.close()
    assert [o.step.key for o in outcomes] == ["check", "stop"]
    failed = outcomes[-1]
    assert not failed.ok
    assert [f.command.node for f in failed.failures] == ["server2"]
    assert "wanted exit 0, got exit 1" in "\n".join(failed.failures[0].lines())
    # nothing after the stop step ran: uuids and files untouched
    assert (tmp_path / "s2" / "state" / "hb_uuid").exists()
    assert "node server1 server2" in (tmp_path / "s2" / "ha.d" / "ha.cf").read_text()


def test_harmless_differences_are_notes_in_the_dry_run() -> None:
    other = texts()
    other["ha.cf"] = other["ha.cf"].replace("logfile /var/log/ha-log", "logfile /var/log/hb.log")
    nodes = [_node("server1"), RenameNode("server2", _node("x").service, texts=other)]
    plan = plan_rename(nodes, "server2", "server3")
    assert plan.problems == ()
    assert "  note: DIFFERS ha.cf logfile: server1 /var/log/ha-log, server2 /var/log/hb.log" in (
        plan.lines()
    )
