"""The Pacemaker view over the SSH link (``hbtui console --pacemaker-host``): a real sshd on
127.0.0.1 whose sessions find a stand-in ``crm_mon`` (and ``cibadmin``) printing readings
captured from the lab cluster; the feed reads them read-only, the app shows them and refuses
every key without running anything."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbtui.console.pacemaker_app import PacemakerApp
from hbtui.crm.actions import CrmAction, CrmVerb
from hbtui.remote.ssh import PeerLink
from hbtui.sources.pacemaker import PacemakerFeed
from tests.crm.helpers import CAPTURES

from .conftest import SSHD, Sshd, make_sshd

WAIT_S = 15.0


@pytest.fixture
def crm_sshd(tmp_path: Path) -> Iterator[tuple[Sshd, Path]]:
    """An sshd whose sessions' PATH starts with stand-ins; their log of what ran."""
    if not SSHD.exists() or shutil.which("ssh-keygen") is None or os.geteuid() != 0:
        pytest.skip("needs OpenSSH's sshd and root")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    bin_dir, ran = tmp_path / "bin", tmp_path / "ran.log"
    bin_dir.mkdir()
    for name, body in (
        ("crm_mon", f"exec /bin/cat {CAPTURES / 'cut_failed_over.xml'}"),
        ("cibadmin", f"exec /bin/cat {CAPTURES / 'cib.xml'}"),
        ("crm_attribute", ":"),
    ):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> {ran}\n{body}\n')
        script.chmod(0o755)
    server = make_sshd(tmp_path / "sshd")
    text = server.config.read_text()
    home_line = next(line for line in text.splitlines() if line.startswith("SetEnv HOME="))
    server.config.write_text(
        text.replace(home_line, f"{home_line} PATH={bin_dir}:/usr/sbin:/usr/bin:/sbin:/bin")
    )
    server.start()
    try:
        yield server, ran
    finally:
        server.stop()


async def test_the_read_only_view_over_ssh(crm_sshd: tuple[Sshd, Path], tmp_path: Path) -> None:
    sshd, ran = crm_sshd
    known = tmp_path / "known_hosts"
    known.write_text(sshd.known_hosts_line())
    link = PeerLink(sshd.target(known))
    await link.connect_once()
    feed = PacemakerFeed(link, "server2", read_only=True, idle_s=0.05, busy_s=0.05)
    app = PacemakerApp(feed)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await asyncio.wait_for(app.applied.wait(), WAIT_S)
            vip = str(app.query_one("#pcmk-vip").render())
            assert "VIP 192.168.10.10 on server2" in vip  # the address from the CIB, over SSH
            assert app.sub_title == "read-only view of server2"
            app.acted.clear()
            await pilot.press("b")
            await asyncio.wait_for(app.acted.wait(), WAIT_S)
            refused = await feed.act(CrmAction(CrmVerb.STANDBY, "server1"))
            assert not refused.ok and "read-only" in refused.text
            await pilot.press("q")
    finally:
        await feed.close()
        await link.close()
    lines = ran.read_text().splitlines()
    assert (
        lines[0] == "crm_mon -1 --output-as=xml" and "cibadmin --query --scope resources" in lines
    )
    assert not any(line.startswith("crm_attribute") for line in lines)  # nothing was acted on
