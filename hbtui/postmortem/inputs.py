"""A post-mortem of log files and captures on disk, with the settings a config dir gives:
what ``hbtui postmortem``, ``hbtui report`` and the console's ``P`` read."""

from __future__ import annotations

from pathlib import Path

from hbtui.config.loader import load_config
from hbtui.config.model import AuthKeys
from hbtui.config.problems import Severity
from hbtui.postmortem.capture import read_capture
from hbtui.postmortem.files import PostmortemError, expand, read_log
from hbtui.postmortem.model import Report
from hbtui.postmortem.timeline import Settings, analyse


def settings_from(config_dir: Path) -> tuple[Settings, AuthKeys]:
    """Timers, nodes and the active key of a config dir, and its authkeys (each captured
    datagram's verdict); PostmortemError naming the file."""
    config, problems = load_config(config_dir, local_host=False, partial=True)
    if config is None:
        errors = [p for p in problems if p.severity is Severity.ERROR] or problems
        raise PostmortemError(str(errors[0]) if errors else f"{config_dir}: unusable configuration")
    cf, keys = config.ha_cf, config.authkeys
    active = keys.keys.get(keys.active)
    key = f"key {active.index} ({active.method.value})" if active else None
    return Settings(cf.deadtime_ms / 1000, cf.warntime_ms / 1000, key, cf.nodes), keys


def report_of(inputs: list[Path], config_dir: Path | None, pcaps: list[Path]) -> Report:
    """The post-mortem of these log files or directories (and captures: with the config
    dir, every datagram checked against its authkeys); PostmortemError naming the first
    unusable file. ``hbtui postmortem`` and ``hbtui report`` use it."""
    settings, keys = settings_from(config_dir) if config_dir else (Settings(), None)
    paths = expand(inputs)
    capture = read_capture(pcaps, keys) if pcaps else None
    return analyse([read_log(p, settings.nodes) for p in paths], settings, capture)
