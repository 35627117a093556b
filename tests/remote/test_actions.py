"""Remote stop / start / delete hb_uuid over a real sshd, through a (stand-in) service."""

from __future__ import annotations

import uuid
from pathlib import Path, PurePosixPath

import pytest

from hbtui.remote.actions import PeerActions
from hbtui.remote.commands import (
    custom_service,
    init_script_service,
    service_for,
    systemd_service,
)
from hbtui.remote.detect import Installed, PeerDaemon, choose_service, parse_inventory
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd


def test_describe_shows_the_service_manager_before_running() -> None:
    actions = PeerActions("server2", None, init_script_service())  # type: ignore[arg-type]
    assert actions.describe("stop") == "server2 (init-script): /etc/init.d/heartbeat stop"
    assert actions.argv_for("takeover") == ("/usr/share/heartbeat/hb_takeover", "all")


VENV_HBTUI = ("/opt/hbtui/bin/hbtui",)


@pytest.mark.parametrize(
    ("service", "standby", "takeover"),
    [
        (
            init_script_service(),
            ("/usr/share/heartbeat/hb_standby", "all"),
            ("/usr/share/heartbeat/hb_takeover", "all"),
        ),
        (
            systemd_service("heartbeat.service"),
            ("/usr/share/heartbeat/hb_standby", "all"),
            ("/usr/share/heartbeat/hb_takeover", "all"),
        ),
        (
            init_script_service(PurePosixPath("/etc/init.d/hbtui")),
            ("/opt/hbtui/bin/hbtui", "standby", "all"),
            ("/opt/hbtui/bin/hbtui", "takeover", "all"),
        ),
        (
            systemd_service("hbtui.service"),
            ("/opt/hbtui/bin/hbtui", "standby", "all"),
            ("/opt/hbtui/bin/hbtui", "takeover", "all"),
        ),
    ],
)
def test_standby_takeover_use_the_managed_daemons_tool(
    service: object, standby: tuple[str, ...], takeover: tuple[str, ...]
) -> None:
    actions = PeerActions("server2", None, service, hbtui_program=VENV_HBTUI)  # type: ignore[arg-type]
    assert actions.argv_for("standby") == standby
    assert actions.argv_for("takeover") == takeover


def test_hbtui_service_is_shown_as_hbtuis() -> None:
    script = PeerActions("server2", None, service_for("hbtui", systemd=False))  # type: ignore[arg-type]
    assert script.describe("stop") == "server2 (init-script): /etc/init.d/hbtui stop"
    assert script.describe("standby") == "server2 (init-script): hbtui standby all"
    unit = service_for("hbtui", systemd=True)
    assert unit.describe() == (
        "hbtui via systemd: stop = systemctl stop hbtui.service, "
        "start = systemctl start hbtui.service"
    )
    assert init_script_service().describe().startswith("heartbeat via init-script: ")


INVENTORY = {
    # both init scripts present, heartbeat enabled at boot (Debian's heartbeat package)
    "both": "hbtui unit=0 script=1 enabled=0\nheartbeat unit=0 script=1 enabled=1\n",
    # heartbeat installed but disabled (systemctl disable heartbeat; enable hbtui)
    "real disabled": "hbtui unit=1 script=0 enabled=1\nheartbeat unit=1 script=1 enabled=0\n",
    "hbtui only": "hbtui unit=0 script=1 enabled=0\nheartbeat unit=0 script=0 enabled=0\n",
    "real only": "hbtui unit=0 script=0 enabled=0\nheartbeat unit=0 script=1 enabled=1\n",
    "none": "hbtui unit=0 script=0 enabled=0\nheartbeat unit=0 script=0 enabled=0\n",
}


def _chosen(
    daemon: PeerDaemon, inventory: str, known: object = None
) -> tuple[str, str, tuple[str, ...]] | None:
    found = choose_service(daemon, parse_inventory(INVENTORY[inventory]), known)  # type: ignore[arg-type]
    return None if found is None else (found.daemon, str(found.kind), found.start)


def test_inventory_lines_parse() -> None:
    assert parse_inventory(INVENTORY["real disabled"] + "\n") == {
        "hbtui": Installed(unit=True, script=False, enabled=True),
        "heartbeat": Installed(unit=True, script=True, enabled=False),
    }


def test_a_running_daemon_gets_its_own_service_never_the_others() -> None:
    hbtui_script = ("hbtui", "init-script", ("/etc/init.d/hbtui", "start"))
    real_script = ("heartbeat", "init-script", ("/etc/init.d/heartbeat", "start"))
    assert _chosen(PeerDaemon.HBTUI, "both") == hbtui_script
    assert _chosen(PeerDaemon.HEARTBEAT, "both") == real_script
    assert _chosen(PeerDaemon.HBTUI, "real disabled") == (
        "hbtui", "systemd", ("systemctl", "start", "hbtui.service")
    )  # fmt: skip
    assert _chosen(PeerDaemon.HBTUI, "real only") is None  # run by hand: nothing to start it
    assert _chosen(PeerDaemon.HEARTBEAT, "hbtui only") is None


def test_a_stopped_peer_keeps_the_service_known_before() -> None:
    hbtui = service_for("hbtui", systemd=False)
    assert _chosen(PeerDaemon.NONE, "both", hbtui) == (
        "hbtui", "init-script", ("/etc/init.d/hbtui", "start")
    )  # fmt: skip
    real = service_for("heartbeat", systemd=False)
    assert _chosen(PeerDaemon.NONE, "hbtui only", real) == (
        "heartbeat", "init-script", ("/etc/init.d/heartbeat", "start")
    )  # fmt: skip


def test_a_stopped_peer_never_seen_running_prefers_what_is_installed() -> None:
    assert _chosen(PeerDaemon.NONE, "both") == (
        "heartbeat", "init-script", ("/etc/init.d/heartbeat", "start")
    )  # fmt: skip
    assert _chosen(PeerDaemon.NONE, "real disabled") == (
        "hbtui", "systemd", ("systemctl", "start", "hbtui.service")
    )  # fmt: skip
    assert _chosen(PeerDaemon.NONE, "hbtui only") == (
        "hbtui", "init-script", ("/etc/init.d/hbtui", "start")
    )  # fmt: skip
    assert _chosen(PeerDaemon.NONE, "real only") == (
        "heartbeat", "init-script", ("/etc/init.d/heartbeat", "start")
    )  # fmt: skip
    assert _chosen(PeerDaemon.NONE, "none") is None


async def test_stop_start_delete_uuid_over_ssh(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    flag, state = tmp_path / "running", tmp_path / "state"
    state.mkdir()
    (state / "hb_uuid").write_bytes(uuid.uuid4().bytes)
    flag.touch()
    service = custom_service(
        stop=("rm", "-f", "--", str(flag)),
        start=("touch", "--", str(flag)),
        status=("test", "-e", str(flag)),
    )
    link = PeerLink(sshd.target(known_hosts))
    await link.connect_once()
    actions = PeerActions("server2", link, service, PurePosixPath(state))
    try:
        refused = await actions.perform("delete_uuid")
        assert not refused.ok and "stop first" in refused.text
        assert (state / "hb_uuid").exists()
        assert (await actions.perform("stop")).ok and not flag.exists()
        deleted = await actions.perform("delete_uuid")
        assert deleted.ok, deleted.text
        assert not (state / "hb_uuid").exists()
        assert (await actions.perform("start")).ok and flag.exists()
        bad = await actions.perform("reboot")
        assert not bad.ok and "unknown action" in bad.text
    finally:
        await link.close()
    down = await actions.perform("stop")
    assert not down.ok and "link to server2 is closed" in down.text
