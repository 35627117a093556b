"""``hbtui migrate --rehearse``: the lab's copy of a configuration (no root needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from hbtui.config.loader import load_config
from hbtui.lab.rehearse import rehearsal_config

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"


def production_like(tmp_path: Path) -> Path:
    """The HOWTO with production addresses, a second link and a real script's name."""
    config = tmp_path / "etc-ha.d"
    shutil.copytree(HOWTO, config)
    (config / "authkeys").chmod(0o600)
    ha_cf = config / "ha.cf"
    text = ha_cf.read_text().replace("ucast eth0 192.168.10.1", "ucast eth1 10.20.30.1")
    ha_cf.write_text(text.replace("ucast eth0 192.168.10.2", "bcast eth2"))
    (config / "haresources").write_text("server1 IPaddr::10.20.30.40/24/eth1 failback.sh\n")
    return config


def test_the_lab_copy_maps_addresses_and_stands_in_for_scripts(tmp_path: Path) -> None:
    config, problems = load_config(production_like(tmp_path), "server1", local_host=False)
    assert config is not None, problems
    plan = rehearsal_config(config, tmp_path / "lab-ha.d")
    assert (plan.home, plan.vip, plan.nodes, plan.failback) == (
        "server1", "192.168.10.100", ("server1", "server2"), True,
    )  # fmt: skip
    ha_cf = (plan.config_dir / "ha.cf").read_text().splitlines()
    media = [line for line in ha_cf if line.split()[:1] in (["ucast"], ["bcast"])]
    assert media == ["ucast eth0 192.168.10.1", "ucast eth0 192.168.10.2"]
    haresources = (plan.config_dir / "haresources").read_text()
    assert haresources == "server1 IPaddr::192.168.10.100/24 failback.sh\n"
    stand_in = (plan.config_dir / "resource.d" / "failback.sh").read_text()
    assert "rehearsal stand-in" in stand_in
    assert "VIP 10.20.30.40 rehearsed as 192.168.10.100" in plan.notes
    lab_config, problems = load_config(plan.config_dir, "server1", local_host=False)
    assert lab_config is not None, problems
