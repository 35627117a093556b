"""SIGHUP: what of a reread configuration a running node takes, and what waits for a restart.

Timers (keepalive, warntime, deadtime, initdead) apply at once, as with the real daemon's
reread, and so do ``debug`` (the daemon restarts on a changed ha.cf) and authkeys: the node
signs with the new ``auth`` key and accepts every key listed, which is how a cluster's key is
rotated without a failover (add the new key on every node and reload, then switch ``auth``
node by node and reload, then drop the old key). Any other change to ha.cf, haresources or
logd.cf is reported and left for the next start, so a running node never changes its
identity, peers or resources under way.
"""

from __future__ import annotations

import dataclasses

from hbtui.config.model import ClusterConfig

TIMER_FIELDS = ("keepalive_ms", "warntime_ms", "deadtime_ms", "initdead_ms")


def merge_reload(old: ClusterConfig, new: ClusterConfig) -> tuple[ClusterConfig, list[str]]:
    """``old`` with ``new``'s timers, and one line per change (applied or not)."""
    timers = {name: getattr(new.ha_cf, name) for name in TIMER_FIELDS}
    changes = [
        f"{name[:-3]} {getattr(old.ha_cf, name)} ms -> {value} ms"
        for name, value in timers.items()
        if getattr(old.ha_cf, name) != value
    ]
    if old.ha_cf.debug != new.ha_cf.debug:
        changes.append(f"debug {old.ha_cf.debug} -> {new.ha_cf.debug}")
    timed_cf = dataclasses.replace(old.ha_cf, **timers, debug=new.ha_cf.debug)
    waiting = []
    if timed_cf != new.ha_cf:
        waiting.append("ha.cf (other than timers)")
    if old.haresources != new.haresources:
        waiting.append("haresources")
    if old.logd != new.logd:
        waiting.append("logd.cf")
    keys = old.authkeys
    if old.authkeys != new.authkeys:  # compares the keys too
        keys = new.authkeys
        listed = ", ".join(str(i) for i in sorted(keys.keys))
        method = keys.active_key.method.value
        changes.append(
            f"authkeys applied: signing with key {keys.active} ({method}), accepting keys {listed}"
        )
    changes += [f"{item} changed: not applied until the node restarts" for item in waiting]
    return dataclasses.replace(old, ha_cf=timed_cf, authkeys=keys), changes
