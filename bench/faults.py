"""The fault suite's cases on two real Heartbeat 3.0.6 daemons and on two hbtui nodes (root only).

    sudo python3 bench/faults.py [--only loss20,partition,...] [--quick] [--runs 1]

For each case (bench/faultcases.py; tests/faults has the same faults as pass/fail tests) and
each pair a fresh lab is built, both nodes started with the HOWTO timers (keepalive 1 s,
deadtime 5 s, initdead 10 s, auto_failback on), the fault applied, and the lab torn down
(every process killed by PID). A netlink watcher in each node's namespace records every add
and removal of the VIP (CLOCK_MONOTONIC); a node killed by the bench holds nothing until it
is started again. From those events, over the case's window:

- both: the longest time the VIP was on both nodes;
- none: the longest time nobody held it;
- ->1: seconds from the fault's end to exactly one holder;
- final: who held it at the end;
- log: whether a line of either node's ha-log names the fault.

`--quick` shortens the loss cases to 20 s, the failing start's watch to 30 s and the storm to
5 restarts. A real daemon's `reboot -nf` (failed stop) runs the lab's logging stand-in, checked
before the case; the bench then takes that node down as the reboot would have.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from faultcases import CASES, ONE, TWO, Case, Run  # noqa: E402
from vs_heartbeat import machine  # noqa: E402

from hbtui.lab.commands import LabError  # noqa: E402
from hbtui.lab.netns import Lab  # noqa: E402
from tests.lab.cluster import Cluster, LabNodeProcess, RealHeartbeat  # noqa: E402
from tests.lab.conftest import lab_unavailable  # noqa: E402
from tests.lab.hbtui_node import HbtuiNode  # noqa: E402
from tests.lab.holds import ADDR, Mark, both, final, longest, nobody, settled_after, spans  # noqa: E402
from tests.lab.observe import AddressEvents  # noqa: E402

PAIRS: dict[str, type[LabNodeProcess]] = {"heartbeat": RealHeartbeat, "hbtui": HbtuiNode}
HBTUI_ONLY = (
    "control socket abuse: tests/runtime/test_runtime_control.py",
    "config fuzz: tests/config/test_config_fuzz.py, tests/config/test_fuzz_cf.py",
    "split brain by hand (ARP probe): tests/faults/test_faults_split_brain.py",
)


@dataclass
class Outcome:
    """The figures of one case on one pair (one run)."""

    both: float = 0.0
    none: float = 0.0
    settled: float | None = None
    final: list[str] = field(default_factory=list)
    named: bool = False
    notes: list[str] = field(default_factory=list)
    error: str = ""


def measure(run: Run, events: list[tuple[str, bool, float]], named: str, end: float) -> Outcome:
    marks = [Mark(at, name, ADDR, added) for name, added, at in events] + run.marks
    found = spans([ONE, TWO], marks, run.begin, end)
    logs = "\n".join(run[n].log_text() for n in (ONE, TWO))
    return Outcome(
        both=longest(found, both),
        none=longest(found, nobody),
        settled=None if run.ended is None else settled_after(found, run.ended),
        final=final(found),
        named=re.search(named, logs) is not None,
        notes=run.notes,
    )


def run_case(case: Case, kind: type[LabNodeProcess], quick: bool, work: Path) -> Outcome:
    """One case on a fresh pair of `kind`; the lab is torn down whatever happens."""
    with Lab([ONE, TWO], base_dir=work) as lab:
        netns = {node.name: node.netns for node in lab}
        with AddressEvents(netns, case.setup.vip_ip) as watch:
            run = Run(Cluster(lab, [kind, kind], case.setup), quick)
            try:
                case.act(run)
                return measure(run, watch.events, case.named, time.monotonic())
            except Exception as exc:  # one case failing must not lose the others' figures
                traceback.print_exc()
                return Outcome(error=str(exc).splitlines()[0][:160], notes=run.notes)
            finally:
                for member in run.cluster:
                    with contextlib.suppress(LabError, TimeoutError):
                        member.crash()


def worst(outcomes: list[Outcome]) -> Outcome:
    """Several runs in one: the longest double and empty holds, the slowest settle."""
    good = [o for o in outcomes if not o.error]
    if not good:
        return outcomes[0]
    settles = [o.settled for o in good]
    return Outcome(
        both=max(o.both for o in good),
        none=max(o.none for o in good),
        settled=None if None in settles else max(s for s in settles if s is not None),
        final=sorted({n for o in good for n in o.final}),
        named=all(o.named for o in good),
        notes=[n for o in outcomes for n in o.notes],
        error="; ".join(o.error for o in outcomes if o.error),
    )


def cell(out: Outcome, ended: bool) -> str:
    if out.error and not out.final and not out.notes:
        return f"failed: {out.error}"
    settled = "never" if out.settled is None else f"{out.settled:.2f}"
    parts = [f"both {out.both:.2f}", f"none {out.none:.2f}"]
    if ended:
        parts.append(f"->1 {settled}")
    parts += [f"final {'+'.join(out.final) or 'nobody'}", f"log {'yes' if out.named else 'no'}"]
    return " / ".join(parts)


def verdict(hb: Outcome, ours: Outcome) -> str:
    """Safety first (both), then service (none), then the settle time; 0.1 s counts as equal."""
    if hb.error or ours.error:
        return "-"
    said = []
    for label, a, b in (("both", hb.both, ours.both), ("none", hb.none, ours.none)):
        if a > 0.05 or b > 0.05:
            said.append(f"{label} {b / a:.2f}" if a > 0.05 else f"{label}: heartbeat 0")
    if hb.settled and ours.settled is not None:
        said.append(f"->1 {ours.settled / hb.settled:.2f}")
    word = "same"
    never = float("inf")
    hb_settled = never if hb.settled is None else hb.settled
    our_settled = never if ours.settled is None else ours.settled
    for a, b in ((hb.both, ours.both), (hb.none, ours.none), (hb_settled, our_settled)):
        if a != b and abs(a - b) > 0.1:
            word = "hbtui better" if b < a else "hbtui worse"
            break
    return f"{word}: {', '.join(said)}" if said else word


def render(results: dict[str, dict[str, Outcome]]) -> str:
    lines = ["| case | heartbeat | hbtui | hbtui/hb, verdict |", "|---|---|---|---|"]
    notes = []
    for key in [k for k in CASES if k in results]:
        case, pairs = CASES[key], results[key]
        hb, ours = pairs["heartbeat"], pairs["hbtui"]
        lines.append(
            f"| {case.title} (`{key}`) | {cell(hb, case.ends)} | {cell(ours, case.ends)} | "
            f"{verdict(hb, ours)} |"
        )
        for pair, out in pairs.items():
            said = [*out.notes, *([f"error: {out.error}"] if out.error else [])]
            if said:
                notes.append(f"- `{key}`, {pair}: " + "; ".join(said))
    lines += ["", "hbtui only (no meaning for the real daemon):", ""]
    lines += [f"- {text}" for text in HBTUI_ONLY]
    return "\n".join([*lines, "", "Notes:", "", *notes])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CASES), help="cases, comma list")
    parser.add_argument("--quick", action="store_true", help="shorter loss, watch and storm")
    parser.add_argument("--runs", type=int, default=1, help="runs of each case and pair")
    parser.add_argument("--pairs", default=",".join(PAIRS), help="heartbeat,hbtui")
    args = parser.parse_args()
    unknown = [k for k in args.only.split(",") if k not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    reason = lab_unavailable() or RealHeartbeat.available()
    if reason:
        print(f"faults skipped: {reason}", file=sys.stderr)
        return 2
    began = time.monotonic()
    results: dict[str, dict[str, Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="hbtui-faults-") as tmp:
        for key in args.only.split(","):
            results[key] = {}
            for pair in args.pairs.split(","):
                outs = []
                for n in range(args.runs):
                    work = Path(tmp) / f"{key}-{pair}-{n}"
                    outs.append(run_case(CASES[key], PAIRS[pair], args.quick, work))
                    out = outs[-1]
                    print(f"  {key:15} {pair:9} run {n + 1}: {cell(out, True)}", flush=True)
                results[key][pair] = worst(outs)
    print(f"\nfaults: {machine()}; took {time.monotonic() - began:.0f} s")
    print(render({k: v for k, v in results.items() if len(v) == len(PAIRS)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
