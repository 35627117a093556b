"""The deadtime advisor: the loss fit recovers known chains, its false-failover rate matches
a simulated link, the recommendation is the shortest that meets the target, and the CLI
reads captures of the real daemon, number files (bad lines named) and prints JSON."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hbtui.advise.gaps import gaps_from_pcaps
from hbtui.advise.model import false_failovers_per_day, fit, losses_needed, recommend
from hbtui.cli import main

VECTORS = Path(__file__).parents[1] / "wire" / "vectors"
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
