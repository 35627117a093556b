"""The runtime's life as a table: every legal step, an illegal one raises."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rtkit import make_config as member_config

from hbtui.adapters.runtime import RUNTIME_STEPS, NodeRuntime, RuntimeState, RuntimeStateError
from hbtui.adapters.scripts import SubprocessScriptRunner
from tests.engine.enginesim import make_config

S = RuntimeState
LEGAL = {
    (S.NEW, S.RUNNING),
    (S.NEW, S.STOPPED),
    (S.NEW, S.KILLED),
    (S.RUNNING, S.STOPPING),
    (S.RUNNING, S.STOPPED),
    (S.RUNNING, S.KILLED),
    (S.STOPPING, S.STOPPED),
    (S.STOPPING, S.KILLED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(S, S)))
def test_runtime_steps(tmp_path: Path, current: S, new: S) -> None:
    runtime = NodeRuntime(make_config("server1"), tmp_path, lock_state_dir=False)
    assert runtime.state is S.NEW
    runtime.state = current
    assert ((current, new) in LEGAL) == (new in RUNTIME_STEPS[current])
    if (current, new) in LEGAL:
        runtime._enter(new)
        assert runtime.state is new
    else:
        with pytest.raises(RuntimeStateError):
            runtime._enter(new)


def test_closed_states_and_the_snapshot_string(tmp_path: Path) -> None:
    assert {s for s in S if s.closed} == {S.STOPPED, S.KILLED}
    runtime = NodeRuntime(make_config("server1"), tmp_path, lock_state_dir=False)
    runtime.kill()
    state = runtime.snapshot()["runtime"]["state"]
    assert (type(state), state) == (str, "killed")


def test_resource_scripts_log_where_ha_cf_says(tmp_path: Path) -> None:
    """Agents that source ocf-shellfuncs log to HA_LOGFILE / HA_DEBUGLOG / HA_LOGFACILITY,
    as under the real daemon; without them they wrote to stderr (ha-log said WARN for INFO)."""
    config = member_config("server1", tmp_path / "etc", tmp_path / "log")
    runner = NodeRuntime(config, tmp_path / "state").scripts
    assert isinstance(runner, SubprocessScriptRunner)
    cf = config.ha_cf
    assert runner.extra_env["HA_LOGFILE"] == str(cf.logfile)
    assert runner.extra_env["HA_DEBUGLOG"] == str(cf.debugfile)
    assert runner.extra_env.get("HA_LOGFACILITY") == (
        None if cf.logfacility in (None, "none") else cf.logfacility
    )
