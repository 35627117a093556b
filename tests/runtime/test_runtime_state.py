"""The runtime's life as a table: every legal step, an illegal one raises."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from hbtui.adapters.runtime import RUNTIME_STEPS, NodeRuntime, RuntimeState, RuntimeStateError
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
