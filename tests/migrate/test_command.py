"""``hbtui migrate --to pacemaker``: printing, --out, the key, errors; and the layering."""

from __future__ import annotations

import ast
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hbtui.cli import main
from hbtui.config.model import ClusterConfig

from .conftest import write_cluster

ROOT = Path(__file__).resolve().parents[2] / "hbtui"


def migrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["migrate", "--to", "pacemaker", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_cib_by_default(
    howto: ClusterConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = migrate(capsys, "--config-dir", str(howto.config_dir))
    assert code == 0
    assert ET.fromstring(out.split("\n", 1)[1]).tag == "cib"  # after the XML declaration
    assert "STONITH is off" in err
    assert "hb-failback.sh" in err  # the wrapper it needs: use --out


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [("pcs", "pcs cluster cib-push"), ("crm", "primitive "), ("corosync", "nodelist {")],
)
def test_other_formats(
    howto: ClusterConfig, capsys: pytest.CaptureFixture[str], fmt: str, needle: str
) -> None:
    code, out, _ = migrate(capsys, "--config-dir", str(howto.config_dir), "--format", fmt)
    assert code == 0 and needle in out


def test_out_writes_every_file_with_its_mode(
    howto: ClusterConfig, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = migrate(capsys, "--config-dir", str(howto.config_dir), "--out", str(out_dir))
    assert code == 0
    names = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    assert names == {
        "corosync.conf",
        "authkey",
        "cib.xml",
        "pcs.sh",
        "crm.txt",
        "README.txt",
        "init.d/hb-failback.sh",
    }
    key = out_dir / "authkey"
    assert stat.S_IMODE(key.stat().st_mode) == 0o400
    assert len(key.read_bytes()) == 256
    assert stat.S_IMODE((out_dir / "init.d" / "hb-failback.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((out_dir / "pcs.sh").stat().st_mode) == 0o755
    assert key.read_bytes().hex() not in out
    # a second run keeps the key the nodes may already share
    before = key.read_bytes()
    code, out, _ = migrate(capsys, "--config-dir", str(howto.config_dir), "--out", str(out_dir))
    assert code == 0 and "kept" in out and key.read_bytes() == before


def test_token_and_dc_deadtime_options(
    howto: ClusterConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = migrate(
        capsys, "--config-dir", str(howto.config_dir), "--format", "corosync", "--token", "300"
    )
    assert code == 0 and "token: 300\n" in out and "knet_ping_timeout: 1000" in out
    code, out, _ = migrate(capsys, "--config-dir", str(howto.config_dir), "--dc-deadtime", "5")
    assert code == 0 and 'name="dc-deadtime" value="5s"' in out


def test_ring0_option(howto: ClusterConfig, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--config-dir", str(howto.config_dir), "--format", "corosync"]
    code, out, _ = migrate(
        capsys, *args, "--ring0", "server1=10.1.1.1", "--ring0", "SERVER2=10.1.1.2"
    )
    assert code == 0 and "ring0_addr: 10.1.1.1" in out and "ring0_addr: 10.1.1.2" in out
    code, _, err = migrate(capsys, *args, "--ring0", "server1")
    assert code == 1 and "NODE=ADDRESS" in err


def test_unknown_addresses_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # one ucast address for two nodes whose names resolve nowhere
    ha_cf = "node nosuchnode-a.invalid nosuchnode-b.invalid\nucast eth0 10.0.0.2\n"
    config_dir, _ = write_cluster(tmp_path, ha_cf, "nosuchnode-a.invalid 10.0.0.100\n")
    code, out, err = migrate(capsys, "--config-dir", str(config_dir))
    assert code == 1 and out == ""
    assert "no address for node nosuchnode-a.invalid" in err


def test_config_errors_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_dir, _ = write_cluster(tmp_path, "node a b\nucast eth0 10.0.0.2\n", "c 10.0.0.9\n")
    (config_dir / "ha.cf").write_text("bogus directive\n")
    code, out, err = migrate(capsys, "--config-dir", str(config_dir))
    assert code == 1 and out == "" and "fix the errors" in err


def test_authkeys_mode_does_not_stop_a_migration(
    howto: ClusterConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    (howto.config_dir / "authkeys").chmod(0o644)
    code, _, err = migrate(capsys, "--config-dir", str(howto.config_dir))
    assert code == 0 and "not used by the migration" in err


def test_any_node_name_will_do(howto: ClusterConfig, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = migrate(capsys, "--config-dir", str(howto.config_dir), "--node-name", "other")
    assert code == 0


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_migrate_package_is_pure() -> None:
    """hbtui.migrate imports only the standard library, hbtui.config and the pure hbtui.crm
    (and itself)."""
    for path in sorted((ROOT / "migrate").glob("*.py")):
        for name in imported(path):
            root = name.split(".")[0]
            if root == "hbtui":
                allowed = ("hbtui.config", "hbtui.migrate", "hbtui.crm")
                assert name.startswith(allowed), (path.name, name)
            else:
                assert root in sys.stdlib_module_names, (path.name, name)
                assert root not in {"socket", "subprocess", "asyncio", "os"}, (path.name, name)
