"""A drill's report: what was done, how long each move took, what both nodes' scripts said
(this node's from the stream, the peer's from its ha-log when there is a link to it), and
how that compares with the previous drill. Written as JSON (kept) and Markdown (to read)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Move:
    """One move of the group: the command given on this node and what came of it."""

    name: str  # "away" or "back" (or "restore" after an abort)
    command: str  # standby / takeover
    to_node: str
    seconds: float | None = None  # None: it did not complete
    ok: bool = False
    logged_at: str | None = None  # the node's ha-log clock when the move began (HH:MM:SS)
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds after that


@dataclass
class ScriptRun:
    """A resource script this node ran during the drill."""

    resource: str
    op: str
    rc: int | None = None  # None: no exit logged
    timed_out: bool = False
    output: list[str] = field(default_factory=list)


class ScriptLog:
    """Script runs as stream items (JSON mappings) tell them, appended to ``runs``:
    ``ScriptStarted`` opens one, ``ScriptOutput`` adds a line, ``ScriptExited`` ends it."""

    def __init__(self, runs: list[ScriptRun]) -> None:
        self.runs = runs
        self._by_id: dict[int, ScriptRun] = {}

    def note(self, item: Mapping[str, Any]) -> None:
        kind, rid = item.get("type"), item.get("request_id")
        if kind == "ScriptStarted" and isinstance(rid, int):
            argv = item.get("argv") or ["?"]
            run = ScriptRun(str(item.get("resource")), str(argv[-1]))
            self._by_id[rid] = run
            self.runs.append(run)
        elif kind == "ScriptOutput" and rid in self._by_id:
            self._by_id[rid].output.append(str(item.get("line")))
        elif kind == "ScriptExited" and rid in self._by_id:
            run = self._by_id[rid]
            run.rc, run.timed_out = item.get("rc"), bool(item.get("timed_out"))


@dataclass
class DrillReport:
    """The whole drill."""

    started: str  # RFC 3339
    node: str
    peer: str
    holder: str  # who held the group before
    moves: list[Move] = field(default_factory=list)
    scripts: list[ScriptRun] = field(default_factory=list)
    peer_scripts: list[ScriptRun] | None = None  # from the peer's ha-log; None: not read
    peer_unread: str | None = None  # why the peer's scripts were not read
    anomaly: str | None = None
    not_restored: str | None = None  # why the group was not put back after the anomaly
    refused: list[str] = field(default_factory=list)  # preflight findings
    notes: list[str] = field(default_factory=list)  # what was not checked, or noted

    @property
    def result(self) -> str:
        """passed, aborted (something went wrong midway) or refused (preflight)."""
        if self.refused:
            return "refused"
        return "aborted" if self.anomaly or not all(m.ok for m in self.moves) else "passed"

    def to_json(self) -> str:
        """The report as kept on disk."""
        return json.dumps({**asdict(self), "result": self.result}, indent=2) + "\n"

    def to_markdown(self, previous: dict[str, Any] | None = None) -> str:
        """For people: moves with times (and the previous drill's), anomalies, scripts."""
        lines = [f"# Failover drill {self.started}", "",
                 f"Node {self.node}, peer {self.peer}; the group was on {self.holder}.",
                 f"Result: **{self.result}**", ""]  # fmt: skip
        if self.refused:
            lines += ["Not started:", *(f"- {why}" for why in self.refused), ""]
        if self.notes:
            lines += ["Notes:", *(f"- {why}" for why in self.notes), ""]
        if self.anomaly:
            lines += [f"Stopped at: {self.anomaly}", ""]
        if self.not_restored:
            lines += [f"Not put back: {self.not_restored}", ""]
        before = {m["name"]: m.get("seconds") for m in (previous or {}).get("moves", [])}
        if self.moves:
            lines += ["| move | command | to | took | last drill |", "|---|---|---|---|---|"]
            for move in self.moves:
                took = "did not complete" if move.seconds is None else f"{move.seconds:.2f} s"
                last = before.get(move.name)
                lines.append(f"| {move.name} | {move.command} | {move.to_node} | {took} | "
                             f"{'-' if last is None else f'{last:.2f} s'} |")  # fmt: skip
            lines.append("")
        lines += self._phase_lines()
        if self.scripts:
            lines += _script_lines(f"Scripts run on {self.node}:", self.scripts)
        if self.peer_scripts is not None:
            lines += _script_lines(f"Scripts run on {self.peer} (its ha-log):", self.peer_scripts)
        elif self.moves:
            why = self.peer_unread or f"no link to {self.peer}"
            lines += [f"Scripts run on {self.peer}: not read ({why}).", ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def scripts_line(self) -> str:
        """Both nodes' script runs in one line, for the dialog: how many, and each that
        failed or timed out (the report has every call and its output)."""
        mine = f"{self.node} {_runs_said(self.scripts)}"
        if self.peer_scripts is not None:
            theirs = f"{self.peer} {_runs_said(self.peer_scripts)} (its ha-log)"
        else:
            theirs = f"{self.peer} not read ({self.peer_unread or f'no link to {self.peer}'})"
        return f"Scripts: {mine}; {theirs}"

    def _phase_lines(self) -> list[str]:
        """Each move's phases as its node's ha-log dates them (none: the log gave none)."""
        timed = [m for m in self.moves if m.logged_at]
        if not timed:
            return []
        lines = [f"Phases in {self.node}'s ha-log (seconds after the move's first line):", ""]
        for move in timed:
            steps = ", ".join(f"{name} +{secs:g} s" for name, secs in move.phases.items())
            lines.append(f"- {move.name} (from {move.logged_at}): {steps or 'no phase dated'}")
        return [*lines, ""]


def _runs_said(runs: list[ScriptRun]) -> str:
    """``4 run, none failed``, or the calls that failed or timed out named (a call with no
    exit logged is not counted failed: the real daemon logs only failures)."""
    if not runs:
        return "none run"
    failed = [r for r in runs if r.timed_out or r.rc not in (0, None)]
    if not failed:
        return f"{len(runs)} run, none failed"
    said = [f"{r.resource} {r.op} {'timed out' if r.timed_out else f'exit {r.rc}'}" for r in failed]
    return f"{len(runs)} run: " + ", ".join(said)


def _script_lines(title: str, runs: list[ScriptRun]) -> list[str]:
    """A node's script runs: each call, how it ended, its output lines."""
    lines = [title, ""]
    for run in runs:
        said = "timed out" if run.timed_out else f"exit {run.rc}"
        said = "no exit logged" if run.rc is None and not run.timed_out else said
        lines.append(f"- `{run.resource} {run.op}`: {said}")
        lines += [f"  - {text}" for text in run.output]
    if not runs:
        lines.append("- none")
    return [*lines, ""]
