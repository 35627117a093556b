"""The Pacemaker configuration of a migrated cluster: groups, home nodes, stickiness, options."""

from __future__ import annotations

from dataclasses import dataclass

from hbtui.config.model import AutoFailback, ClusterConfig
from hbtui.config.timeparse import format_ms
from hbtui.migrate.model import Location, PacemakerConfig
from hbtui.migrate.resources import groups_for, xml_id

HOME_SCORE = 100  # a group's preference for its haresources node
STAY_STICKINESS = 200  # > HOME_SCORE: with auto_failback off a group stays where it runs
MIN_DC_DEADTIME_S = 2


@dataclass(frozen=True, slots=True)
class PacemakerOptions:
    """What the operator may override on the command line."""

    dc_deadtime_s: int | None = None  # None: Heartbeat's initdead


def stickiness_for(auto_failback: AutoFailback) -> tuple[int, str]:
    """resource-stickiness for an auto_failback value, and why."""
    if auto_failback is AutoFailback.OFF:
        return STAY_STICKINESS, (
            f"auto_failback off: resource-stickiness={STAY_STICKINESS} outweighs the home "
            f"node's preference ({HOME_SCORE}), so a group stays where it runs after a failover"
        )
    why = "on" if auto_failback is AutoFailback.ON else "legacy (acts as on between two nodes)"
    return 0, (
        f"auto_failback {why}: resource-stickiness=0, so a group goes back to its home node "
        f"(preference {HOME_SCORE}) as soon as that node is online again"
    )


def cluster_options(
    config: ClusterConfig, options: PacemakerOptions
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """crm_config properties and one note per property."""
    nodes = len(config.ha_cf.nodes)
    notes = [
        "stonith-enabled=false: no fence device is configured (Heartbeat's haresources clusters "
        "had none either). THIS IS NOT SAFE FOR PRODUCTION: see 'Fencing' below."
    ]
    if nodes <= 2:
        policy = "ignore"
        notes.append(
            "no-quorum-policy=ignore: like Heartbeat, a node alone keeps (or, after initdead, "
            "takes) the resources; corosync's two_node keeps the survivor quorate anyway"
        )
    else:
        policy = "stop"
        notes.append(
            f"no-quorum-policy=stop: with {nodes} nodes a partition without a majority stops its "
            "resources"
        )
    initdead_s = max(MIN_DC_DEADTIME_S, round(config.ha_cf.initdead_ms / 1000))
    if options.dc_deadtime_s is not None:
        dc_deadtime = options.dc_deadtime_s
        notes.append(f"dc-deadtime={dc_deadtime}s: given on the command line")
    else:
        dc_deadtime = initdead_s
        notes.append(
            f"dc-deadtime={dc_deadtime}s: Heartbeat's initdead "
            f"({format_ms(config.ha_cf.initdead_ms)}), how long a starting node waits for the "
            "others before deciding alone (Pacemaker's default is 20 s)"
        )
    properties = (
        ("stonith-enabled", "false"),
        ("no-quorum-policy", policy),
        ("dc-deadtime", f"{dc_deadtime}s"),
    )
    return properties, tuple(notes)


def pacemaker_config(
    config: ClusterConfig, options: PacemakerOptions | None = None
) -> PacemakerConfig:
    """The whole Pacemaker side of the migration of ``config``."""
    options = options or PacemakerOptions()
    groups = groups_for(config.haresources.groups, config.config_dir)
    locations = tuple(
        Location(xml_id(f"loc-{g.id}-{g.home_node}"), g.id, g.home_node, HOME_SCORE) for g in groups
    )
    properties, notes = cluster_options(config, options)
    stickiness, why = stickiness_for(config.ha_cf.auto_failback)
    return PacemakerConfig(
        properties=properties,
        resource_defaults=(("resource-stickiness", str(stickiness)),),
        groups=groups,
        locations=locations,
        notes=(*notes, why),
    )
