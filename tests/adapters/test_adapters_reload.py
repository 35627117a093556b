"""SIGHUP's merge: timers and authkeys apply at once, every other change waits for a
restart."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hbtui.adapters.reload import merge_reload
from hbtui.config.model import AutoFailback, LogdCf, LogdStatus
from tests.engine.enginesim import make_config


def test_timers_apply_and_are_listed() -> None:
    old = make_config("server1")
    merged, changes = merge_reload(old, make_config("server1", keepalive=200, deadtime=1000))
    assert (merged.ha_cf.keepalive_ms, merged.ha_cf.deadtime_ms) == (200, 1000)
    assert changes == ["keepalive 1000 ms -> 200 ms", "deadtime 5000 ms -> 1000 ms"]


def test_other_changes_wait_for_a_restart_and_are_not_applied() -> None:
    old = make_config("server1")
    new = make_config("server1", auto_failback=AutoFailback.OFF)
    merged, changes = merge_reload(old, new)
    assert merged == old
    assert changes == ["ha.cf (other than timers) changed: not applied until the node restarts"]


def test_authkeys_apply_at_once() -> None:
    old = make_config("server1")
    new = make_config("server1", key=b"another key")
    merged, changes = merge_reload(old, new)
    assert merged.authkeys == new.authkeys and merged.ha_cf == old.ha_cf
    assert changes == ["authkeys applied: signing with key 1 (sha1), accepting keys 1"]


def test_no_change() -> None:
    old = make_config("server1")
    assert merge_reload(old, make_config("server1")) == (old, [])


def test_debug_applies_at_once_and_logd_cf_waits() -> None:
    """issue 15: a changed ``debug`` is taken at once (the daemon restarts on a changed
    ha.cf); a changed logd.cf waits, as ha_logd reads it when it starts."""
    old = make_config("server1")
    new = dataclasses.replace(
        old,
        ha_cf=dataclasses.replace(old.ha_cf, debug=2),
        logd=LogdCf(Path("/etc/logd.cf"), LogdStatus.READ, logfacility="local1"),
    )
    merged, changes = merge_reload(old, new)
    assert merged.ha_cf.debug == 2 and merged.logd is None
    assert changes == ["debug 0 -> 2", "logd.cf changed: not applied until the node restarts"]
