"""``hbtui drill``: a failover drill on the live cluster, from this node's control socket.

Preflight (this node active, the peer alive, the addresses on one node, no failed stop,
split brain, running script or handshake), then the group moves away from its holder and
back: ``standby`` when this node holds it, else ``takeover`` (both given on this node).
Each move is timed until the snapshot shows every address on the target and nothing
running. The first anomaly (a script failing or timing out, a stop failure, a node
declared dead, a move not done within ``--timeout``) ends the drill and the group is put
back where it was. The report (Markdown printed and kept, JSON kept) goes under
``--reports-dir`` (``drills/`` in the state dir); the previous drill's times stand beside
this one's.

Exit status: 0 passed, 1 aborted (or the node refused), 2 refused by the preflight,
3 no node runs here.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.control.client import ControlError, NoNodeRunning, follow, request
from hbtui.drill.checks import anomaly, holder, peers, preflight
from hbtui.drill.report import DrillReport, Move, ScriptRun
from hbtui.stream.codec import rfc3339

POLL_S = 0.05
EXIT_PASSED, EXIT_ABORTED, EXIT_REFUSED, EXIT_NO_NODE = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui drill``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds each move may take (default 120)")  # fmt: skip
    parser.add_argument("--reports-dir",
                        help="where reports are kept (default: --state-dir/drills)")  # fmt: skip
    parser.epilog = "exit status: 0 passed; 1 aborted; 2 refused by the preflight; 3 no node runs"


class EventWatch:
    """The node's event stream read in a thread; ``drain`` returns what came so far."""

    def __init__(self, path: Path) -> None:
        self.items: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        threading.Thread(target=self._read, args=(path,), daemon=True).start()

    def _read(self, path: Path) -> None:
        try:
            for item in follow(path):
                self.items.put(item)
        except (ControlError, OSError):
            return

    def drain(self) -> list[dict[str, Any]]:
        """Every item received since the last call."""
        found = []
        while not self.items.empty():
            found.append(self.items.get_nowait())
        return found


class Drill:
    """One drill against the node at ``path``; ``run`` fills ``report``."""

    def __init__(self, path: Path, timeout_s: float, report: DrillReport) -> None:
        self.path, self.timeout_s, self.report = path, timeout_s, report
        self.events = EventWatch(path)
        self._scripts: dict[int, ScriptRun] = {}

    def _note(self, item: dict[str, Any]) -> str | None:
        """Keep script runs; the anomaly this item is, if any."""
        kind, rid = item.get("type"), item.get("request_id")
        if kind == "ScriptStarted" and isinstance(rid, int):
            argv = item.get("argv") or ["?"]
            run = ScriptRun(str(item.get("resource")), str(argv[-1]))
            self._scripts[rid] = run
            self.report.scripts.append(run)
        elif kind == "ScriptOutput" and rid in self._scripts:
            self._scripts[rid].output.append(str(item.get("line")))
        elif kind == "ScriptExited" and rid in self._scripts:
            run = self._scripts[rid]
            run.rc, run.timed_out = item.get("rc"), bool(item.get("timed_out"))
        return anomaly(item)

    def move(self, move: Move, watch_anomalies: bool = True) -> bool:
        """Give ``move.command`` and wait until the group is on ``move.to_node``, settled."""
        self.report.moves.append(move)
        began = time.monotonic()
        request(self.path, move.command, arg="all")
        while time.monotonic() - began < self.timeout_s:
            for item in self.events.drain():
                why = self._note(item)
                if why and watch_anomalies and self.report.anomaly is None:
                    self.report.anomaly = f"{move.name}: {why}"
                    return False
            snap = request(self.path, "snapshot")
            settled = not snap.get("busy") and snap.get("standby") is None
            running = snap.get("runtime", {}).get("scripts_running")
            if holder(snap) == move.to_node and settled and not running:
                move.seconds, move.ok = round(time.monotonic() - began, 3), True
                return True
            time.sleep(POLL_S)
        if watch_anomalies and self.report.anomaly is None:
            self.report.anomaly = f"{move.name}: not done within {self.timeout_s:g} s"
        return False

    def run(self) -> None:
        """Away and back; put the group back where it was when something went wrong."""
        me, peer, original = self.report.node, self.report.peer, self.report.holder
        away = Move("away", "standby", peer) if original == me else Move("away", "takeover", me)
        back = Move("back", "takeover", me) if original == me else Move("back", "standby", peer)
        if self.move(away):
            self.move(back)
        if self.report.anomaly is None:
            return
        now = holder(request(self.path, "snapshot"))
        if now != original:
            command = "takeover" if original == me else "standby"
            self.move(Move("restore", command, original), watch_anomalies=False)


def previous_report(directory: Path) -> dict[str, Any] | None:
    """The last drill kept in ``directory`` (None when there is none or it is unreadable)."""
    kept = sorted(directory.glob("drill-*.json"))
    try:
        return json.loads(kept[-1].read_text()) if kept else None
    except (OSError, ValueError):
        return None


def keep(report: DrillReport, directory: Path, markdown: str) -> Path:
    """Write the report's JSON and Markdown into ``directory``; the Markdown's path."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = "drill-" + report.started.replace(":", "").replace("-", "").replace(".", "_")
    (directory / f"{stem}.json").write_text(report.to_json())
    path = directory / f"{stem}.md"
    path.write_text(markdown)
    return path


def run(args: argparse.Namespace) -> int:
    """Preflight, drill, report."""
    path = Path(args.control_socket)
    try:
        snap = request(path, "snapshot")
    except NoNodeRunning as exc:
        print(f"hbtui drill: {exc}", file=sys.stderr)
        return EXIT_NO_NODE
    except ControlError as exc:
        print(f"hbtui drill: {exc}", file=sys.stderr)
        return EXIT_ABORTED
    others = list(peers(snap))
    report = DrillReport(rfc3339(time.time()), snap["node"], others[0] if others else "none",
                         holder(snap) or "nobody", refused=preflight(snap))  # fmt: skip
    if not report.refused:
        try:
            Drill(path, args.timeout, report).run()
        except ControlError as exc:
            report.anomaly = report.anomaly or f"the node stopped answering: {exc}"
    directory = Path(args.reports_dir or Path(args.state_dir) / "drills")
    markdown = report.to_markdown(previous_report(directory))
    print(markdown, end="")
    try:
        print(f"kept: {keep(report, directory, markdown)}")
    except OSError as exc:
        print(
            f"hbtui drill: cannot keep the report in {directory}: {exc.strerror}", file=sys.stderr
        )
    return {"passed": EXIT_PASSED, "refused": EXIT_REFUSED}.get(report.result, EXIT_ABORTED)
