"""Load /etc/ha.d as one ClusterConfig, collecting every problem on the way."""

from __future__ import annotations

import os
from pathlib import Path

from hbtui.config.authkeys import parse_authkeys
from hbtui.config.ha_cf import DEFAULT_UDPPORT, parse_ha_cf, services_port
from hbtui.config.haresources import INIT_D, parse_haresources
from hbtui.config.lines import ConfigFile, read_config_file
from hbtui.config.logd_cf import LOGD_CF, read_logd_cf
from hbtui.config.model import AuthKeys, ClusterConfig, HaCf, Haresources, LogdCf
from hbtui.config.problems import ConfigError, Problem, Severity
from hbtui.config.respawncf import check_respawn
from hbtui.config.validate import (
    NET_DIR,
    check_homes,
    check_media,
    check_nodes,
    check_resources,
    check_timers,
)

HA_CF = "ha.cf"
HARESOURCES = "haresources"
AUTHKEYS = "authkeys"
SERVICES = Path("/etc/services")


def local_node_name() -> str:
    """This machine's node name as Heartbeat sees it: ``uname -n``, lower-cased."""
    return os.uname().nodename.lower()


def default_udpport(services: Path = SERVICES) -> int:
    """The port ha.cf means without ``udpport``: ha-cluster/udp in ``services``, else 694."""
    try:
        text = services.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return DEFAULT_UDPPORT
    return services_port(text) or DEFAULT_UDPPORT


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Problems of one file in line order (file-wide ones first); stable otherwise."""
    return sorted(problems, key=lambda p: p.line or 0)


def _read(path: Path, problems: list[Problem]) -> ConfigFile | None:
    """The file, or None once ``problems`` says why it could not be read."""
    source, missing = read_config_file(path)
    if source is None:
        problems.append(missing or Problem(Severity.ERROR, "file could not be read"))
    return source


def load_config(
    config_dir: Path,
    node_name: str | None = None,
    *,
    local_host: bool = True,
    partial: bool = False,
    init_d: Path = INIT_D,
    net_dir: Path = NET_DIR,
    services: Path = SERVICES,
    logd_cf: Path = LOGD_CF,
) -> tuple[ClusterConfig | None, list[Problem]]:
    """Read ha.cf, haresources and authkeys in ``config_dir``; never raises.

    ``node_name`` defaults to ``uname -n`` lower-cased. ``local_host=False`` means the files
    belong to another machine: its interfaces are not checked and a missing resource script
    is only a warning. The config is None when any error was found, unless ``partial`` asks
    for whatever could be built anyway (``hbtui check`` uses that to summarise). ``logd_cf``
    (ha_logd's file) is read when ha.cf logs through ha_logd, on this host only.
    """
    config_dir = Path(config_dir)
    node = (node_name if node_name is not None else local_node_name()).strip().lower()
    try:
        is_dir = config_dir.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        return None, [Problem(Severity.ERROR, "configuration directory not found", config_dir)]

    problems: list[Problem] = []
    if not node:
        problems.append(Problem(Severity.ERROR, "this node's name is empty (--node-name)"))

    ha_cf: HaCf | None = None
    if (source := _read(config_dir / HA_CF, problems)) is not None:
        ha_cf, found = parse_ha_cf(source, default_udpport(services))
        found += check_timers(ha_cf) + check_nodes(ha_cf, node)
        found += check_media(ha_cf, local_host=local_host, net_dir=net_dir)
        found += check_respawn(ha_cf, local_host=local_host)
        problems += _sorted(found)

    logd: LogdCf | None = None
    if ha_cf is not None and ha_cf.uses_logd and local_host:
        logd, found = read_logd_cf(logd_cf)
        problems += _sorted(found)

    haresources: Haresources | None = None
    if (source := _read(config_dir / HARESOURCES, problems)) is not None:
        haresources, found = parse_haresources(source, config_dir, init_d)
        if ha_cf is not None:
            found += check_resources(
                haresources, ha_cf, config_dir, local_host=local_host, init_d=init_d
            )
            found += check_homes(haresources, ha_cf)
        problems += _sorted(found)

    authkeys: AuthKeys | None = None
    if (source := _read(config_dir / AUTHKEYS, problems)) is not None:
        authkeys, found = parse_authkeys(source)
        problems += _sorted(found)

    has_error = any(p.severity is Severity.ERROR for p in problems)
    if ha_cf is None or haresources is None or authkeys is None or (has_error and not partial):
        return None, problems
    return ClusterConfig(config_dir, node, ha_cf, haresources, authkeys, logd), problems


def read_config(
    config_dir: Path,
    node_name: str | None = None,
    *,
    local_host: bool = True,
    init_d: Path = INIT_D,
    net_dir: Path = NET_DIR,
) -> ClusterConfig:
    """Like :func:`load_config`, but raise ConfigError(problems) if there is any error."""
    config, problems = load_config(
        config_dir, node_name, local_host=local_host, init_d=init_d, net_dir=net_dir
    )
    if config is None:
        raise ConfigError(problems)
    return config
