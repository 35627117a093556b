"""``hbtui advise``: how often would this link fail over by mistake, and which timers to use.

Gaps come from captures (``--pcap``), from a file of numbers (``--gaps``), live from the
running node (``--listen SECONDS``: the gaps it measures between a peer's keepalives) or from
ha-logs (``--log``: only the late ones, over warntime; the tail of the model is fitted). The
model is in ``hbtui.advise.model``; the current timers are read from ha.cf (``--config-dir``)
or given (``--keepalive``, ``--deadtime``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hbtui.advise.gaps import GapsError, gaps_from_pcaps, gaps_from_text
from hbtui.advise.logs import LateGaps, late_gaps
from hbtui.advise.model import (
    TEN_YEARS_DAYS,
    LossFit,
    TooFewLate,
    false_failovers_per_day,
    fit,
    fit_tail,
    losses_needed,
    recommend,
)
from hbtui.cli_common import add_common_options, add_control_socket_option
from hbtui.config.ha_cf import parse_ha_cf
from hbtui.config.lines import read_config_file
from hbtui.config.timeparse import format_ms
from hbtui.postmortem.files import PostmortemError

OTHER_KEEPALIVES_MS = (2000, 1000, 500, 200)
ROUGH_RUNS = 30  # a tail fit on fewer runs says so


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui advise``."""
    add_common_options(parser)
    add_control_socket_option(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pcap", nargs="+", type=Path, metavar="FILE", help="pcap/pcapng")
    source.add_argument("--gaps", type=Path, metavar="FILE", help="one gap in ms per line")
    source.add_argument(
        "--listen",
        type=float,
        metavar="SECONDS",
        help="measure the running node's keepalive gaps for SECONDS",
    )
    source.add_argument(
        "--log",
        action="append",
        type=Path,
        metavar="FILE",
        help="an ha-log, ha-debug or syslog file or a directory (rotated, .gz; repeatable): "
        "its late heartbeats, gaps over warntime only, fit the tail of the model",
    )
    parser.add_argument("--keepalive", type=int, metavar="MS", help="default: ha.cf's")
    parser.add_argument("--deadtime", type=int, metavar="MS", help="default: ha.cf's")
    parser.add_argument("--warntime", type=int, metavar="MS", help="with --log; default: ha.cf's")
    parser.add_argument(
        "--target-years",
        type=float,
        default=10.0,
        help="at most one false failover in this many years (default 10)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per sender")


def run(args: argparse.Namespace) -> int:
    """Fit the gaps of each sender and print the advice."""
    if not (args.pcap or args.gaps or args.listen or args.log):
        print(
            "hbtui advise: give the gaps: --pcap FILE, --gaps FILE, --listen SECONDS or --log FILE",
            file=sys.stderr,
        )
        return 2
    if args.log:
        return _run_logs(args)
    try:
        per_sender = _gaps(args)
    except GapsError as exc:
        print(f"hbtui advise: {exc}", file=sys.stderr)
        return 2
    if not per_sender:
        print("hbtui advise: no keepalive gaps found in the input", file=sys.stderr)
        return 2
    configured = _configured(Path(args.config_dir))
    target = _target(args.target_years)
    for sender, gaps in sorted(per_sender.items()):
        keepalive = args.keepalive or configured.get("keepalive_ms") or _median(gaps)
        deadtime = args.deadtime or configured.get("deadtime_ms")
        loss = fit(gaps, keepalive)
        report = _report(sender, loss, keepalive, deadtime, target)
        if args.json:
            print(json.dumps(report, sort_keys=True))
        else:
            print("\n".join(_text(report, loss, args.target_years)))
    return 0


def _target(years: float) -> float:
    """At most one false failover in ``years``, as a rate a day."""
    return 1 / (years * 365.25) if years > 0 else 1 / TEN_YEARS_DAYS


def _run_logs(args: argparse.Namespace) -> int:
    """``--log``: fit each sender's late keepalives as the tail of the model (0 when at
    least one sender could be fitted; 2 with a line saying why for each one that could not)."""
    configured = _configured(Path(args.config_dir))
    keepalive = args.keepalive or configured.get("keepalive_ms")
    warntime = args.warntime or configured.get("warntime_ms")
    deadtime = args.deadtime or configured.get("deadtime_ms")
    if not keepalive or not warntime:
        print(
            "hbtui advise: a log shows only the gaps over warntime: give --config-dir (its "
            "ha.cf) or --keepalive and --warntime",
            file=sys.stderr,
        )
        return 2
    try:
        found = late_gaps(args.log)
    except PostmortemError as exc:
        print(f"hbtui advise: {exc}", file=sys.stderr)
        return 2
    for node, stalls in sorted(found.stalls.items()):
        print(
            f"note: {node} logged its own heartbeat late {len(stalls)} time(s) (longest "
            f"{format_ms(max(stalls))}): {node} itself stalled; not counted as loss on the link",
            file=sys.stderr,
        )
    if not found.late:
        print(
            f"hbtui advise: no late heartbeat in the logs: no gap over warntime "
            f"({format_ms(warntime)}) was logged, and a log shows no other; nothing to fit "
            "(use --pcap or --listen for every gap)",
            file=sys.stderr,
        )
        return 2
    fitted = 0
    for late in found.late:
        try:
            loss = fit_tail(late.gaps_ms, keepalive, warntime, late.span_ms)
        except TooFewLate as exc:
            print(
                f"hbtui advise: {late.name}, {format_ms(late.span_ms)} of log: {exc}; a log "
                f"shows only the gaps over warntime ({format_ms(warntime)}): use --pcap or "
                "--listen for every gap",
                file=sys.stderr,
            )
            continue
        fitted += 1
        report = _report(late.name, loss, keepalive, deadtime, _target(args.target_years), ())
        report.update(_log_fields(late, warntime))
        if args.json:
            print(json.dumps(report, sort_keys=True))
        else:
            print("\n".join(_log_text(report, loss, warntime, args.target_years)))
    return 0 if fitted else 2


def _log_fields(late: LateGaps, warntime: int) -> dict[str, Any]:
    return {
        "source": "log",
        "files": late.files,
        "late": len(late.gaps_ms),
        "log_span_ms": late.span_ms,
        "censored_at_ms": warntime,
    }


def _log_text(report: dict[str, Any], loss: LossFit, warntime: int, years: float) -> list[str]:
    """The advice from a tail fit, saying first what a log can and cannot show."""
    head = [
        f"{report['sender']}: {report['late']} late heartbeat(s) in "
        f"{format_ms(report['log_span_ms'])} of log ({', '.join(report['files'])})",
        f"a log shows only the gaps over warntime ({format_ms(warntime)}): the "
        f"{loss.runs} runs of {loss.anchor}+ losses in a row in about {loss.gaps} keepalives "
        f"fit the tail only (P(run >= {loss.anchor}) = {loss.p:.3g} per keepalive, a run goes "
        f"on with q = {loss.q:.3g}"
        + (", rule-of-three bound: no run was longer" if loss.bounded else "")
        + ")"
        + (
            f"; {report['late'] - loss.runs} shorter one(s), over warntime by jitter alone, "
            "left out"
            if report["late"] > loss.runs
            else ""
        )
        + (f"; only {loss.runs} runs: take the rates as rough" if loss.runs < ROUGH_RUNS else "")
        + "; nothing is known of shorter gaps, so no deadtime of warntime or less is advised, "
        "and the count assumes the peer was heard all along the log",
    ]
    return [*head, *_advice(report, loss, years)]


def _gaps(args: argparse.Namespace) -> dict[str, list[int]]:
    if args.pcap:
        return gaps_from_pcaps(args.pcap)
    if args.gaps:
        gaps = gaps_from_text(args.gaps)
        return {str(args.gaps): gaps} if gaps else {}
    return _listen(Path(args.control_socket), args.listen)


def _listen(path: Path, seconds: float) -> dict[str, list[int]]:
    """The running node's ``KeepaliveReceived`` gaps for ``seconds`` (a reader thread, since
    the control client blocks)."""
    from hbtui.control.client import ControlError, NoNodeRunning, follow

    out: dict[str, list[int]] = {}
    failed: list[str] = []

    def read() -> None:
        try:
            for item in follow(path):
                if item.get("type") == "KeepaliveReceived" and isinstance(item.get("gap_ms"), int):
                    out.setdefault(str(item["node"]), []).append(item["gap_ms"])
        except (NoNodeRunning, ControlError, OSError) as exc:
            failed.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(max(0.0, seconds))
    if failed:
        raise GapsError(f"{path}: {failed[0]}")
    time.sleep(0)  # the reader stays a daemon thread; it ends with the process
    return {name: list(gaps) for name, gaps in out.items()}


def _configured(config_dir: Path) -> dict[str, int]:
    """keepalive and deadtime from ha.cf when it can be read, else nothing."""
    source, _ = read_config_file(config_dir / "ha.cf")
    if source is None:
        return {}
    cf, _ = parse_ha_cf(source)
    if cf is None:
        return {}
    return {
        "keepalive_ms": cf.keepalive_ms,
        "deadtime_ms": cf.deadtime_ms,
        "warntime_ms": cf.warntime_ms,
    }


def _median(gaps: list[int]) -> int:
    return max(1, round(statistics.median(gaps)))


def _report(
    sender: str,
    loss: LossFit,
    keepalive: int,
    deadtime: int | None,
    target: float,
    others: tuple[int, ...] = OTHER_KEEPALIVES_MS,
) -> dict[str, Any]:
    now = None
    if deadtime is not None:
        now = {
            "keepalive_ms": keepalive,
            "deadtime_ms": deadtime,
            "losses_needed": losses_needed(deadtime, keepalive, loss.jitter_ms),
            "false_failovers_per_day": false_failovers_per_day(loss, deadtime, keepalive),
        }
    options = []
    for k in sorted({keepalive, *others}, reverse=True):
        timers = recommend(loss, k, target)
        options.append(
            {
                "keepalive_ms": timers.keepalive_ms,
                "warntime_ms": timers.warntime_ms,
                "deadtime_ms": timers.deadtime_ms,
                "initdead_ms": timers.initdead_ms,
                "false_failovers_per_day": timers.false_failovers_per_day,
                "failover_ms": timers.failover_ms,
            }
        )
    return {
        "sender": sender,
        "gaps": loss.gaps,
        "lost": loss.lost,
        "loss_rate": loss.loss_rate,
        "runs": loss.runs,
        "longest_run": loss.longest_run,
        "longest_gap_ms": loss.longest_gap_ms,
        "p": loss.p,
        "q": loss.q,
        "bounded": loss.bounded,
        "jitter_ms": loss.jitter_ms,
        "now": now,
        "recommended": options,
    }


def _every(per_day: float, bounded: bool) -> str:
    """``once in 3.2 years`` / ``4.1 a day``; ``at most`` when the loss is only bounded."""
    if per_day == float("inf"):
        return "at every late keepalive (jitter alone exceeds deadtime)"
    most = "at most " if bounded else ""
    if per_day >= 1:
        return f"{most}{per_day:.3g} a day"
    years = 1 / per_day / 365.25 if per_day > 0 else float("inf")
    if years >= 1:
        return f"{most}once in {years:.3g} years".replace("at most once in", "once in at least")
    return f"{most}once in {1 / per_day:.3g} days".replace("at most once in", "once in at least")


def _text(report: dict[str, Any], loss: LossFit, target_years: float) -> list[str]:
    lines = [
        f"{report['sender']}: {loss.gaps} gaps, {loss.lost} keepalives lost "
        f"({100 * loss.loss_rate:.2f} %) in {loss.runs} runs, longest {loss.longest_run} in a "
        f"row (gap {format_ms(loss.longest_gap_ms)}); jitter p99.9 {loss.jitter_ms} ms",
        "model: losses as a two-state Markov chain fitted to the gaps "
        f"(p={loss.p:.3g} after an arrival, q={loss.q:.3g} after a loss"
        + (", rule-of-three bound: no loss seen" if loss.bounded else "")
        + "); a false failover needs floor((deadtime - jitter) / keepalive) losses in a row",
    ]
    if loss.bounded:
        lines.append(
            f"no keepalive was lost: {loss.gaps} gaps only show the loss is below "
            f"{100 * loss.p:.2g} % (95 %); measure longer for sharper figures"
        )
    lines += _advice(report, loss, target_years)
    lines.append(
        "  (other keepalives assume the same loss per packet; bursts last in time, so check "
        "with a capture at that keepalive)"
    )
    return lines


def _advice(report: dict[str, Any], loss: LossFit, target_years: float) -> list[str]:
    """The current timers' rate and the recommended timers, one line each."""
    lines: list[str] = []
    now = report["now"]
    if now is not None:
        lines.append(
            f"now: keepalive {format_ms(now['keepalive_ms'])}, deadtime "
            f"{format_ms(now['deadtime_ms'])}: {now['losses_needed']} losses in a row, "
            f"false failover {_every(now['false_failovers_per_day'], loss.bounded)}"
        )
    lines.append(f"for at most one false failover in {target_years:g} years:")
    for o in report["recommended"]:
        every = _every(o["false_failovers_per_day"], loss.bounded)
        lines.append(
            f"  keepalive {format_ms(o['keepalive_ms']):>6}  warntime "
            f"{format_ms(o['warntime_ms']):>6}  deadtime {format_ms(o['deadtime_ms']):>6}  "
            f"initdead {format_ms(o['initdead_ms']):>5}  -> failover after "
            f"{format_ms(o['failover_ms'])}, false failover {every}"
        )
    return lines
