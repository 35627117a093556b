"""Remote stop / start / delete hb_uuid over a real sshd, through a (stand-in) service."""

from __future__ import annotations

import uuid
from pathlib import Path, PurePosixPath

from hbtui.remote.actions import PeerActions
from hbtui.remote.commands import custom_service, init_script_service
from hbtui.remote.ssh import PeerLink

from .conftest import Sshd


def test_describe_shows_the_service_manager_before_running() -> None:
    actions = PeerActions("server2", None, init_script_service())  # type: ignore[arg-type]
    assert actions.describe("stop") == "server2 (init-script): /etc/init.d/heartbeat stop"
    assert actions.argv_for("takeover") == ("/usr/share/heartbeat/hb_takeover", "all")


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
