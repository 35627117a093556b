"""PeerSession over a real sshd: facts on connect, the log fed, survives an sshd restart."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path, PurePosixPath

from hbtui.config.loader import read_config
from hbtui.remote.detect import PeerDaemon
from hbtui.remote.session import PeerSession, targets_for
from hbtui.remote.ssh import Backoff, PeerLink
from hbtui.stream.link import LinkState

from .conftest import Sshd

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
WAIT_S = 15.0


def test_targets_for_every_other_node(tmp_path: Path) -> None:
    config_dir = tmp_path / "ha.d"
    shutil.copytree(HOWTO, config_dir)
    (config_dir / "authkeys").chmod(0o600)  # a git checkout gives 644
    config = read_config(config_dir, "server1", local_host=False)
    assert [t.node for t in targets_for(config)] == ["server2"]
    assert targets_for(config)[0].address == "server2"


async def test_session_reads_facts_and_log_and_reconnects(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "hb_uuid").write_bytes(uuid.uuid4().bytes)
    ha_log = tmp_path / "ha-log"
    ha_log.write_text("first line\n")
    link = PeerLink(
        sshd.target(known_hosts, keepalive_interval_s=0.5, keepalive_count_max=2),
        Backoff(initial_s=0.1, maximum_s=0.5),
    )
    logged = asyncio.Event()

    def arrived(kind: str, item: object) -> None:
        if kind.startswith("log") and item == "first line":
            logged.set()

    session = PeerSession(
        link,
        "server1",
        config_dir=PurePosixPath(HOWTO),
        state_dir=PurePosixPath(state),
        ha_log=PurePosixPath(ha_log),
        on_item=arrived,
    )
    session.start()
    try:
        facts = await session.wait_facts(WAIT_S)
        assert facts.hb_uuid == str(uuid.UUID(bytes=(state / "hb_uuid").read_bytes()))
        assert set(facts.config_texts) == {"ha.cf", "haresources", "authkeys"}
        await asyncio.wait_for(logged.wait(), WAIT_S)

        sshd.stop()
        await link.wait_for(LinkState.DOWN, timeout=WAIT_S)
        refused = await session.perform("stop") if session.actions else None
        assert refused is None or not refused.ok
        logged.clear()
        sshd.start()
        await link.wait_for(LinkState.UP, timeout=WAIT_S)
        await asyncio.wait_for(logged.wait(), WAIT_S)  # the feed resumed on its own
    finally:
        await session.close()
    assert link.status.state is LinkState.CLOSED


STAND_IN_HBTUI = """
import os, sys, time
if not os.path.exists(sys.argv[1]):
    sys.exit(3)  # no node answers here
print('{"type": "snapshot", "node": "server2"}', flush=True)
if sys.argv[-1] == "--follow":
    time.sleep(600)
"""


async def test_a_daemon_started_elsewhere_is_followed(
    sshd: Sshd, known_hosts: Path, tmp_path: Path
) -> None:
    """Nothing runs on the peer; hbtui starts there (not by us): the session follows it."""
    runs = tmp_path / "hbtui-runs"
    program = tmp_path / "hbtui.py"
    program.write_text(STAND_IN_HBTUI)
    (tmp_path / "ha-log").write_text("")
    link = PeerLink(sshd.target(known_hosts))
    probed = asyncio.Event()
    session = PeerSession(
        link,
        "server1",
        lambda _: probed.set(),
        config_dir=PurePosixPath(HOWTO),
        state_dir=PurePosixPath(tmp_path),
        ha_log=PurePosixPath(tmp_path / "ha-log"),
        hbtui_program=("python3", str(program), str(runs)),
    )
    session.start()
    try:
        facts = await session.wait_facts(WAIT_S)
        assert facts.daemon is PeerDaemon.NONE
        runs.touch()  # started on the peer itself: no action here pokes the session
        async with asyncio.timeout(WAIT_S):
            while session.facts is None or session.facts.daemon is not PeerDaemon.HBTUI:
                probed.clear()
                await probed.wait()
    finally:
        await session.close()
