"""The console's keys on a Pacemaker cluster as the Pacemaker command each one runs: put a
node in standby and back, move a group and clear the move, clean up a failed resource.
Only ``crm_attribute`` and ``crm_resource`` (pacemaker-cli-utils) are used: pcs and crmsh
may not be installed."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum


class CrmVerb(StrEnum):
    """What the operator asked for."""

    STANDBY = "standby"
    UNSTANDBY = "unstandby"
    MOVE = "move"
    CLEAR = "clear"
    CLEANUP = "cleanup"


@dataclass(frozen=True, slots=True)
class CrmAction:
    """One verb on one target: a node (standby, unstandby) or a resource or group, with the
    node it moves to (move) or is cleaned up on (cleanup; None = every node)."""

    verb: CrmVerb
    target: str
    node: str | None = None

    def argv(self) -> list[str]:
        """The command that carries it out."""
        standby = ["crm_attribute", "--type", "nodes", "--node", self.target, "--name", "standby"]
        if self.verb is CrmVerb.STANDBY:
            return [*standby, "--update", "on"]
        if self.verb is CrmVerb.UNSTANDBY:
            return [*standby, "--delete"]
        if self.verb is CrmVerb.MOVE:
            if self.node is None:
                raise ValueError("move: which node to?")
            return ["crm_resource", "--move", "--resource", self.target, "--node", self.node]
        if self.verb is CrmVerb.CLEAR:
            return ["crm_resource", "--clear", "--resource", self.target]
        argv = ["crm_resource", "--cleanup", "--resource", self.target]
        return argv + (["--node", self.node] if self.node else [])

    def command(self) -> str:
        """The argv as a shell would show it (for the dialog and the log)."""
        return shlex.join(self.argv())

    def question(self) -> str:
        """The dialog's title."""
        return {
            CrmVerb.STANDBY: f"Standby {self.target}?",
            CrmVerb.UNSTANDBY: f"Bring {self.target} out of standby?",
            CrmVerb.MOVE: f"Move {self.target} to {self.node}?",
            CrmVerb.CLEAR: f"Clear the moves of {self.target}?",
            CrmVerb.CLEANUP: f"Clean up {self.target}?",
        }[self.verb]

    def consequence(self) -> str:
        """What will happen, in a sentence (the dialog's text, before the command)."""
        return {
            CrmVerb.STANDBY: f"Pacemaker stops every resource on {self.target} and starts "
            "them on another node; the node stays in the cluster.",
            CrmVerb.UNSTANDBY: f"{self.target} may run resources again; groups that prefer it "
            "move back now if their stickiness lets them.",
            CrmVerb.MOVE: f"Pacemaker stops {self.target} where it runs and starts it on "
            f"{self.node}. The move is a constraint that stays until cleared (c).",
            CrmVerb.CLEAR: f"The constraints a move or ban left on {self.target} are removed; "
            "it may go back to its preferred node.",
            CrmVerb.CLEANUP: f"The failure history of {self.target} is forgotten and "
            "Pacemaker probes it again; it may restart.",
        }[self.verb]
