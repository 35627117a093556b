"""Token and consensus from deadtime, with the reasoning printed."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.model import HaCf
from hbtui.migrate.timing import derive_timing


def ha_cf(deadtime_ms: int, nodes: int = 2, keepalive_ms: int = 1000) -> HaCf:
    names = tuple(f"n{i}" for i in range(1, nodes + 1))
    return HaCf(Path("ha.cf"), names, deadtime_ms=deadtime_ms, keepalive_ms=keepalive_ms)


def test_howto_deadtime_keeps_its_detection_time() -> None:
    timing = derive_timing(ha_cf(5000))
    assert (timing.token_ms, timing.consensus_ms) == (2270, 2720)
    assert timing.knet_ping is None
    text = "\n".join(timing.reasoning)
    assert "deadtime 5 s" in text and "2.2" in text and "keepalive" in text


def test_default_deadtime() -> None:
    timing = derive_timing(ha_cf(30000))
    assert timing.token_ms == 13640
    assert timing.consensus_ms == 16370


def test_short_deadtime_sets_knet_pings() -> None:
    timing = derive_timing(ha_cf(1000))
    assert timing.token_ms == 450
    assert timing.knet_ping == (200, 1000)
    assert any("knet_ping_interval" in line for line in timing.reasoning)


def test_given_token_wins_and_is_floored() -> None:
    assert derive_timing(ha_cf(5000), token_ms=300).token_ms == 300
    assert derive_timing(ha_cf(5000), token_ms=300).knet_ping == (200, 1000)
    assert derive_timing(ha_cf(5000), token_ms=50).token_ms == 300
    assert derive_timing(ha_cf(100)).token_ms == 300


def test_three_nodes_take_the_token_coefficient_off() -> None:
    timing = derive_timing(ha_cf(5000, nodes=3))
    assert timing.token_ms == 2270 - 650
    assert timing.consensus_ms == 2720  # 1.2 x the real token (token + 650)
    assert any("token_coefficient" in line for line in timing.reasoning)
