"""Run the engine state-machine fuzz (tests/engine/enginefuzz.py) for longer than CI does.

    python3 bench/engine_fuzz.py [--examples 5000] [--steps 100] [--seed N] [--both-ways]

Prints the seed, the runs per second (every machine run, shrinking included) and, on a
failure, Hypothesis' shrunk program of rules; exits 1 then. The same seed gives the same
runs; CI runs the bounded, derandomized ``tests/engine/test_engine_fuzz.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

if "--both-ways" in sys.argv:  # before enginefuzz reads it at import
    os.environ["HBTUI_FUZZ_ONE_WAY"] = "0"

from enginefuzz import ClusterMachine  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import seed as use_seed  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402


class CountedMachine(ClusterMachine):
    """The fuzz machine, counting its runs."""

    runs = 0

    def __init__(self) -> None:
        super().__init__()
        CountedMachine.runs += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=5000)
    ap.add_argument("--steps", type=int, default=100, help="rules per run at most")
    ap.add_argument("--seed", type=int, default=None, help="default: a random one")
    ap.add_argument("--both-ways", action="store_true", help="one loss rate for both directions")
    args = ap.parse_args()
    seed = random.randrange(2**32) if args.seed is None else args.seed
    way = "one loss rate both ways" if args.both_ways else "one loss rate per direction"
    print(f"seed {seed}, {args.examples} examples of up to {args.steps} steps, {way}", flush=True)
    machine = use_seed(seed)(CountedMachine)
    config = settings(
        max_examples=args.examples,
        stateful_step_count=args.steps,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    t0 = time.perf_counter()
    failed = False
    try:
        run_state_machine_as_test(machine, settings=config)
    except Exception as exc:  # the failure, with Hypothesis' notes (the shrunk program)
        failed = True
        print("".join(traceback.format_exception(exc)), file=sys.stderr)
    took = time.perf_counter() - t0
    runs = CountedMachine.runs
    print(f"{runs} runs in {took:.1f} s: {runs / took:.1f} runs/s; {'FAILED' if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
