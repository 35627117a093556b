"""The deadtime advisor: the loss fit recovers known chains, its false-failover rate matches
a simulated link, the recommendation is the shortest that meets the target, and the CLI
reads captures of the real daemon, number files (bad lines named) and prints JSON."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from hbtui.advise.gaps import gaps_from_pcaps
from hbtui.advise.logs import late_gaps
from hbtui.advise.model import (
    TooFewLate,
    false_failovers_per_day,
    fit,
    fit_tail,
    losses_needed,
    recommend,
)
from hbtui.cli import main
from hbtui.engine import events as ev
from hbtui.stream import trace

VECTORS = Path(__file__).parents[1] / "wire" / "vectors"
HOWTO_DIR = Path(__file__).parents[2] / "hbtui" / "data" / "howto"
K = 1000


def markov_gaps(n: int, p: float, q: float, seed: int, jitter: int = 3) -> list[int]:
    """Gaps of ``n`` arrivals over a Gilbert loss chain (``p`` after an arrival, ``q``
    after a loss), each arrival up to ``jitter`` ms late."""
    rng = random.Random(seed)
    gaps, lost_before = [], False
    for _ in range(n):
        sent = 1
        lost = rng.random() < p
        while lost:
            sent += 1
            lost = rng.random() < q
        gaps.append(sent * K + rng.randrange(jitter + 1))
        lost_before = lost
    assert not lost_before
    return gaps


def test_fit_recovers_independent_and_bursty_loss() -> None:
    independent = fit(markov_gaps(200_000, 0.05, 0.05, seed=1), K)
    assert independent.p == pytest.approx(0.05, rel=0.05)
    assert independent.q == pytest.approx(0.05, rel=0.1)
    bursty = fit(markov_gaps(200_000, 0.02, 0.5, seed=2), K)
    assert bursty.p == pytest.approx(0.02, rel=0.05)
    assert bursty.q == pytest.approx(0.5, rel=0.05)
    assert bursty.jitter_ms == 3 and not bursty.bounded


def test_no_loss_is_a_rule_of_three_bound_not_zero() -> None:
    loss = fit([K] * 300, K)
    assert loss.bounded and loss.p == pytest.approx(0.01)
    assert false_failovers_per_day(loss, 5000, K) > 0


def test_losses_needed_counts_whole_keepalives_after_the_jitter() -> None:
    assert losses_needed(5000, 1000, 0) == 5
    assert losses_needed(5000, 1000, 5) == 4  # 4 lost: gap 5005 ms > 5000
    assert losses_needed(900, 1000, 0) == 0  # jitter-free gap already exceeds it


def test_predicted_rate_matches_a_simulated_link() -> None:
    """Count gaps longer than deadtime on a long simulated chain; the model's rate from a
    fit of a *separate* sample is within 25 % of it."""
    p, q, deadtime = 0.1, 0.3, 3500
    measured = markov_gaps(400_000, p, q, seed=3)
    false = sum(g > deadtime for g in measured)
    per_arrival_measured = false / len(measured)
    loss = fit(markov_gaps(200_000, p, q, seed=4), K)
    arrivals_per_day = 86_400_000 / K * (1 - loss.loss_rate)
    per_arrival_model = false_failovers_per_day(loss, deadtime, K) / arrivals_per_day
    assert per_arrival_model == pytest.approx(per_arrival_measured, rel=0.25)


def test_recommendation_is_the_shortest_deadtime_meeting_the_target() -> None:
    loss = fit(markov_gaps(100_000, 0.01, 0.2, seed=5), K)
    target = 1 / 3652.5
    timers = recommend(loss, K, target)
    assert timers.false_failovers_per_day <= target
    assert false_failovers_per_day(loss, timers.deadtime_ms - K, K) > target
    assert timers.warntime_ms < timers.deadtime_ms <= timers.initdead_ms / 2


def test_gaps_from_a_capture_of_the_real_daemon() -> None:
    """The cold start's keepalives arrive 1 s apart; the statuses sent on each state change
    (init, up, active) come in between and are left out of the fit."""
    gaps = gaps_from_pcaps([VECTORS / "capture-a-cold-start.pcap"])
    assert set(gaps) == {"server1", "server2"}
    assert min(gaps["server1"]) < 500  # a state-change status
    loss = fit(gaps["server1"], K)
    assert loss.lost == 0 and 30 <= loss.gaps < len(gaps["server1"])
    assert loss.jitter_ms <= 10


def test_cli_text_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pcap = str(VECTORS / "capture-a-cold-start.pcap")
    config = str(Path(__file__).parents[2] / "hbtui" / "data" / "howto")
    assert main(["advise", "--pcap", pcap, "--config-dir", config]) == 0
    out = capsys.readouterr().out
    assert "now: keepalive 1 s, deadtime 5 s: 4 losses in a row" in out
    assert "no keepalive was lost" in out
    assert main(["advise", "--pcap", pcap, "--config-dir", config, "--json"]) == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["sender"] for r in reports] == ["server1", "server2"]
    assert reports[0]["now"]["deadtime_ms"] == 5000
    assert {o["keepalive_ms"] for o in reports[0]["recommended"]} == {2000, 1000, 500, 200}


def test_cli_names_a_bad_line_and_an_unreadable_capture(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    numbers = tmp_path / "gaps.txt"
    numbers.write_text("1000\n# comment\n1002\nlate\n")
    assert main(["advise", "--gaps", str(numbers), "--keepalive", "1000"]) == 2
    assert f"{numbers}:4: expected a gap in whole ms > 0, got 'late'" in capsys.readouterr().err
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture")
    assert main(["advise", "--pcap", str(junk)]) == 2
    assert f"{junk}: not a pcap or pcapng file" in capsys.readouterr().err


# -- from ha-logs: late heartbeats only (hbtui advise --log) --------------------------------


def test_a_tail_fit_of_the_gaps_over_warntime_predicts_what_the_whole_sample_does() -> None:
    """Censor a simulated chain at warntime (3 s) as a log does: the tail fit finds q and
    the rate of a deadtime's run of losses as the fit of every gap does."""
    p, q, warntime, deadtime = 0.1, 0.4, 3000, 5500  # 5 losses, clear of the jitter
    gaps = markov_gaps(300_000, p, q, seed=6)
    late = [g for g in gaps if g > warntime]
    tail = fit_tail(late, K, warntime, span_ms=sum(gaps))
    whole = fit(gaps, K)
    assert tail.anchor == 3 and tail.runs == len([g for g in late if g >= 4 * K])
    assert tail.q == pytest.approx(q, rel=0.1)
    rate = false_failovers_per_day(tail, deadtime, K)
    assert rate == pytest.approx(false_failovers_per_day(whole, deadtime, K), rel=0.15)
    counted = sum(g > deadtime for g in gaps) * 86_400_000 / sum(gaps)  # a day, simulated
    assert rate == pytest.approx(counted, rel=0.15)
    # nothing under warntime is advised: the shortest deadtime has at least 3 losses
    assert recommend(tail, K, 1e9).deadtime_ms > warntime


def test_a_tail_fit_refuses_too_few_late_keepalives_and_bounds_q() -> None:
    with pytest.raises(TooFewLate, match="2 late keepalive"):
        fit_tail([4100, 5002], K, 3000, span_ms=3_600_000)
    # a gap of 3 keepalives + jitter (3010 ms) is over warntime but not a run of 3 losses
    with pytest.raises(TooFewLate, match="0 late keepalive"):
        fit_tail([3010, 3005], K, 3000, span_ms=3_600_000)
    same = fit_tail([4003, 4001, 4010, 4002], K, 3000, span_ms=3_600_000)
    assert same.bounded and same.q == pytest.approx(0.75)  # none went on: 3/n bound
    assert same.p == pytest.approx(4 / (3600 - 12))  # 4 runs in 3600 sent, 12 of them lost


def test_real_daemon_logs_are_too_few_and_say_why(capsys: pytest.CaptureFixture[str]) -> None:
    """The real daemon's late heartbeats after a 4 s SIGSTOP: one per observer, refused
    with the reason; server1's own late heartbeat (it was the one stopped) is a note."""
    logs = late_gaps([VECTORS / "ha-log-x-late-server1.txt", VECTORS / "ha-log-x-late-server2.txt"])
    assert [(g.name, g.gaps_ms) for g in logs.late] == [
        ("server1 (seen by server2)", [4500]),
        ("server2 (seen by server1)", [4920]),
    ]
    assert logs.stalls == {"server1": [4430]}
    args = ["advise", "--config-dir", str(HOWTO_DIR)]
    args += ["--log", str(VECTORS / "ha-log-x-late-server1.txt")]
    args += ["--log", str(VECTORS / "ha-log-x-late-server2.txt")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "note: server1 logged its own heartbeat late 1 time(s) (longest 4.43 s)" in err
    assert (
        "server2 (seen by server1), 0 s of log: 1 late keepalive(s) of 3+ losses in a row: "
        "too few to fit the tail (need 3); a log shows only the gaps over warntime (3 s)" in err
    )


def test_cli_log_needs_warntime_and_names_an_unusable_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = str(VECTORS / "ha-log-x-late-server2.txt")
    assert main(["advise", "--log", log, "--config-dir", str(tmp_path)]) == 2
    assert "give --config-dir (its ha.cf) or --keepalive and --warntime" in capsys.readouterr().err
    junk = tmp_path / "ha-log"
    junk.write_text("nothing of heartbeat here\n")
    assert main(["advise", "--log", str(junk), "--keepalive", "1000", "--warntime", "3000"]) == 2
    assert f"{junk}: no ha-log line found" in capsys.readouterr().err
    quiet = VECTORS / "ha-log-a-cold-start-server1.txt"
    assert main(["advise", "--log", str(quiet), "--config-dir", str(HOWTO_DIR)]) == 2
    assert "no late heartbeat in the logs" in capsys.readouterr().err


LOSSY_LOG = Path(__file__).parent / "vectors" / "ha-log-lossy-link-server1.txt"
LOSSY_TRACE = Path(__file__).parents[1] / "console" / "traces" / "lossy-link-server1.jsonl"


def test_a_recorded_lossy_link_log_fits_the_runs_the_console_measured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """hbtui's own ha-log of a link losing 25 % (scripts/record_lossy_link.py: warntime 2 s):
    its late heartbeats of 2+ losses are the runs of 2+ the console measured in the same
    run (its recorded trace), and the advice says what a log cannot show."""
    (late,) = late_gaps([LOSSY_LOG]).late
    assert late.name == "server2 (seen by server1)" and len(late.gaps_ms) == 17
    tail = fit_tail(late.gaps_ms, K, 2000, late.span_ms)
    measured = [
        item.gap_ms
        for item in trace.load(LOSSY_TRACE)
        if isinstance(item, ev.KeepaliveReceived) and item.gap_ms is not None
    ]
    assert tail.anchor == 2 and tail.runs == sum(g > 2500 for g in measured) == 10
    assert tail.longest_run == max(round(g / K) - 1 for g in measured) == 3
    assert tail.q == pytest.approx(3 / 13)  # 3 of the 10 runs went on to a third loss
    args = ["advise", "--log", str(LOSSY_LOG), "--keepalive", "1000", "--warntime", "2000"]
    assert main([*args, "--deadtime", "10000"]) == 0
    out = capsys.readouterr().out
    assert "server2 (seen by server1): 17 late heartbeat(s) in 184 s of log" in out
    assert "a log shows only the gaps over warntime (2 s): the 10 runs of 2+ losses" in out
    assert "; 7 shorter one(s), over warntime by jitter alone, left out" in out  # 2001 ms
    assert "only 10 runs: take the rates as rough" in out
    assert "no deadtime of warntime or less is advised" in out
    assert "now: keepalive 1 s, deadtime 10 s: 9 losses in a row" in out
    assert main([*args, "--json"]) == 0
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert report["source"] == "log" and report["censored_at_ms"] == 2000
    assert [o["keepalive_ms"] for o in report["recommended"]] == [1000]  # no other keepalive
    assert report["recommended"][0]["deadtime_ms"] > 2000


def test_rotated_gzipped_logs_and_ha_debug_count_each_late_heartbeat_once(tmp_path: Path) -> None:
    """A directory with the log rotated and gzipped and its ha-debug copy (the same lines):
    read as hbtui postmortem reads it, each late heartbeat counted once."""
    lines = LOSSY_LOG.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    (tmp_path / "ha-log").write_text("".join(lines[half:]))
    (tmp_path / "ha-log.1.gz").write_bytes(gzip.compress("".join(lines[:half]).encode()))
    (tmp_path / "ha-debug").write_text("".join(lines))
    (late,) = late_gaps([tmp_path]).late
    (whole,) = late_gaps([LOSSY_LOG]).late
    assert sorted(late.gaps_ms) == sorted(whole.gaps_ms) and late.span_ms == whole.span_ms
