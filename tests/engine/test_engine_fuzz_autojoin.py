"""The engine fuzz (``enginefuzz``) with a third node that joins by ``autojoin`` (issue 16).

server1 and server2 list ``node server1 server2`` with ``autojoin other`` or ``any``; server3
lists the same two with ``autojoin any``, so it adds itself and joins them. It is started,
killed and restarted at any moment under the same faults; the invariant: while server1 or
server2 runs, exactly one running node holds each group, and server3 never holds it.
"""

from __future__ import annotations

import dataclasses
import os

from enginefuzz import TIMERS, ClusterMachine
from enginesim import THREE, Cluster
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from hbtui.config.model import AutoFailback

EXAMPLES = int(os.environ.get("HBTUI_FUZZ_EXAMPLES", "500")) // 5
TWO = ("server1", "server2")


class JoinMachine(ClusterMachine):
    """``ClusterMachine`` plus server3, a node the node list lacks."""

    @initialize(
        timers=st.sampled_from(sorted(TIMERS)),
        failback=st.sampled_from([AutoFailback.ON, AutoFailback.OFF]),
        mode=st.sampled_from(("other", "any")),
        stagger=st.integers(0, 2500),
        third=st.integers(0, 12000),
    )
    def boot(  # type: ignore[override]
        self, timers: str, failback: AutoFailback, mode: str, stagger: int, third: int
    ) -> None:
        cfg = {**TIMERS[timers], "auto_failback": failback}
        self.keepalive = TIMERS[timers]["keepalive"]
        self.c = c = Cluster(nodes=THREE, all=cfg)
        for name in THREE:
            mem = c[name]
            joins = mode if name in TWO else "any"
            cf = dataclasses.replace(mem.config.ha_cf, nodes=TWO, autojoin=joins)
            mem.config = dataclasses.replace(mem.config, ha_cf=cf)
        c.filters.append(self.faults.keep)
        c.delays.append(self.faults.delay)
        c.duplicates.append(self.faults.copy)
        c.script_delay = self.faults.script
        c.start("server1")
        c.run_for(self.scaled(stagger))
        c.start("server2")
        c.run_for(self.scaled(third))
        c.start("server3")

    @rule()
    def restart_third(self) -> None:
        self.c.kill("server3")
        self.c.start("server3")

    @rule()
    def kill_third(self) -> None:
        self.c.kill("server3")

    def candidates(self) -> list[str]:
        """Only the node list's nodes hold groups: none when only server3 runs."""
        return [n for n in super().candidates() if n in TWO]

    def heal_and_check(self) -> None:
        super().heal_and_check()
        assert not self.c["server3"].vips, "the joined node holds the group"


TestEngineFuzzAutojoin = JoinMachine.TestCase
TestEngineFuzzAutojoin.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
