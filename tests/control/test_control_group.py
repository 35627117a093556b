"""hbtui.conf ``control_group``: a non-root monitoring user reads status, never acts (issue 15).

A real node runtime serves the socket; clients run as real other users (``setpriv``): uid
65534 in group nogroup reads the snapshot and the metrics and is refused ``stop`` (answered,
counted); uid 4242, in no such group, cannot even open it. Root only (it changes uids).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hbtui.config.hbtui_conf import load_settings
from hbtui.control.server import ControlServer
from tests.runtime.rtkit import Lan, make_member

GROUP = "nogroup"
CLIENT = """
import json, sys
from pathlib import Path
from hbtui.control.client import ControlError, request
try:
    answer = request(Path(sys.argv[1]), sys.argv[2])
    node = answer.get("node") if isinstance(answer, dict) else None
    print(json.dumps({"ok": True, "node": node, "metrics": "metrics" in answer}))
except ControlError as exc:
    print(json.dumps({"ok": False, "error": str(exc)}))
"""


def as_user(uid: int, gid: int, socket: Path, cmd: str) -> str:
    argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
            sys.executable, "-c", CLIENT, str(socket), cmd]  # fmt: skip
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_setting_is_read(tmp_path: Path) -> None:
    (tmp_path / "hbtui.conf").write_text("control_group = monitoring\n")
    assert load_settings(tmp_path).control_group == "monitoring"


async def test_a_group_member_reads_and_is_refused_actions(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (it runs clients as other users)")
    base = Path(tempfile.mkdtemp(prefix="hbtui-ctl-", dir="/tmp"))
    base.chmod(0o755)  # the readers must reach the socket's directory
    try:
        one = make_member("server1", Lan(), tmp_path)
        path = base / "run" / "control.sock"
        server = ControlServer(one.runtime, path, GROUP, metrics=lambda: "hbtui_x 1\n")
        await server.start()
        await one.runtime.start()
        try:
            assert oct(path.stat().st_mode & 0o777) == "0o660"
            read = await asyncio.to_thread(as_user, 65534, 65534, path, "snapshot")
            assert '"ok": true' in read and '"node": "server1"' in read
            metrics = await asyncio.to_thread(as_user, 65534, 65534, path, "metrics")
            assert '"metrics": true' in metrics  # the metrics are a read
            act = await asyncio.to_thread(as_user, 65534, 65534, path, "stop")
            assert "permission denied: stop is root only (group nogroup reads)" in act
            stranger = await asyncio.to_thread(as_user, 4242, 4242, path, "snapshot")
            assert "permission denied" in stranger  # the file's mode stops it (0660, 0750)
            assert server.rejected == 1
            assert one.runtime.state == "running"  # the refused stop did nothing
        finally:
            one.runtime.kill()
            await server.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_check_says_when_the_group_does_not_exist(tmp_path: Path) -> None:
    import io

    from hbtui.commands.check import check_config

    config = tmp_path / "ha.d"
    shutil.copytree(Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto", config)
    (config / "authkeys").chmod(0o600)
    (config / "hbtui.conf").write_text("control_group = no-such-group-here\n")
    out = io.StringIO()
    assert check_config(config, "server1", as_json=False, out=out) == 1
    assert "control_group no-such-group-here: no such group on this machine" in out.getvalue()
