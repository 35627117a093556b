"""Engine state-machine fuzz (see ``enginefuzz``): bounded and derandomized for CI.

``HBTUI_FUZZ_EXAMPLES`` sets the number of runs (``bench/engine_fuzz.py`` goes longer).
Derandomized and without a database, the runs are the same every time for the same set
of collected test modules; Hypothesis also draws some integers from constants in the
local modules loaded, so this file alone and the whole suite explore different runs
(each reproducible). 500 runs take about 15 s on 2 cores.
"""

from __future__ import annotations

import os

from enginefuzz import ClusterMachine
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("HBTUI_FUZZ_EXAMPLES", "500"))
STEPS = 40

TestEngineFuzz = ClusterMachine.TestCase
TestEngineFuzz.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
