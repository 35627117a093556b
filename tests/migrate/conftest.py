"""Fixtures of the migration tests: the HOWTO cluster and a richer one, loaded as any node."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.config.loader import load_config
from hbtui.config.model import ClusterConfig

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"

RICH_HA_CF = """\
keepalive 500ms
deadtime 3
initdead 20
ucast eth1 alpha
ucast eth1 beta
node alpha beta
auto_failback off
"""
RICH_HARESOURCES = """\
alpha 10.0.0.100/24/eth1/10.0.0.255 Filesystem::/dev/sdb1::/srv::ext4 apache::/etc/apache2/a.conf \\
      mysvc myscript::one::two words
beta IPaddr2::10.0.0.101/255.255.255.0/eth1:web MailTo::root@example.com::failover
"""
RICH_HOSTS = {"alpha": "10.0.0.1", "beta": "10.0.0.2"}


def load(config_dir: Path, init_d: Path | None = None) -> ClusterConfig:
    """The configuration in ``config_dir`` as its first node; fails the test on any error."""
    kwargs = {"init_d": init_d} if init_d is not None else {}
    first = next(
        line.split()[1]
        for line in (config_dir / "ha.cf").read_text().splitlines()
        if line.startswith("node ")
    )
    config, problems = load_config(config_dir, first, local_host=False, **kwargs)
    assert config is not None, problems
    return config


def write_cluster(
    root: Path,
    ha_cf: str,
    haresources: str,
    scripts: dict[str, str] | None = None,
    init_scripts: tuple[str, ...] = (),
) -> tuple[Path, Path]:
    """A config dir (authkeys 600, ``scripts`` in resource.d) and an init.d; both paths."""
    config_dir, init_d = root / "ha.d", root / "init.d"
    (config_dir / "resource.d").mkdir(parents=True)
    init_d.mkdir()
    (config_dir / "ha.cf").write_text(ha_cf)
    (config_dir / "haresources").write_text(haresources)
    (config_dir / "authkeys").write_text("auth 1\n1 sha1 secret\n")
    (config_dir / "authkeys").chmod(0o600)
    for name, text in (scripts or {}).items():
        path = config_dir / "resource.d" / name
        path.write_text(text)
        path.chmod(0o755)
    for name in init_scripts:
        path = init_d / name
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)
    return config_dir, init_d


@pytest.fixture
def howto(tmp_path: Path) -> ClusterConfig:
    """The bundled HOWTO cluster (server1/server2, VIP 192.168.10.10, failback.sh)."""
    config_dir = tmp_path / "howto"
    shutil.copytree(HOWTO, config_dir)
    (config_dir / "authkeys").chmod(0o600)
    return load(config_dir)


@pytest.fixture
def rich(tmp_path: Path) -> ClusterConfig:
    """Two groups, every kind of resource, auto_failback off, names in the ucast lines."""
    scripts = {"myscript": "#!/bin/sh\nexit 0\n", "words": "#!/bin/sh\nexit 0\n"}
    config_dir, init_d = write_cluster(
        tmp_path, RICH_HA_CF, RICH_HARESOURCES, scripts, init_scripts=("mysvc",)
    )
    return load(config_dir, init_d)


@pytest.fixture
def hosts() -> Callable[[str], str | None]:
    """A resolver that knows alpha and beta."""
    return RICH_HOSTS.get
