#!/usr/bin/env python3
"""Console performance figures (issue 6 item 6); prints them, asserts nothing.

1. first frame: process start (before importing Textual) -> the app's Ready event
   (first frame displayed), in a child process with a headless driver; median of 5.
2. idle CPU: the console in a real terminal (a detached tmux session, 120x40) replaying
   the demo's steady state (a keepalive every second), CPU of its process over 10 s.
   Falls back to a headless run when tmux is missing.
3. countdown redraws: headless, real time, during server1's deadtime countdown (from
   1.6 s of silence, when a keepalive is overdue, for 3 s; before that the bar moves in
   half-second steps on purpose): bar
   repaints per second, dashboard ticks per second, and the event loop's worst lag
   (a 10 ms probe timer, on during this run only), which is what typing would feel.

Usage: python bench/console_perf.py [--seconds 10]
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def first_frame_child() -> None:
    """(child) Run the console headless until its first frame; print the seconds."""
    from textual import events

    from hbtui.console.app import ConsoleApp
    from hbtui.console.demo_trace import trace
    from hbtui.console.replay import ReplaySource, initial_snapshot

    class Timed(ConsoleApp):
        def on_ready(self, _: events.Ready) -> None:
            print(f"{time.perf_counter() - T_START:.4f}", flush=True)
            self.exit()

    items = trace()
    app = Timed(ReplaySource(items, initial_snapshot(items)), poll_sockets=False)
    app.run(headless=True, size=(120, 40))


def first_frame(runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--first-frame-child"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out


def idle_cpu_tmux(seconds: float) -> tuple[float, str] | None:
    """CPU % of the console in a detached tmux session; None without tmux."""
    import psutil

    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    session = f"hbtui-perf-{os.getpid()}"
    cmd = f"{sys.executable} -m hbtui.cli console --replay demo"
    subprocess.run(
        [tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", str(ROOT), cmd],
        check=True,
        timeout=10,
    )
    try:
        pane_pid = int(
            subprocess.run(
                [tmux, "list-panes", "-t", session, "-F", "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            ).stdout.split()[0]
        )
        proc = psutil.Process(pane_pid)
        time.sleep(3.0)  # start-up and first frames are not idle
        before = proc.cpu_times()
        t0 = time.monotonic()
        time.sleep(seconds)
        after = proc.cpu_times()
        wall = time.monotonic() - t0
        cpu = (after.user + after.system) - (before.user + before.system)
        screen = subprocess.run(
            [tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True, timeout=10
        ).stdout
        return 100 * cpu / wall, screen
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], check=False, timeout=10)


async def headless_run(seconds: float, crash: bool, probe: bool) -> dict[str, float]:
    """Replay in real time headless; CPU %, bar repaints/s, ticks/s, worst loop lag."""
    from hbtui.console.app import ConsoleApp
    from hbtui.console.demo_trace import LAST_HEARD_MS, trace
    from hbtui.console.replay import ReplaySource, initial_snapshot
    from hbtui.console.widgets.countdown import CountdownBar

    repaints = 0
    original = CountdownBar.render

    def counting(self: CountdownBar) -> object:
        nonlocal repaints
        repaints += 1
        return original(self)

    CountdownBar.render = counting  # type: ignore[method-assign]
    items = trace()
    source = ReplaySource(items, initial_snapshot(items))
    app = ConsoleApp(source, poll_sockets=False)
    worst_lag = 0.0
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await source.advance_to(LAST_HEARD_MS + 50)
            for _ in range(6):
                await pilot.pause()
            if crash:
                await source.kill()
            player = asyncio.create_task(source.play())
            loop = asyncio.get_running_loop()
            if crash:  # measure once server1's keepalive is overdue (the countdown proper)
                await asyncio.sleep(1.6)
            repaints, ticks0 = 0, app.dashboard.ticks
            cpu0, t0 = time.process_time(), loop.time()
            if not probe:
                await asyncio.sleep(seconds)  # no probe: measure the console alone
            while probe and loop.time() - t0 < seconds:
                before = loop.time()
                await asyncio.sleep(0.01)
                worst_lag = max(worst_lag, loop.time() - before - 0.01)
            wall = loop.time() - t0
            cpu = time.process_time() - cpu0
            ticks = app.dashboard.ticks - ticks0
            player.cancel()
            await source.close()
    finally:
        CountdownBar.render = original  # type: ignore[method-assign]
    return {
        "cpu_pct": 100 * cpu / wall,
        "bar_repaints_per_s": repaints / wall,
        "ticks_per_s": ticks / wall,
        "worst_loop_lag_ms": worst_lag * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--first-frame-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_frame_child:
        first_frame_child()
        return 0
    frames = first_frame()
    print(
        f"first frame (process start -> Ready, headless, 5 runs): median "
        f"{statistics.median(frames) * 1000:.0f} ms, max {max(frames) * 1000:.0f} ms"
    )
    tmux = idle_cpu_tmux(args.seconds)
    if tmux is not None:
        print(
            f"idle CPU in tmux 120x40, keepalive 1 s replayed, {args.seconds:g} s: {tmux[0]:.2f} %"
        )
    idle = asyncio.run(headless_run(args.seconds, crash=False, probe=False))
    print(
        f"idle CPU headless, same stream: {idle['cpu_pct']:.2f} % "
        f"(ticks {idle['ticks_per_s']:.1f}/s, worst loop lag {idle['worst_loop_lag_ms']:.1f} ms)"
    )
    count = asyncio.run(headless_run(3.0, crash=True, probe=True))
    print(
        f"countdown: {count['bar_repaints_per_s']:.1f} bar repaints/s, "
        f"{count['ticks_per_s']:.1f} ticks/s, CPU {count['cpu_pct']:.2f} %, "
        f"worst loop lag {count['worst_loop_lag_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
