"""Build a ``WatchSource`` from whatever of /etc/ha.d can be read."""

from __future__ import annotations

import re
from pathlib import Path

from hbtui.adapters.splitbrain import probe_targets
from hbtui.config.hbtui_conf import load_settings
from hbtui.config.loader import local_node_name
from hbtui.config.logd_cf import log_plan
from hbtui.config.model import ClusterConfig
from hbtui.config.problems import ConfigError
from hbtui.sources.embedded import config_extras
from hbtui.sources.watch import WatchSource

HA_LOG_DEFAULT = Path("/var/log/ha-log")


def watch_source(
    config_dir: Path, config: ClusterConfig | None, node_name: str | None, pid: int
) -> WatchSource:
    """The watch source; falls back to ha.cf's raw ``logfile``/``node`` lines. With
    ``use_logd`` the daemon's lines are in logd.cf's logfile, so that one is followed."""
    us = node_name or local_node_name()
    if config is not None:
        cf = config.ha_cf
        logfile = log_plan(config).logfile
        try:
            probe_ms = load_settings(config_dir).split_brain_probe_ms
        except ConfigError:
            probe_ms = None  # `hbtui check` names the problem; the console still watches
        if probe_ms is None:
            return WatchSource(us, cf.nodes, logfile, pid, config_extras(config))
        targets = probe_targets(config)  # before the app runs: no loop to block
        extras = config_extras(config)
        return WatchSource(us, cf.nodes, logfile, pid, extras, probe_ms / 1000, targets)
    logfile = HA_LOG_DEFAULT
    nodes: list[str] = [us]
    try:
        text = (config_dir / "ha.cf").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        if m := re.match(r"\s*logfile\s+(\S+)", line):
            logfile = Path(m.group(1))
        elif m := re.match(r"\s*node\s+(.+)", line):
            nodes += [n.lower() for n in m.group(1).split() if n.lower() not in nodes]
    return WatchSource(us, tuple(nodes), logfile, pid)
