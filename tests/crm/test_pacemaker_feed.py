"""``PacemakerFeed`` over a scripted runner: readings, changes, VIPs, errors, actions."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hbtui.crm.actions import CrmAction, CrmVerb
from hbtui.crm.changes import GroupPlaced
from hbtui.remote.ssh import CommandResult, LinkError
from hbtui.sources.pacemaker import CIB_RESOURCES, CRM_MON, PacemakerFeed
from tests.crm.helpers import GROUP, capture


class ScriptedRunner:
    """Answers crm_mon with the next capture (or an error), cibadmin with the CIB."""

    def __init__(self, readings: list[str | Exception | CommandResult]) -> None:
        self.readings = readings
        self.calls: list[list[str]] = []

    async def run(
        self, argv: Sequence[str], *, input_text: str | None = None, timeout: float = 30.0
    ) -> CommandResult:
        self.calls.append(list(argv))
        if list(argv) == CIB_RESOURCES:
            return CommandResult(tuple(argv), 0, capture("cib"), "")
        if list(argv) != CRM_MON:
            return CommandResult(tuple(argv), 0, "", "")
        reading = self.readings.pop(0)
        if isinstance(reading, Exception):
            raise reading
        if isinstance(reading, CommandResult):
            return reading
        return CommandResult(tuple(argv), 0, capture(reading), "")


async def read(feed: PacemakerFeed, count: int) -> list:  # type: ignore[type-arg]
    samples = []
    async for sample in feed.samples():
        samples.append(sample)
        if len(samples) == count:
            await feed.close()
    return samples


async def test_readings_become_samples_with_changes_and_vips() -> None:
    runner = ScriptedRunner(["placed", "placed", "cut_stopped", "cut_failed_over"])
    feed = PacemakerFeed(runner, "server2", idle_s=0.001, busy_s=0.001)
    first, same, stopped, over = await read(feed, 4)
    assert first.state is not None and first.vips == {"IPaddr-192.168.10.10-24": "192.168.10.10"}
    assert same.changes == () and same.next_in_s == feed.idle_s  # quiet: read slowly
    assert stopped.next_in_s == feed.busy_s  # something changed: read again soon
    assert next(c for c in over.changes if isinstance(c, GroupPlaced)).after == ("server2",)
    assert runner.calls.count(CIB_RESOURCES) == 1  # the resources did not change


async def test_a_failed_reading_is_said_and_the_next_one_compares_with_the_last_good() -> None:
    down = CommandResult(tuple(CRM_MON), 102, "", "crm_mon: Connection to cluster failed\n")
    garbage_out = CommandResult(tuple(CRM_MON), 0, "garbage <", "")
    link_down = LinkError("link to server2 is down")
    runner = ScriptedRunner(["placed", down, link_down, garbage_out, "cut_stopped"])
    feed = PacemakerFeed(runner, "server2", idle_s=0.001, busy_s=0.001)
    _good, failed, lost, garbage, later = await read(feed, 5)
    assert failed.state is None
    assert failed.error == "crm_mon on server2 exited 102: crm_mon: Connection to cluster failed"
    assert lost.error == "crm_mon on server2: link to server2 is down"
    assert garbage.error is not None and "no valid XML" in garbage.error
    assert GroupPlaced(later.at_s, GROUP, ("server1",), ()) in later.changes


async def test_actions_run_their_command_and_a_read_only_feed_refuses() -> None:
    runner = ScriptedRunner([])
    feed = PacemakerFeed(runner, "server1")
    result = await feed.act(CrmAction(CrmVerb.STANDBY, "server1"))
    assert result.ok and result.text.startswith("$ crm_attribute --type nodes --node server1")
    assert runner.calls[-1][:2] == ["crm_attribute", "--type"]
    watching = PacemakerFeed(runner, "server1", read_only=True)
    refused = await watching.act(CrmAction(CrmVerb.MOVE, GROUP, "server2"))
    assert not refused.ok and "read-only" in refused.text
    assert len(runner.calls) == 1


@pytest.mark.parametrize("status", [1, None])
async def test_a_failing_action_says_its_exit_and_output(status: int | None) -> None:
    class Failing(ScriptedRunner):
        async def run(self, argv: Sequence[str], **_: object) -> CommandResult:  # type: ignore[override]
            return CommandResult(
                tuple(argv), status, "", "Error performing operation: No such device\n"
            )

    feed = PacemakerFeed(Failing([]), "server1")
    result = await feed.act(CrmAction(CrmVerb.CLEANUP, "nope"))
    assert not result.ok
    assert f"(exited {status})" in result.text and "No such device" in result.text
