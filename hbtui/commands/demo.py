"""``hbtui demo``: the Heartbeat HOWTO's two-node cluster on this machine, in the console.

As root it builds a bridge namespace and server1 (192.168.10.1) / server2 (192.168.10.2),
each with its own network, UTS, mount and PID namespaces (``hbtui.lab``), gives both the
bundled HOWTO config, starts ``hbtui node`` in each and opens the console on both nodes
(server1 focused). Quitting, Ctrl-C or an error removes every namespace and process it made.
As a normal user it runs itself again inside a user namespace of its own (``hbtui.lab.userns``)
where it is root, and builds the same cluster there; where the kernel forbids that, it says
what failed and how to run it (sudo, or the sysctl to set) and exits 2.

``--headless --seconds N``: no console; bring the cluster up, wait (at most N seconds) for
the VIP, print ``hbtui status`` of both nodes, tear down.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from types import FrameType
from typing import TYPE_CHECKING, Any

from hbtui.control import client

if TYPE_CHECKING:  # the lab (psutil, namespaces) is imported only when the demo runs
    from hbtui.console.app import ConsoleApp
    from hbtui.drill.driver import KeepDrill
    from hbtui.drill.report import DrillReport
    from hbtui.lab.demo import DemoCluster, DemoNode
    from hbtui.report.ask import BundleSetup

UP_TIMEOUT_S = 20.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui demo``."""
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no console: bring the cluster up, print `hbtui status` of both nodes, tear down",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="--headless: wait at most this long for the VIP (default 60)",
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM/SIGHUP end the demo like Ctrl-C does, so the teardown always runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_answering(cluster: DemoCluster, timeout: float) -> None:
    """Wait (bounded) until every node's control socket answers."""
    from hbtui.lab.commands import LabError

    deadline = time.monotonic() + timeout
    for node in cluster.nodes.values():
        while True:
            try:
                client.request(node.control_socket, "snapshot", 1.0)
                break
            except (client.NoNodeRunning, client.ControlError):
                if time.monotonic() > deadline or not node.running():
                    out = node.output_path.read_text(errors="replace")[-2000:]
                    raise LabError(f"{node.name}: hbtui node did not come up:\n{out}") from None
                time.sleep(0.1)  # the socket appears once the node is bound


def run(args: argparse.Namespace) -> int:
    """Build the cluster, run the console (or the headless check), always tear down."""
    from hbtui.lab import userns
    from hbtui.lab.commands import LabError
    from hbtui.lab.demo import DemoCluster, why_not
    from hbtui.lab.netns import sweep_stale_netns
    from hbtui.lab.nodeproc import PACKAGE_PARENT

    if os.geteuid() != 0:
        blocked = userns.unavailable_reason()
        if blocked:
            print(f"hbtui demo: {blocked}", file=sys.stderr)
            return 2
        return userns.run_in_userns(demo_argv(args), PACKAGE_PARENT)
    if userns.inside():
        userns.prepare_inside()
    reason = why_not()
    if reason:
        print(f"hbtui demo: {reason}", file=sys.stderr)
        return 2
    sweep_stale_netns()
    with terminate_as_interrupt():
        try:
            with DemoCluster() as cluster:
                cluster.start_all()
                wait_answering(cluster, UP_TIMEOUT_S)
                if args.headless:
                    return headless(cluster, args.seconds)
                return console(cluster)
        except LabError as exc:
            print(f"hbtui demo: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("hbtui demo: interrupted; everything it made is removed", file=sys.stderr)
            return 130


def demo_argv(args: argparse.Namespace) -> list[str]:
    """``hbtui`` arguments that run this same demo again (inside a user namespace)."""
    return ["demo", *(["--headless"] if args.headless else []), "--seconds", str(args.seconds)]


def headless(cluster: DemoCluster, seconds: float) -> int:
    """Wait for the VIP on server1, print both nodes' status; 0 when the VIP came up."""
    from hbtui.lab.demo import VIP

    began = time.monotonic()
    try:
        seen = cluster["server1"].lab_node.wait_for_address(VIP, timeout=seconds)
        up = True
    except TimeoutError:
        seen, up = time.monotonic(), False
    took = seen - began
    print(f"VIP {VIP} on server1: {'yes' if up else 'no'} after {took:.1f} s")
    for node in cluster.nodes.values():
        print(f"\n== hbtui status on {node.name} ==", flush=True)
        argv = [sys.executable, "-m", "hbtui.cli", "status"]
        argv += ["--control-socket", str(node.control_socket)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False)
        print(done.stdout.rstrip() or done.stderr.rstrip(), flush=True)
    return 0 if up else 1


def console(cluster: DemoCluster) -> int:
    """Open the console on both nodes; returns when the operator quits."""
    app = demo_app(cluster)
    app.run()
    return 0


def demo_app(cluster: DemoCluster, **kwargs: Any) -> ConsoleApp:
    """The console over every node of the demo cluster (server1 focused)."""
    from hbtui.console.app import ConsoleApp
    from hbtui.drill.driver import DrillSetup
    from hbtui.lab.demo_rename import demo_rename_backend
    from hbtui.sources.demo import demo_reopener, demo_sources

    sources = demo_sources(cluster)
    kwargs.setdefault("drill", DrillSetup(keep=demo_keeper(cluster)))
    kwargs.setdefault("rename", demo_rename_backend(cluster))
    kwargs.setdefault("reopen", demo_reopener(cluster))
    kwargs.setdefault("bundle", demo_bundle(cluster))
    kwargs.setdefault("poll_sockets", False)  # the nodes' sockets live in their namespaces
    kwargs.setdefault("confirm_actions", False)  # a demo cluster: keys act at once
    kwargs.setdefault("unpolled_why", "the nodes' sockets are in their namespaces")
    return ConsoleApp(sources[0], others=sources[1:], **kwargs)


def demo_bundle(cluster: DemoCluster) -> BundleSetup:
    """``B`` in the demo: every node's private files read from here (its config, state and
    logs under the lab directory, status over its control socket) into the first node's
    state dir (``reports/``). A capture sees this machine's interfaces, not the nodes'."""
    from hbtui.remote.runner import LocalRunner
    from hbtui.report.ask import BundleAsk, Bundled, BundleSetup
    from hbtui.report.collect import Where
    from hbtui.report.make import Collector, bundle_name, make_bundle, over

    first = next(iter(cluster.nodes.values()))
    directory = first.state_dir / "reports"

    def where(node: DemoNode) -> Where:
        logs = tuple(PurePosixPath(node.lab_node.host_path(str(p))) for p in Where().logs)
        return Where(PurePosixPath(node.config_dir), PurePosixPath(node.state_dir), logs,
                     (sys.executable, "-m", "hbtui"), str(node.control_socket))  # fmt: skip

    async def make(ask: BundleAsk) -> Bundled:
        collectors: dict[str, Collector] = {
            name: over(LocalRunner(), where(node)) for name, node in cluster.nodes.items()
        }
        me = next(iter(collectors))
        return await make_bundle(me, collectors, ask, directory / bundle_name(me),
                                 config_dir=first.config_dir)  # fmt: skip

    return BundleSetup(make, directory)


def demo_keeper(cluster: DemoCluster) -> KeepDrill:
    """``D`` in the demo keeps each drill in its node's private state dir (``drills/``)."""
    from hbtui.commands.drill import keeper

    async def keep(report: DrillReport) -> str:
        node = cluster.nodes.get(report.node) or next(iter(cluster.nodes.values()))
        return await keeper(node.state_dir / "drills")(report)

    return keep
