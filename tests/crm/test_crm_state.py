"""crm_mon's XML read into a typed state, on readings captured from a real cluster."""

from __future__ import annotations

import pytest

from hbtui.crm.cib import vip_addresses
from hbtui.crm.state import CrmParseError, NodeStatus, parse_crm_mon
from hbtui.migrate.crm_status import parse_crm_mon as parse_view
from tests.crm.helpers import GROUP, VIP_ID, capture, state


def test_a_placed_group_runs_on_its_home_node() -> None:
    placed = state("placed")
    assert [(n.name, n.status) for n in placed.nodes] == [
        ("server1", NodeStatus.ONLINE),
        ("server2", NodeStatus.ONLINE),
    ]
    assert placed.dc is not None and placed.quorum is True
    assert placed.group_where(GROUP) == ("server1",)
    assert [m.id for m in placed.groups()[GROUP]] == [VIP_ID, "failback.sh"]
    assert placed.resource(VIP_ID) is not None
    assert placed.resource(VIP_ID).agent == "ocf:heartbeat:IPaddr2"  # type: ignore[union-attr]
    assert "by crm_attribute on server1" in placed.last_change
    assert not placed.failures


def test_node_statuses_standby_and_offline() -> None:
    assert state("standby").node("server1").status is NodeStatus.STANDBY  # type: ignore[union-attr]
    assert state("standby").group_where(GROUP) == ("server2",)
    cut = state("cut_stopped")
    assert cut.node("server1").status is NodeStatus.OFFLINE  # type: ignore[union-attr]
    assert cut.group_where(GROUP) == ()
    assert cut.where(VIP_ID) == ()


def test_a_start_or_stop_under_way_is_not_running() -> None:
    starting = state("starting")  # the VIP started, failback.sh role Starting
    assert starting.where(VIP_ID) == ("server1",)
    assert starting.where("failback.sh") == ()
    assert starting.group_where(GROUP) == ()
    assert state("moving").group_where(GROUP) == ()  # VIP Stopping, script Stopped


def test_a_failed_monitor_names_resource_task_node_and_status() -> None:
    (failure,) = state("monitor_failed").failures
    assert (failure.resource, failure.task, failure.node) == ("failback.sh", "monitor", "server1")
    assert failure.status == "not running"
    assert str(failure).startswith("monitor of failback.sh on server1: not running at 2026-")


def test_a_rejoining_nodes_stale_view_is_active_on_two_nodes() -> None:
    back = state("back_rejoining")
    vip = back.resource(VIP_ID)
    assert vip is not None and vip.multi_active and vip.nodes == ("server1", "server2")
    assert back.group_where(GROUP) == ()


def test_the_status_view_keeps_its_meaning() -> None:
    view = parse_view(capture("standby"))
    assert view.online == {"server2"}  # standby is not online for `hbtui status`
    assert view.where(VIP_ID) == ("server2",)
    assert parse_view(capture("starting")).where("failback.sh") == ()
    assert parse_view(capture("monitor_failed")).failed


def test_vip_addresses_come_from_the_cib() -> None:
    assert vip_addresses(capture("cib")) == {VIP_ID: "192.168.10.10"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("not xml <", "crm_mon printed no valid XML"),
        ("<cib/>", "printed <cib>, not <pacemaker-result>"),
        (
            '<pacemaker-result><status code="102" message="Not connected"/></pacemaker-result>',
            "crm_mon: Not connected (code 102)",
        ),
    ],
)
def test_bad_output_is_refused_with_what_was_wrong(text: str, said: str) -> None:
    with pytest.raises(CrmParseError, match=said.replace("(", r"\(").replace(")", r"\)")):
        parse_crm_mon(text)
    with pytest.raises(CrmParseError):
        vip_addresses("not xml <")
