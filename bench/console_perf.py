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

4. (--demo, root) the real ``hbtui demo`` in tmux 140x44: idle CPU of the console
   process (median of --runs demo launches, --seconds each after the cluster settled), the
   single-node attach console (``hbtui console --mode attach --no-peers`` on server1's
   control socket) likewise, and the countdown after ``k`` on server1 (from 1.6 s of
   silence until it is declared dead): countdown changes per second as the terminal shows
   them (capture-pane about 40 times a second), the longest a text stood, and CPU.

Usage: python bench/console_perf.py [--seconds 10] [--demo [--runs 3]]
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import itertools  # noqa: E402
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
    from hbtui.sources.demo_trace import trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot

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
    from hbtui.console.widgets.countdown import CountdownBar
    from hbtui.sources.demo_trace import LAST_HEARD_MS, trace
    from hbtui.sources.replay import ReplaySource, initial_snapshot

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


# -- the real demo in tmux (root) ------------------------------------------------------

DEMO_SIZE = ("140", "44")
SETTLE_S = 8.0  # after the first frame: the VIP is up, initial snapshots are in


def tmux(*args: str) -> str:
    """Run tmux; its stdout."""
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10)
    return done.stdout


def screen(session: str) -> str:
    """What the terminal of ``session`` shows now."""
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float) -> bool:
    """Poll the screen (bounded) until ``text`` shows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in screen(session):
            return True
        time.sleep(0.2)  # polling a terminal from outside: there is no event to await
    return False


def console_process(session: str) -> object:
    """The psutil.Process of the console in ``session`` (the pane's hbtui.cli process)."""
    import psutil

    pane = psutil.Process(int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0]))
    for proc in [pane, *pane.children(recursive=True)]:
        if "hbtui.cli" in " ".join(proc.cmdline()):
            return proc
    return pane


def cpu_pct(proc: object, seconds: float) -> float:
    """CPU % (one core = 100) of ``proc`` itself over ``seconds`` of wall time."""
    before = proc.cpu_times()  # type: ignore[attr-defined]
    t0 = time.monotonic()
    time.sleep(seconds)
    after = proc.cpu_times()  # type: ignore[attr-defined]
    used = (after.user + after.system) - (before.user + before.system)
    return 100 * used / (time.monotonic() - t0)


def start_session(name: str, cmd: str) -> None:
    """A detached tmux session of DEMO_SIZE running ``cmd`` in the repo."""
    width, height = DEMO_SIZE
    tmux("new-session", "-d", "-s", name, "-x", width, "-y", height, "-c", str(ROOT), cmd)


def end_session(name: str, quit_key: bool = True, timeout: float = 40.0) -> None:
    """Quit the app with q (the demo tears its namespaces down), then drop the session."""
    if quit_key:
        tmux("send-keys", "-t", name, "q")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and name in tmux("ls", "-F", "#{session_name}"):
            time.sleep(0.2)  # the demo removes its namespaces before it exits
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=10)


def server1_dir(demo: object) -> Path:
    """The lab directory of server1 (from its hbtui node's --config-dir)."""
    for child in demo.children(recursive=True):  # type: ignore[attr-defined]
        argv = child.cmdline()
        if "node" in argv and "--config-dir" in argv:
            config_dir = Path(argv[argv.index("--config-dir") + 1])
            if config_dir.parent.name == "server1":
                return config_dir.parent
    raise RuntimeError("no hbtui node of server1 under the demo")


def countdown_rate(session: str, seconds: float) -> tuple[float, float]:
    """Countdown changes per second on the terminal while it counts (until the node is
    declared dead or ``seconds`` pass), and the longest time one text stood (s)."""
    last, changes = "", []
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        lines = [ln for ln in screen(session).splitlines() if "dead in" in ln or "left" in ln]
        text = "\n".join(lines)
        if text != last:
            if not text and changes:
                break  # declared dead: the countdown is over
            changes.append(time.monotonic())
            last = text
        time.sleep(0.02)
    if len(changes) < 2:
        return 0.0, 0.0
    gaps = [b - a for a, b in itertools.pairwise(changes)]
    return (len(changes) - 1) / (changes[-1] - changes[0]), max(gaps)


def demo_run(seconds: float, attach: bool, countdown: bool) -> dict[str, float]:
    """One ``hbtui demo`` launch: its console's idle CPU, then optionally more."""
    name = f"hbtui-perf-demo-{os.getpid()}"
    out: dict[str, float] = {}
    start_session(name, f"{sys.executable} -m hbtui.cli demo")
    try:
        if not wait_for(name, "Other nodes", 60):
            raise RuntimeError("the demo console did not come up:\n" + screen(name))
        time.sleep(SETTLE_S)
        demo = console_process(name)
        out["demo_cpu"] = cpu_pct(demo, seconds)
        if attach:
            node_dir = server1_dir(demo)
            cmd = (
                f"{sys.executable} -m hbtui.cli console --mode attach --no-peers "
                f"--control-socket {node_dir / 'run/hbtui/control.sock'} "
                f"--config-dir {node_dir / 'etc-ha.d'} --state-dir {node_dir / 'var-lib-heartbeat'}"
            )
            single = name + "-attach"
            start_session(single, cmd)
            try:
                wait_for(single, "Wire", 30)
                time.sleep(SETTLE_S)
                out["attach_cpu"] = cpu_pct(console_process(single), seconds)
            finally:
                end_session(single)
        if countdown:
            tmux("send-keys", "-t", name, "k")
            wait_for(name, "Kill server1", 10)
            tmux("send-keys", "-t", name, "y")
            time.sleep(1.6)  # the keepalive is overdue from 1.5 s: the countdown proper
            before = demo.cpu_times()  # type: ignore[attr-defined]
            t0 = time.monotonic()
            rate, longest = countdown_rate(name, 10.0)  # deadtime 5 s: ends at about 3.4 s
            after = demo.cpu_times()  # type: ignore[attr-defined]
            used = (after.user + after.system) - (before.user + before.system)
            out["countdown_per_s"], out["countdown_longest_gap_s"] = rate, longest
            out["countdown_cpu"] = 100 * used / (time.monotonic() - t0)
    finally:
        end_session(name)
    return out


def demo_figures(seconds: float, runs: int) -> None:
    """Print the demo figures (see the module docstring, item 4)."""
    results = [demo_run(seconds, attach=True, countdown=True) for _ in range(runs)]
    for key, what in (
        ("demo_cpu", f"two-node demo console idle CPU, {seconds:g} s"),
        ("attach_cpu", f"single-node attach console idle CPU, {seconds:g} s"),
        ("countdown_cpu", "demo console CPU during the countdown (k on server1, to dead)"),
    ):
        values = [r[key] for r in results if key in r]
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{what}: median {statistics.median(values):.2f} % ({shown})")
    rates = [r["countdown_per_s"] for r in results]
    gaps = [r["countdown_longest_gap_s"] for r in results]
    print(
        f"countdown on the terminal: median {statistics.median(rates):.1f} changes/s "
        f"({', '.join(f'{v:.1f}' for v in rates)}), longest still {max(gaps) * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--demo", action="store_true", help="the real hbtui demo (root, tmux)")
    parser.add_argument("--runs", type=int, default=3, help="--demo: demo launches")
    parser.add_argument("--first-frame-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_frame_child:
        first_frame_child()
        return 0
    if args.demo:
        demo_figures(args.seconds, args.runs)
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
