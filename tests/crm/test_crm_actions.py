"""Each console key on a Pacemaker cluster as the command it runs."""

from __future__ import annotations

import pytest

from hbtui.crm.actions import CrmAction, CrmVerb


@pytest.mark.parametrize(
    ("action", "command"),
    [
        (
            CrmAction(CrmVerb.STANDBY, "server1"),
            "crm_attribute --type nodes --node server1 --name standby --update on",
        ),
        (
            CrmAction(CrmVerb.UNSTANDBY, "server1"),
            "crm_attribute --type nodes --node server1 --name standby --delete",
        ),
        (
            CrmAction(CrmVerb.MOVE, "grp-vip", "server2"),
            "crm_resource --move --resource grp-vip --node server2",
        ),
        (CrmAction(CrmVerb.CLEAR, "grp-vip"), "crm_resource --clear --resource grp-vip"),
        (
            CrmAction(CrmVerb.CLEANUP, "failback.sh"),
            "crm_resource --cleanup --resource failback.sh",
        ),
        (
            CrmAction(CrmVerb.CLEANUP, "failback.sh", "server1"),
            "crm_resource --cleanup --resource failback.sh --node server1",
        ),
    ],
)
def test_the_command_of_each_action(action: CrmAction, command: str) -> None:
    assert action.command() == command
    assert action.question().endswith("?") and action.consequence()


def test_a_move_needs_a_node() -> None:
    with pytest.raises(ValueError, match="which node"):
        CrmAction(CrmVerb.MOVE, "grp-vip").argv()


def test_odd_names_stay_one_argument() -> None:
    action = CrmAction(CrmVerb.CLEANUP, "a b;rm -rf /")
    assert action.argv()[-1] == "a b;rm -rf /"
    assert action.command().endswith("'a b;rm -rf /'")
