"""The generated CIB: its structure (parsed with ElementTree) and crm_verify on it."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from hbtui.config.model import ClusterConfig
from hbtui.migrate.plan import plan_migration

Resolver = Callable[[str], str | None]


def nothing(name: str) -> str | None:
    return None


def parsed(config: ClusterConfig, resolve: Resolver = nothing) -> ET.Element:
    return ET.fromstring(plan_migration(config, resolve).cib_xml)


def nvpairs(element: ET.Element | None) -> dict[str, str]:
    assert element is not None
    return {nv.get("name", ""): nv.get("value", "") for nv in element.iter("nvpair")}


def test_howto_cib(howto: ClusterConfig) -> None:
    cib = parsed(howto)
    assert cib.tag == "cib" and cib.get("validate-with", "").startswith("pacemaker-")
    assert cib.find("status") is not None
    assert cib.get("admin_epoch") == "1"  # newer than a new cluster's CIB: --replace takes it
    options = nvpairs(cib.find("configuration/crm_config/cluster_property_set"))
    assert options == {
        "stonith-enabled": "false",
        "no-quorum-policy": "ignore",
        "dc-deadtime": "10s",  # initdead 10
    }
    groups = cib.findall("configuration/resources/group")
    assert len(groups) == 1
    vip, script = groups[0].findall("primitive")
    assert (vip.get("class"), vip.get("provider"), vip.get("type")) == (
        "ocf",
        "heartbeat",
        "IPaddr2",
    )
    assert nvpairs(vip.find("instance_attributes")) == {
        "ip": "192.168.10.10",
        "cidr_netmask": "24",
    }
    assert (script.get("class"), script.get("type")) == ("lsb", "hb-failback.sh")
    for primitive in (vip, script):
        monitors = [op for op in primitive.iter("op") if op.get("name") == "monitor"]
        assert len(monitors) == 1 and monitors[0].get("interval") != "0s"
    (location,) = cib.findall("configuration/constraints/rsc_location")
    assert location.get("rsc") == groups[0].get("id")
    assert (location.get("node"), location.get("score")) == ("server1", "100")
    defaults = nvpairs(cib.find("configuration/rsc_defaults"))
    assert defaults == {"resource-stickiness": "0"}  # auto_failback on: comes home


def test_ids_are_unique(rich: ClusterConfig, hosts: Resolver) -> None:
    cib = parsed(rich, hosts)
    ids = [e.get("id") for e in cib.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids))


def test_rich_cib(rich: ClusterConfig, hosts: Resolver) -> None:
    cib = parsed(rich, hosts)
    groups = cib.findall("configuration/resources/group")
    assert len(groups) == 2
    agents = [[f"{p.get('class')}:{p.get('type')}" for p in g.findall("primitive")] for g in groups]
    assert agents == [
        [
            "ocf:IPaddr2",
            "ocf:Filesystem",
            "ocf:apache",
            "lsb:mysvc",  # /etc/init.d script without arguments: itself
            "lsb:hb-myscript-one-two",  # resource.d script with arguments: a wrapper
            "lsb:hb-words",  # resource.d script of its own: a wrapper
        ],
        ["ocf:IPaddr2", "ocf:MailTo"],
    ]
    vip = groups[0].find("primitive")
    assert nvpairs(vip) == {
        "ip": "10.0.0.100",
        "cidr_netmask": "24",
        "nic": "eth1",
        "broadcast": "10.0.0.255",
    }
    vip2 = groups[1].find("primitive")
    assert nvpairs(vip2)["iflabel"] == "web" and nvpairs(vip2)["cidr_netmask"] == "24"
    homes = {
        loc.get("rsc"): loc.get("node")
        for loc in cib.findall("configuration/constraints/rsc_location")
    }
    assert homes == {groups[0].get("id"): "alpha", groups[1].get("id"): "beta"}
    # auto_failback off: stickiness above the home preference, so groups stay put
    stickiness = int(nvpairs(cib.find("configuration/rsc_defaults"))["resource-stickiness"])
    assert stickiness > 100
    assert nvpairs(cib.find("configuration/crm_config"))["dc-deadtime"] == "20s"


def test_reasoning_and_fencing_are_in_a_comment(howto: ClusterConfig) -> None:
    text = plan_migration(howto, nothing).cib_xml
    head = text[: text.index("<cib")]
    assert "<!--" in head and "FENCING (STONITH) IS OFF" in head
    assert "stonith-enabled=true" in head
    assert "--" not in head.replace("<!--", "").replace("-->", "")


CRM_VERIFY = shutil.which("crm_verify")


@pytest.mark.skipif(CRM_VERIFY is None, reason="crm_verify not installed (pacemaker-cli-utils)")
@pytest.mark.parametrize("which", ["howto", "rich"])
def test_crm_verify_accepts_the_cib(
    which: str, request: pytest.FixtureRequest, hosts: Resolver, tmp_path: Path
) -> None:
    config: ClusterConfig = request.getfixturevalue(which)
    path = tmp_path / "cib.xml"
    path.write_text(plan_migration(config, hosts).cib_xml)
    assert CRM_VERIFY is not None
    done = subprocess.run(
        [CRM_VERIFY, "--xml-file", str(path), "-V"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in (done.stdout + done.stderr).lower()
