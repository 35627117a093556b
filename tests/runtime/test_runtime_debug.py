"""issue 15 on running nodes: ha.cf ``debug N`` decides which debug lines reach debugfile,
SIGUSR1/SIGUSR2's ``change_debug`` moves it as the daemon does, and with ``use_logd`` the
lines go where logd.cf says instead of ha.cf's files. Waits are bounded, on file contents."""

from __future__ import annotations

import dataclasses
import stat
from collections.abc import Callable
from pathlib import Path

from rtkit import Lan, Member, make_member, wait_for

from hbtui.config.logd_cf import read_logd_cf
from hbtui.config.model import ClusterConfig


def debug_at(level: int, **ha_cf: object) -> Callable[[ClusterConfig], ClusterConfig]:
    def edit(config: ClusterConfig) -> ClusterConfig:
        cf = dataclasses.replace(config.ha_cf, debug=level, **ha_cf)  # type: ignore[arg-type]
        return dataclasses.replace(config, ha_cf=cf)

    return edit


def text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def has(path: Path, words: str) -> Callable[[], bool]:
    return lambda: words in text(path)


async def pair(tmp: Path, level: int) -> tuple[Member, Member]:
    lan = Lan()
    one = make_member("server1", lan, tmp, edit=debug_at(level))
    two = make_member("server2", lan, tmp)
    await one.runtime.start()
    await two.runtime.start()
    # server1 logs server2's status change (info: every level; its seqno line: debug 1)
    await wait_for(has(one.logdir / "ha-log", "Status update for node server2: status"))
    return one, two


async def test_debug_1_writes_the_daemons_debug_lines_to_debugfile(tmp_path: Path) -> None:
    one, two = await pair(tmp_path, 1)
    try:
        debug = one.logdir / "ha-debug"
        await wait_for(has(debug, "]: debug: Status seqno: "))
        assert "]: debug: uuid is:" in text(debug)
        assert "]: debug: sending reqnodes msg to node server2" in text(debug)
        assert "]: info: Status update for node server2" in text(debug)  # info too
        assert "debug:" not in text(one.logdir / "ha-log")  # never in the log file
        assert one.runtime.snapshot()["runtime"]["debug"] == 1
    finally:
        one.runtime.kill()
        two.runtime.kill()


async def test_debug_0_writes_none_until_sigusr1_raises_it(tmp_path: Path) -> None:
    one, two = await pair(tmp_path, 0)
    debug = one.logdir / "ha-debug"
    try:
        assert "Status update for node server2: status" in text(debug)  # info and above
        assert "debug:" not in text(debug)
        pid = one.runtime.pid
        assert one.runtime.change_debug(+1) == 1  # SIGUSR1
        assert f"]: debug: debug now set to 1 [pid {pid}]" in text(debug)
        assert "]: info: hbtui: version " in text(one.logdir / "ha-log")
        assert one.runtime.change_debug(-1) == 0  # SIGUSR2: said even at 0, as the daemon
        assert one.runtime.change_debug(-1) == 0  # never below 0
        assert text(debug).count(f"]: debug: debug now set to 0 [pid {pid}]") == 2
        one.runtime.change_debug(+1)
        await one.runtime.stop(timeout_s=10)
        assert "]: debug: hb_initiate_shutdown() called." in text(debug)
        assert "debug:" not in text(one.logdir / "ha-log")
    finally:
        one.runtime.kill()
        two.runtime.kill()


async def test_use_logd_writes_where_logd_cf_says(tmp_path: Path) -> None:
    """ha.cf names ha-log/ha-debug, but with use_logd the lines go to logd.cf's files, in
    ha_logd's format and file mode; ha.cf's files stay untouched."""
    logd_dir = tmp_path / "logd"
    logd_dir.mkdir()
    logd_cf = tmp_path / "logd.cf"
    logd_cf.write_text(
        f"logfile {logd_dir / 'cluster.log'}\ndebugfile {logd_dir / 'cluster-debug'}\n"
        "logfacility none\nlogmode 0600\n"
    )
    logd, problems = read_logd_cf(logd_cf)
    assert problems == []
    edit = debug_at(1, use_logd=True)
    lan = Lan()
    one = make_member(
        "server1", lan, tmp_path, edit=lambda c: dataclasses.replace(edit(c), logd=logd)
    )
    try:
        await one.runtime.start()
        log = logd_dir / "cluster.log"
        await wait_for(has(log, "Local status now set to: 'up'"))
        assert "]: info: Enabling logging daemon\n" in text(log)
        assert "logfile and debug file are those specified in logd config file" in text(log)
        assert "]: debug: uuid is:" in text(logd_dir / "cluster-debug")
        assert "debug:" not in text(log)
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert not (one.logdir / "ha-log").exists() and not (one.logdir / "ha-debug").exists()
        assert one.runtime.syslog is None  # logd.cf: logfacility none
    finally:
        one.runtime.kill()
