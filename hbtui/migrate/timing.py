"""Corosync's token and consensus from Heartbeat's keepalive and deadtime, with the reasoning.

Heartbeat declares a peer dead after ``deadtime`` without a heartbeat. Corosync notices a lost
member when the token has not come back for ``token`` ms, then waits ``consensus`` ms for the
survivors to agree on the new membership: detection takes about token + consensus. With the
usual consensus = 1.2 x token, token = deadtime / 2.2 keeps the detection time Heartbeat had.
Above two nodes Corosync adds ``token_coefficient`` (650 ms) per extra node to the token; that
is taken off here so the real timeout still matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.config.model import HaCf
from hbtui.config.timeparse import format_ms

MIN_TOKEN_MS = 300
TOKEN_COEFFICIENT_MS = 650  # Corosync's default, added per node above two
# knet pings every token/4 and calls a link down after token/2 by default; its timer wakes every
# 200 ms, so below this token the link flaps: then pings are set explicitly.
SHORT_TOKEN_MS = 2000
KNET_PING_INTERVAL_MS = 200
KNET_PING_TIMEOUT_MS = 1000
RETRANSMITS_BEFORE_LOSS = 4  # Corosync's token_retransmits_before_loss_const


@dataclass(frozen=True, slots=True)
class Timing:
    """The totem timers and one comment line per decision."""

    token_ms: int
    consensus_ms: int
    knet_ping: tuple[int, int] | None  # (interval, timeout) when the token is short
    reasoning: tuple[str, ...]


def round_to(value: float, step: int) -> int:
    """``value`` rounded to a multiple of ``step``."""
    return round(value / step) * step


def derive_timing(ha_cf: HaCf, token_ms: int | None = None) -> Timing:
    """Token and consensus for ``ha_cf``'s deadtime (or the ``token_ms`` given), and why."""
    nodes = len(ha_cf.nodes)
    extra_ms = max(0, nodes - 2) * TOKEN_COEFFICIENT_MS
    deadtime, keepalive = ha_cf.deadtime_ms, ha_cf.keepalive_ms
    lines = [
        f"Heartbeat: keepalive {format_ms(keepalive)}, deadtime {format_ms(deadtime)} "
        f"(a silent peer was declared dead after {format_ms(deadtime)}).",
    ]
    if token_ms is not None:
        token = max(MIN_TOKEN_MS, token_ms)
        lines.append(f"token {token} ms: given on the command line.")
    else:
        wanted = round_to(deadtime / 2.2, 10) - extra_ms
        token = max(MIN_TOKEN_MS, wanted)
        lines.append(
            "Corosync sees a lost node after about token + consensus = 2.2 x token, "
            f"so token = deadtime / 2.2 = {round_to(deadtime / 2.2, 10)} ms"
            + (f" minus {extra_ms} ms ({nodes - 2} x token_coefficient)" if extra_ms else "")
            + (f", raised to the minimum of {MIN_TOKEN_MS} ms" if token != wanted else "")
            + "."
        )
    consensus = round_to((token + extra_ms) * 1.2, 10)
    detect = token + extra_ms + consensus
    lines.append(
        f"consensus = 1.2 x {'the real token' if extra_ms else 'token'} = {consensus} ms: "
        f"a failure is acted on after about {format_ms(detect)}."
    )
    retransmit = round(token / (RETRANSMITS_BEFORE_LOSS + 0.2))
    lines.append(
        f"keepalive has no Corosync setting: the token circulates all the time and is sent "
        f"again every {retransmit} ms when it does not come back."
    )
    ping: tuple[int, int] | None = None
    if token < SHORT_TOKEN_MS:
        ping = (KNET_PING_INTERVAL_MS, KNET_PING_TIMEOUT_MS)
        lines.append(
            f"token below {SHORT_TOKEN_MS} ms: knet would time its link pings out after "
            f"token / 2 = {token // 2} ms, near its 200 ms timer, and links would flap; "
            f"knet_ping_interval {ping[0]} and knet_ping_timeout {ping[1]} keep them steady "
            "(the token still detects a failure)."
        )
    return Timing(token, consensus, ping, tuple(lines))
