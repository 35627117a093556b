"""What the migrated cluster risks without fencing, and how to add it (printed and in README)."""

from __future__ import annotations

from collections.abc import Sequence


def fencing_lines(nodes: Sequence[str]) -> list[str]:
    """The fencing warning and the commands that add a fence device per node."""
    first = nodes[0] if nodes else "node1"
    lines = [
        "FENCING (STONITH) IS OFF. That is what Heartbeat's haresources cluster did too, and it is",
        "not safe: when the nodes stop hearing each other while both still run (a cut or",
        "overloaded link, a node frozen for longer than the token that then wakes up), each one",
        "believes the other is dead and starts the resources: the VIP on two machines, the",
        "scripts (and any shared disk) run twice. A stop that fails cannot be recovered either:",
        "the resource stays blocked until a person cleans it up.",
        "",
        "Add a fence device for every node (IPMI/iLO/iDRAC, a switched PDU, fence_vmware or",
        "fence_xvm for VMs, sbd with a watchdog and a shared disk), test it, then enable it:",
        "  apt-get install fence-agents",
    ]
    for node in nodes:
        lines.append(
            f"  pcs stonith create fence-{node} fence_ipmilan ip=<BMC of {node}> "
            f"username=<user> password=<secret> lanplus=1 pcmk_host_list={node}"
        )
    lines += [
        f"  pcs stonith fence {first}        # test: {first} must power-cycle",
        "  pcs property set stonith-enabled=true",
        "or with crmsh:",
        f"  crm configure primitive fence-{first} stonith:fence_ipmilan params "
        f"ip=<BMC of {first}> username=<user> password=<secret> lanplus=1 "
        f"pcmk_host_list={first}",
        "  crm configure property stonith-enabled=true",
    ]
    if len(nodes) == 2:
        lines += [
            "With two nodes, give one node's device a delay (pcmk_delay_base=5s) so that in a",
            "split both do not shoot each other at once.",
        ]
    return lines
