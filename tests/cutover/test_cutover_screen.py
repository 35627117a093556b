"""The console's move to Pacemaker (``M``, ``CutoverScreen``) under Pilot, over the simulated
cluster: the plan read at once, the run after an explicit yes, a rollback said as such, and
the screen at 80x24. The tests wait on the screen's own messages (``Planned``, ``Ended``),
each bounded by a timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual import on
from textual.app import App
from textual.widgets import Button, RichLog

from hbtui.console.screens.confirm import ConfirmScreen
from hbtui.console.screens.cutover import CutoverScreen
from hbtui.cutover.execute import CutoverOutcome, execute_cutover
from hbtui.cutover.plan import CutoverPlan
from hbtui.remote.procedure import Progress
from tests.cutover.fake import FakeCluster
from tests.cutover.test_cutover import howto_plan

WAIT_S = 10.0


class MoveApp(App[None]):
    """Only the screen, over a plan of the simulated cluster."""

    CSS_PATH = Path(__file__).resolve().parents[2] / "hbtui" / "console" / "hbtui.tcss"

    def __init__(self, howto: Path, fail: list[tuple[str, str]]) -> None:
        super().__init__()
        self.howto, self.fail = howto, fail
        self.cluster: FakeCluster | None = None
        self.planned = asyncio.Event()  # set by the screen's messages
        self.ended = asyncio.Event()

    async def make_plan(self) -> CutoverPlan:
        plan, self.cluster = howto_plan(self.howto)
        self.cluster.fail = self.fail
        return plan

    async def execute(self, plan: CutoverPlan, progress: Progress) -> CutoverOutcome:
        assert self.cluster is not None
        runners = {name: self.cluster.runner(name) for name in self.cluster.machines}
        return await execute_cutover(plan, runners, progress=progress, poll_s=0.001)

    def on_mount(self) -> None:
        self.push_screen(CutoverScreen(self.make_plan, self.execute))

    @on(CutoverScreen.Planned)
    def _planned(self) -> None:
        self.planned.set()

    @on(CutoverScreen.Ended)
    def _ended(self) -> None:
        self.ended.set()


async def posted(event: asyncio.Event, what: str) -> None:
    """Wait (bounded) for the screen's message that ``what`` is over."""
    try:
        await asyncio.wait_for(event.wait(), WAIT_S)
    except TimeoutError:
        raise AssertionError(f"not within {WAIT_S} s: {what}") from None


def log_text(app: App[None]) -> str:
    return "\n".join(line.text for line in app.screen.query_one(RichLog).lines)


def screen(app: App[None]) -> CutoverScreen:
    found = next(s for s in app.screen_stack if isinstance(s, CutoverScreen))
    return found


@pytest.mark.parametrize(
    ("fail", "said"),
    [
        ([], "moved: the cluster runs on Corosync + Pacemaker"),
        ([("server2", "stack-start")], "FAILED at step 4 (start); rolled back"),
    ],
    ids=["moves", "rolls back"],
)
async def test_the_plan_then_the_run_after_a_yes(
    howto: Path, fail: list[tuple[str, str]], said: str
) -> None:
    app = MoveApp(howto, fail)
    async with app.run_test(size=(100, 32)) as pilot:
        await posted(app.planned, "the plan")
        plan = screen(app).plan
        assert plan is not None
        assert "check server1$ crm_resource --locate" in log_text(app)
        assert not app.screen.query_one("#cutover-run", Button).disabled
        await pilot.press("ctrl+r")  # returns once the app and the screen took the key in
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == "Move to Pacemaker now?"
        await pilot.press("y")
        await posted(app.ended, "the result")
        assert said in (screen(app).summary or "")
        assert said in log_text(app)
        # the step list keeps the plan's own steps: an undo step (by its flag) only logs
        outcomes = screen(app).outcomes
        assert outcomes and all(o.step is plan.steps[o.number - 1] for o in outcomes)


async def test_the_screen_fits_80x24_and_a_problem_disables_the_run(howto: Path) -> None:
    app = MoveApp(howto, [])

    async def broken() -> CutoverPlan:
        plan, app.cluster = howto_plan(howto, missing_tools=("pacemakerd",))
        return plan

    app.make_plan = broken  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await posted(app.planned, "the plan")
        await pilot.pause()  # the layout after the plan, before its region is read
        run = app.screen.query_one("#cutover-run", Button)
        assert run.disabled
        assert run.region.right <= 80 and run.region.bottom <= 24  # on screen
        assert "PROBLEM: server1: pacemakerd not installed" in log_text(app)
