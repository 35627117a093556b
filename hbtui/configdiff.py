"""Compare two nodes' ha.cf, haresources and authkeys; call out what breaks the cluster.

Pure: texts in (as read from each node), differences out. Keys are compared by digest
(first 12 hex of sha256 of the key bytes) and only digests ever leave this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from hbtui.config.authkeys import parse_authkeys
from hbtui.config.ha_cf import parse_ha_cf
from hbtui.config.haresources import parse_haresources
from hbtui.config.lines import ConfigFile
from hbtui.config.model import AuthKey, AuthKeys, HaCf, Haresources, Medium
from hbtui.config.problems import Problem
from hbtui.config.timeparse import format_ms

HA_CF, HARESOURCES, AUTHKEYS = "ha.cf", "haresources", "authkeys"
ETC_HA_D = PurePosixPath("/etc/ha.d")
DIGEST_HEX = 12
ASSUMED_AUTHKEYS_MODE = 0o600  # the remote file's mode is not known from its text


class Impact(StrEnum):
    """How much a difference matters."""

    BREAKS = "breaks"  # the nodes will not form one cluster, or will fight over resources
    DIFFERS = "differs"  # worth knowing; the cluster still works


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference between the two nodes' configuration."""

    file: str
    what: str
    left: str
    right: str
    impact: Impact
    why: str = ""

    def line(self, left_node: str, right_node: str) -> str:
        """One readable line, e.g. ``BREAKS ha.cf deadtime: server1 5s, server2 10s``."""
        text = f"{self.impact.upper()} {self.file} {self.what}: "
        text += f"{left_node} {self.left}, {right_node} {self.right}"
        return f"{text} ({self.why})" if self.why else text


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """One node's three files, parsed from their text (missing files stay None)."""

    node: str
    ha_cf: HaCf | None = None
    haresources: Haresources | None = None
    authkeys: AuthKeys | None = None
    problems: tuple[Problem, ...] = field(default=())


def key_digest(key: AuthKey) -> str:
    """First 12 hex digits of sha256 of the key bytes: comparable, never the key."""
    return hashlib.sha256(key.key).hexdigest()[:DIGEST_HEX]


def parse_node_config(
    node: str, texts: Mapping[str, str], config_dir: PurePosixPath = ETC_HA_D
) -> NodeConfig:
    """Parse the texts read from ``node`` with hbtui.config's readers.

    The readers take text (``ConfigFile``), so nothing is written to disk; only the
    haresources reader looks up resource scripts on *this* machine, which the diff ignores.
    """
    base = Path(str(config_dir))
    problems: list[Problem] = []
    ha_cf = haresources = authkeys = None
    if HA_CF in texts:
        ha_cf, found = parse_ha_cf(ConfigFile(base / HA_CF, texts[HA_CF], 0o644))
        problems += found
    if HARESOURCES in texts:
        source = ConfigFile(base / HARESOURCES, texts[HARESOURCES], 0o644)
        haresources, found = parse_haresources(source, base)
        problems += found
    if AUTHKEYS in texts:
        source = ConfigFile(base / AUTHKEYS, texts[AUTHKEYS], ASSUMED_AUTHKEYS_MODE)
        authkeys, found = parse_authkeys(source)
        problems += found
    return NodeConfig(node, ha_cf, haresources, authkeys, tuple(problems))


def _ms(value: int) -> str:
    return format_ms(value)


def _diff_ha_cf(a: HaCf, b: HaCf) -> list[Difference]:
    out: list[Difference] = []

    def same(what: str, left: str, right: str, impact: Impact, why: str) -> None:
        if left != right:
            out.append(Difference(HA_CF, what, left, right, impact, why))

    same(
        "node list",
        " ".join(sorted(a.nodes)),
        " ".join(sorted(b.nodes)),
        Impact.BREAKS,
        "a node missing from one side is rejected there (not in configuration)",
    )
    if sorted(a.nodes) == sorted(b.nodes):
        same("node order", " ".join(a.nodes), " ".join(b.nodes), Impact.DIFFERS, "harmless")
    deaf = "the nodes never hear each other"
    same("udpport", str(a.udpport), str(b.udpport), Impact.BREAKS, deaf)
    timing = "the nodes declare each other dead at different times"
    same("keepalive", _ms(a.keepalive_ms), _ms(b.keepalive_ms), Impact.BREAKS, timing)
    same("deadtime", _ms(a.deadtime_ms), _ms(b.deadtime_ms), Impact.BREAKS, timing)
    same("warntime", _ms(a.warntime_ms), _ms(b.warntime_ms), Impact.BREAKS, timing)
    same("initdead", _ms(a.initdead_ms), _ms(b.initdead_ms), Impact.BREAKS, timing)
    same(
        "auto_failback",
        str(a.auto_failback),
        str(b.auto_failback),
        Impact.BREAKS,
        "the nodes disagree on who owns a group after a return",
    )
    same("crm", a.crm, b.crm, Impact.BREAKS, "one side would run a different resource manager")
    same("autojoin", a.autojoin, b.autojoin, Impact.DIFFERS, "")
    media_a = " ".join(sorted(_medium(m) for m in a.media))
    media_b = " ".join(sorted(_medium(m) for m in b.media))
    same("media", media_a, media_b, Impact.DIFFERS, "check each side reaches the other")
    same("logfile", str(a.logfile), str(b.logfile), Impact.DIFFERS, "")
    return out


def _medium(m: Medium) -> str:
    """A medium as compared across nodes (an mcast's port and group must match)."""
    port = f":{m.port}" if m.kind == "mcast" else ""
    return f"{m.kind}:{m.device}:{m.host or ''}{port}"


def _groups(h: Haresources) -> dict[str, str]:
    return {g.key: f"{g.node} " + " ".join(r.token for r in g.resources) for g in h.groups}


def _diff_haresources(a: Haresources, b: Haresources) -> list[Difference]:
    out: list[Difference] = []
    ga, gb = _groups(a), _groups(b)
    for key in sorted(set(ga) | set(gb)):
        left, right = ga.get(key, "(absent)"), gb.get(key, "(absent)")
        if left != right:
            why = "the nodes disagree on a resource group's home or contents"
            out.append(Difference(HARESOURCES, f"group {key}", left, right, Impact.BREAKS, why))
    return out


def _key_text(keys: AuthKeys, index: int) -> str:
    key = keys.keys.get(index)
    if key is None:
        return "(absent)"
    return f"{key.method} sha256:{key_digest(key)}"


def _diff_authkeys(a: AuthKeys, b: AuthKeys) -> list[Difference]:
    out: list[Difference] = []
    if a.active != b.active:
        out.append(
            Difference(
                AUTHKEYS, "auth index", str(a.active), str(b.active), Impact.DIFFERS,
                "works only if each side also holds the other's index with the same key",
            )
        )  # fmt: skip
    for index in sorted(set(a.keys) | set(b.keys)):
        left, right = _key_text(a, index), _key_text(b, index)
        if left == right:
            continue
        used = index in (a.active, b.active)
        why = (
            "packets signed with this key are dropped by the other node" if used else "unused index"
        )
        impact = Impact.BREAKS if used else Impact.DIFFERS
        out.append(Difference(AUTHKEYS, f"key {index}", left, right, impact, why))
    return out


def diff_configs(a: NodeConfig, b: NodeConfig) -> list[Difference]:
    """Every difference between the two nodes, cluster-breaking ones first."""
    out: list[Difference] = []
    pairs: list[tuple[str, object, object]] = [
        (HA_CF, a.ha_cf, b.ha_cf),
        (HARESOURCES, a.haresources, b.haresources),
        (AUTHKEYS, a.authkeys, b.authkeys),
    ]
    for name, left, right in pairs:
        if (left is None) != (right is None):
            shown = ("missing or invalid", "present")
            l_text, r_text = shown if left is None else shown[::-1]
            out.append(Difference(name, "file", l_text, r_text, Impact.BREAKS, "cannot compare"))
    if a.ha_cf is not None and b.ha_cf is not None:
        out += _diff_ha_cf(a.ha_cf, b.ha_cf)
    if a.haresources is not None and b.haresources is not None:
        out += _diff_haresources(a.haresources, b.haresources)
    if a.authkeys is not None and b.authkeys is not None:
        out += _diff_authkeys(a.authkeys, b.authkeys)
    return sorted(out, key=lambda d: d.impact is not Impact.BREAKS)


def breaking(differences: list[Difference]) -> list[Difference]:
    """Only the differences that break the cluster."""
    return [d for d in differences if d.impact is Impact.BREAKS]


def by_impact(
    node: str, texts: Mapping[str, str], peer: str, peer_texts: Mapping[str, str]
) -> dict[str, list[str]]:
    """``{"breaks": [...], "differs": [...]}``, each difference as its line (a drill
    snapshot's ``configs``: ``hbtui.drill.checks``)."""
    found: dict[str, list[str]] = {"breaks": [], "differs": []}
    ours, theirs = parse_node_config(node, texts), parse_node_config(peer, peer_texts)
    for d in diff_configs(ours, theirs):
        found["breaks" if d.impact is Impact.BREAKS else "differs"].append(d.line(node, peer))
    return found
