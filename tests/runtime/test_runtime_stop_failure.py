"""Issue 13 in the runtime: a failed stop keeps the node alive and holding; self-fence
runs the configured command; the start probe stops a script left running."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from rtkit import VIP, Lan, make_member, wait_for

from hbtui.engine.holdstate import StopFailure


def fail_stops(scripts: object) -> None:
    outputs = scripts.outputs  # type: ignore[attr-defined]
    outputs[("failback.sh", "stop")] = (1, ["cannot stop"])
    outputs[("failback.sh", "status")] = (0, ["failback is running"])


async def test_failed_stop_never_exits_keeps_sending_and_holds(tmp_path: Path) -> None:
    lan = Lan()
    one, two = make_member("server1", lan, tmp_path), make_member("server2", lan, tmp_path)
    await one.runtime.start()
    await two.runtime.start()
    try:
        await wait_for(lambda: VIP in one.vips.addresses)
        fail_stops(one.scripts)
        stop = asyncio.create_task(one.runtime.stop(graceful=True, timeout_s=0.2))
        await wait_for(lambda: one.runtime.snapshot().get("stop_failed") == ["failback.sh"], 4)
        sent = len(lan.transports[0].sent)
        await wait_for(lambda: len(lan.transports[0].sent) >= sent + 6)  # 6 keepalives on
        assert not stop.done() and one.runtime.state == "stopping"
        assert one.runtime.snapshot()["condition"] == "stop failed, holding"
        assert not any(c[-1] == "start" for c in two.scripts.calls)
        text = (one.logdir / "ha-log").read_text()
        assert "CRIT: stop failed, holding [failback.sh]" in text
        assert "shutdown complete" not in text
        one.runtime.stop_cleared()
        assert "graceful" in await asyncio.wait_for(stop, 3)
        await wait_for(lambda: any(c[-1] == "start" for c in two.scripts.calls), 2)
    finally:
        one.runtime.kill()
        two.runtime.kill()


async def test_stop_failure_reboot_runs_the_fence_command(tmp_path: Path) -> None:
    mark = tmp_path / "fenced"
    stand_in = (sys.executable, "-c", f"open({str(mark)!r}, 'w').write('reboot -nf')")
    options = {"stop_failure": StopFailure.REBOOT, "fence_command": stand_in}
    one = make_member("server1", Lan(), tmp_path, runtime_options=options)
    await one.runtime.start()
    try:
        await wait_for(lambda: VIP in one.vips.addresses, 3)
        fail_stops(one.scripts)
        one.runtime.command("stop")
        await wait_for(lambda: "-c open(" in (one.logdir / "ha-log").read_text(), 4)
        await wait_for(lambda: "returned" in (one.logdir / "ha-log").read_text(), 4)
        assert mark.read_text() == "reboot -nf"
        assert "self-fence (stop failed: failback.sh)" in (one.logdir / "ha-log").read_text()
    finally:
        one.runtime.kill()


async def test_start_probe_stops_a_script_left_running(tmp_path: Path) -> None:
    two = make_member("server2", Lan(), tmp_path, runtime_options={"probe_at_start": True})
    two.scripts.outputs[("failback.sh", "status")] = (0, ["failback is running"])
    await two.runtime.start()
    try:
        await wait_for(lambda: [c[-1] for c in two.scripts.calls][:2] == ["status", "stop"])
        text = (two.logdir / "ha-log").read_text()
        assert "failback.sh reports running but this node does not hold it" in text
    finally:
        two.runtime.kill()
