"""One support bundle from a set of nodes: ``hbtui report`` (over SSH links it opens) and
the console's ``B`` (over the links it holds) both call ``make_bundle``.

Each node is a ``Collector``: an awaitable that returns the node's items and keys, or raises
when the node cannot be reached (said in the README, never silent). The capture, the log
window, the post-mortem and the tar.gz run in a thread: nothing blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path, PurePosixPath

from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError
from hbtui.report.ask import BundleAsk, Bundled
from hbtui.report.bundle import write_bundle
from hbtui.report.collect import Where, collect
from hbtui.report.window import in_window

Items = list[tuple[str, str]]
Collected = tuple[Items, set[str]]
Collector = Callable[[], Awaitable[Collected]]


def bundle_name(me: str) -> str:
    """``hbtui-report-<node>-<local stamp>.tar.gz``."""
    return f"hbtui-report-{me}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"


def logs_of(config: object) -> tuple[PurePosixPath, ...]:
    """ha.cf's logfile and debugfile (Heartbeat's defaults when it names none)."""
    cf = getattr(config, "ha_cf", None)
    paths = [getattr(cf, "logfile", None), getattr(cf, "debugfile", None)] if cf else []
    found = tuple(PurePosixPath(str(p)) for p in paths if p)
    return found or Where().logs


def over(runner: CommandRunner, where: Where) -> Collector:
    """Collect through a runner that is already there (this machine, a link the console
    holds); a link that is not up is unreachable, not a bundle of errors."""

    async def collector() -> Collected:
        if getattr(runner, "is_up", True) is False:
            state = getattr(getattr(runner, "status", None), "state", "down")
            raise LinkError(f"the SSH link is {state}")
        return await collect(runner, where)

    return collector


async def make_bundle(
    me: str,
    collectors: Mapping[str, Collector],
    ask: BundleAsk,
    out: Path,
    *,
    port: int = 694,
    config_dir: Path | None = None,
) -> Bundled:
    """Collect every node (and capture udp/``port`` here meanwhile), keep the window's log
    lines, add the post-mortem, write the tar.gz at ``out``. OSError when it cannot be
    written; anything a node could not give is in ``missing``."""
    capturing = None
    if ask.capture_s > 0:
        capturing = asyncio.create_task(asyncio.to_thread(capture, ask.capture_s, port))
    names = list(collectors)
    outcomes = await asyncio.gather(
        *(collectors[n]() for n in names), return_exceptions=True
    )  # each node's own failure, never the others'
    nodes: dict[str, Items] = {}
    secrets: set[str] = set()
    missing: list[str] = []
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome  # a cancel
            missing.append(f"{name}: unreachable: {outcome or type(outcome).__name__}")
            continue
        nodes[name] = outcome[0]
        secrets |= outcome[1]
        missing += [f"{name}: {item[:-6]}: {text.strip()}" for item, text in outcome[0]
                    if item.endswith(".error")]  # fmt: skip
    binaries: dict[str, bytes] = {}
    if capturing is not None:
        pcap, why = await capturing
        if pcap is not None:
            binaries[f"{me}/capture-udp{port}.pcap"] = pcap
        else:
            missing.append(f"{me}: capture: {why}")
    return await asyncio.to_thread(_finish, out, nodes, secrets, ask, missing, binaries, config_dir)


def _finish(
    out: Path,
    nodes: dict[str, Items],
    secrets: set[str],
    ask: BundleAsk,
    missing: list[str],
    binaries: dict[str, bytes],
    config_dir: Path | None,
) -> Bundled:
    """The window, the post-mortem, the tar.gz (blocking: run in a thread)."""
    for items in nodes.values():
        items[:] = [
            (name, in_window(text, ask.since, ask.until) if name.startswith("log/") else text)
            for name, text in items
        ]
    names = tuple(nodes)
    postmortem, why = _postmortem(nodes, config_dir, binaries)
    if postmortem:
        nodes["postmortem"] = postmortem
    elif why:
        missing.append(f"postmortem: {why}")
    window = f"{ask.since or 'start'} to {ask.until or 'now'} (local time)"
    write_bundle(out, nodes, secrets, window, missing, binaries)
    return Bundled(out, names, tuple(missing))


def _postmortem(
    nodes: dict[str, Items], config_dir: Path | None, binaries: dict[str, bytes]
) -> tuple[Items, str]:
    """``hbtui postmortem`` of the window's logs of every node (with the capture when one
    was taken): the report as text and as JSON lines, or why there is none."""
    from hbtui.postmortem.files import PostmortemError
    from hbtui.postmortem.inputs import report_of
    from hbtui.postmortem.render import json_lines, text_lines

    with tempfile.TemporaryDirectory(prefix="hbtui-report-pm-") as tmp:
        logs, pcaps = [], []
        for node, items in nodes.items():
            for name, text in items:
                if name.startswith("log/") and not name.endswith(".error") and text.strip():
                    logs.append(Path(tmp) / node / name.removeprefix("log/"))
                    logs[-1].parent.mkdir(parents=True, exist_ok=True)
                    logs[-1].write_text(text)
        for name, data in binaries.items():
            pcaps.append(Path(tmp) / name.replace("/", "_"))
            pcaps[-1].write_bytes(data)
        if not logs:
            return [], "no ha-log lines in the window"
        try:
            report = report_of(logs, config_dir, pcaps)
        except PostmortemError as exc:
            return [], str(exc)
    text = "".join(line + "\n" for line in text_lines(report))
    return [
        ("report.txt", text),
        ("timeline.jsonl", "".join(j + "\n" for j in json_lines(report))),
    ], ""


def capture(seconds: float, port: int) -> tuple[bytes | None, str]:
    """A pcap of udp/``port`` on every interface for ``seconds``, or why there is none
    (blocking: run it in a thread)."""
    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        return None, "tcpdump is not installed"
    with tempfile.TemporaryDirectory() as tmp:
        pcap = Path(tmp) / "capture.pcap"
        argv = [tcpdump, "-i", "any", "-w", str(pcap), "-U", f"udp port {port}"]
        done = None
        with contextlib.suppress(subprocess.TimeoutExpired):  # the end of the capture
            done = subprocess.run(argv, timeout=seconds, capture_output=True, check=False)
        if not pcap.exists():
            why = done.stderr.decode(errors="replace").strip() if done is not None else ""
            return None, f"tcpdump wrote no capture{': ' + why if why else ''}"
        return pcap.read_bytes(), ""
