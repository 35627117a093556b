"""``hbtui check``: validate a Heartbeat configuration and summarise the cluster it describes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from hbtui.cli_common import DEFAULT_LOGD_CF, add_common_options, add_logd_cf_option
from hbtui.commands.node_checks import no_log_warning
from hbtui.config.hbtui_conf import load_settings
from hbtui.config.lines import shown
from hbtui.config.loader import load_config
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import ConfigError, Problem, Severity
from hbtui.config.summary import cluster_summary, summary_lines
from hbtui.engine.resources import VIP_RESOURCES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui check``."""
    add_common_options(parser)
    add_logd_cf_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _problem_dict(problem: Problem) -> dict[str, object]:
    return {
        "severity": problem.severity.value,
        "file": str(problem.path) if problem.path is not None else None,
        "line": problem.line,
        "message": problem.message,
    }


STOP_ATTEMPTS = 2  # a failed stop is tried once more (engine/resources.py)
UNIT_STOP_TIMEOUT_MS = 300_000  # TimeoutStopSec of hbtui/data/hbtui.service


def settings_problems(config_dir: Path, config: ClusterConfig | None) -> list[Problem]:
    """hbtui.conf's own errors; and a warning when the stops it allows could outlast the
    systemd unit's stop timeout (the unit would then stop waiting for a node that holds)."""
    try:
        settings = load_settings(config_dir)
    except ConfigError as exc:
        return list(exc.problems)
    found = []
    if settings.control_group is not None and not _group_exists(settings.control_group):
        text = (
            f"control_group {settings.control_group}: no such group on this machine "
            "(`hbtui node` will not start; groupadd it or fix the name)"
        )
        found.append(Problem(Severity.ERROR, text, config_dir / "hbtui.conf"))
    textfile = settings.metrics_textfile
    if textfile is not None and not textfile.parent.is_dir():
        text = (
            f"metrics_textfile {textfile}: no directory {textfile.parent} (the node says so "
            "in ha-log and writes no metrics until it exists; install node_exporter or mkdir it)"
        )
        found.append(Problem(Severity.WARNING, text, config_dir / "hbtui.conf"))
    if config is None:
        return found
    worst_ms = sum(
        STOP_ATTEMPTS * settings.script_timeout_ms(res.name, "stop")
        for group in config.haresources.groups
        for res in group.resources
        if res.name not in VIP_RESOURCES
    )
    if worst_ms <= UNIT_STOP_TIMEOUT_MS:
        return found
    text = (
        f"stuck stops may take {worst_ms // 1000} s (each stop is tried twice), longer than "
        f"the systemd unit's TimeoutStopSec={UNIT_STOP_TIMEOUT_MS // 1000}: raise it with "
        "`systemctl edit hbtui` (the unit never SIGKILLs the node, it only stops waiting)"
    )
    return [*found, Problem(Severity.WARNING, text, config_dir / "hbtui.conf")]


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def check_config(
    config_dir: Path,
    node_name: str | None,
    *,
    as_json: bool,
    out: TextIO,
    logd_cf: Path = Path(DEFAULT_LOGD_CF),
) -> int:
    """Print every problem and the cluster summary to ``out``; 1 on any error, else 0."""
    config, problems = load_config(config_dir, node_name, partial=True, logd_cf=logd_cf)
    no_log = no_log_warning(config) if config is not None else None
    if no_log is not None:  # as `hbtui node` says at start
        problems = [*problems, no_log]
    problems = [*problems, *settings_problems(config_dir, config)]
    ok = not any(p.severity is Severity.ERROR for p in problems)
    if as_json:
        report = {
            "ok": ok,
            "problems": [_problem_dict(p) for p in problems],
            "cluster": cluster_summary(config) if config is not None else None,
        }
        out.write(json.dumps(report, indent=2) + "\n")
        return 0 if ok else 1
    for problem in problems:
        out.write(shown(str(problem)) + "\n")
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if config is not None:
        if problems:
            out.write("\n")
        for line in summary_lines(config):
            out.write(line + "\n")
    verdict = "configuration OK" if ok else "configuration has errors"
    out.write(f"{config_dir}: {verdict} ({errors} error(s), {warnings} warning(s))\n")
    return 0 if ok else 1


def run(args: argparse.Namespace) -> int:
    """Check ``--config-dir`` as this node (or ``--node-name``)."""
    return check_config(
        Path(args.config_dir),
        args.node_name,
        as_json=args.json,
        out=sys.stdout,
        logd_cf=Path(args.logd_cf),
    )
