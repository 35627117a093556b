"""``parse_crm_mon`` on crm_mon 2.1.5 XML (no root needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hbtui.migrate.crm_status import parse_crm_mon

# trimmed from `crm_mon -1 --output-as=xml` in the lab, after the migrated CIB was loaded
STEADY = """<pacemaker-result api-version="2.25" request="crm_mon -1 --output-as=xml">
  <summary>
    <stack type="corosync"/>
    <current_dc present="true" version="2.1.5-a3f44794f94" name="server1" id="1"
      with_quorum="true" mixed_version="false"/>
  </summary>
  <nodes>
    <node name="server1" id="1" online="true" standby="false" pending="false" unclean="false"
      is_dc="true" resources_running="2" type="member"/>
    <node name="server2" id="2" online="{online2}" standby="false" pending="false"
      unclean="false" is_dc="false" resources_running="0" type="member"/>
  </nodes>
  <resources>
    <group id="grp-IPaddr-192.168.10.10-24" number_resources="2" managed="true">
      <resource id="IPaddr-192.168.10.10-24" resource_agent="ocf:heartbeat:IPaddr2"
        role="Started" active="true" orphaned="false" blocked="false" managed="true"
        failed="false" failure_ignored="false" nodes_running_on="1">
        <node name="server1" id="1" cached="true"/>
      </resource>
      <resource id="failback.sh" resource_agent="lsb:hb-failback.sh" {script}
        orphaned="false" blocked="false" managed="true" failed="false"
        failure_ignored="false" nodes_running_on="1">
        <node name="server1" id="1" cached="true"/>
      </resource>
    </group>
  </resources>
  {failures}
  <status code="0" message="OK"/>
</pacemaker-result>
"""
STARTED = 'role="Started" active="true"'


def sample(online2: str = "true", script: str = STARTED, failures: str = "") -> str:
    return STEADY.format(online2=online2, script=script, failures=failures)


def test_steady_cluster() -> None:
    view = parse_crm_mon(sample())
    assert view.online == {"server1", "server2"}
    assert view.dc == "server1"
    assert view.where("IPaddr-192.168.10.10-24") == ("server1",)
    assert view.where("failback.sh") == ("server1",)
    assert view.where("nothing") == ()
    assert view.failed == ()


def test_offline_node_and_pending_start() -> None:
    pending = 'role="Started" active="true" pending="Starting"'
    view = parse_crm_mon(sample(online2="false", script=pending))
    assert view.online == {"server1"}
    assert view.where("failback.sh") == ()  # its start has not finished yet


def test_failed_actions() -> None:
    failures = (
        '<failures><failure op_key="failback.sh_start_0" node="server2" exitstatus="error" '
        'exitcode="1" call="12" status="complete" task="start" interval="0"/></failures>'
    )
    view = parse_crm_mon(sample(failures=failures))
    assert view.failed == ("start of failback.sh on server2: error",)


def test_hbtui_status_answers_for_a_pacemaker_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: after `hbtui migrate`, no hbtui node runs; `hbtui status` says what the
    Corosync + Pacemaker cluster runs (crm_mon; a stand-in printing a recorded answer)."""
    from hbtui.cli import main

    fake = tmp_path / "bin" / "crm_mon"
    fake.parent.mkdir()
    (tmp_path / "answer.xml").write_text(sample())
    fake.write_text(f"#!/bin/sh\ncat {tmp_path / 'answer.xml'}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    sock = str(tmp_path / "none.sock")
    assert main(["status", "--control-socket", sock]) == 0
    out = capsys.readouterr().out
    assert "Corosync + Pacemaker: DC server1, online server1, server2" in out
    assert "IPaddr-192.168.10.10-24: server1" in out and "failed actions: none" in out
    assert main(["status", "--control-socket", sock, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pacemaker"]["running"]["failback.sh"] == ["server1"]
