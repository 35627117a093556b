"""Write the HOWTO cluster's /etc/ha.d files (ha.cf, haresources, authkeys, failback.sh).

`HaSetup` holds the parameters (timers, auth, nodes, auto_failback); the defaults are the HOWTO's.
The same files serve the real daemon and hbtui. failback.sh appends `<epoch.ms> <node> <action>`
to /var/log/failback.log inside the node and prints nothing for `status` (so it counts as stopped).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

FAILBACK_LOG = "/var/log/failback.log"
FAILBACK_SH = f"""#!/bin/sh
# Lab resource script: log every call with a millisecond timestamp; print nothing for status.
echo "$(date +%s.%3N) $(uname -n) $1" >> {FAILBACK_LOG}
case "$1" in
  start|stop|status) exit 0 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 1 ;;
esac
"""


@dataclass(frozen=True)
class HaSetup:
    """Parameters of the cluster config; every node of a cluster gets the same files."""

    nodes: tuple[str, ...] = ("server1", "server2")
    keepalive: str = "1"
    warntime: str = "3"
    deadtime: str = "5"
    initdead: str = "10"
    udpport: int = 694
    auto_failback: str = "on"
    autojoin: str = "none"
    auth_index: int = 1
    auth_method: str = "sha1"
    auth_key: str = "PutYourSuperSecretKeyHere"
    owner: str = "server1"
    vip: str = "192.168.10.10/24"
    resources: tuple[str, ...] = ("failback.sh",)
    extra_ha_cf: tuple[str, ...] = field(default=())
    # media lines instead of the HOWTO's ucast lines (e.g. ("bcast eth0",)); () = HOWTO
    media: tuple[str, ...] = field(default=())
    # hbtui.conf (ignored by the real daemon): these scenarios count every failback.sh call,
    # so hbtui's start probe (a ``status`` of what it does not hold) is off unless a test
    # turns it on (tests/faults)
    hbtui_settings: tuple[str, ...] = ("start_probe = no",)

    @property
    def vip_ip(self) -> str:
        """The VIP without its prefix length."""
        return self.vip.partition("/")[0]

    def with_timers(self, keepalive: str, warntime: str, deadtime: str, initdead: str) -> HaSetup:
        """A copy with other timers (values as ha.cf takes them: `1`, `200ms`)."""
        return replace(
            self, keepalive=keepalive, warntime=warntime, deadtime=deadtime, initdead=initdead
        )

    def node_ip(self, name: str) -> str:
        """The HOWTO address of node `name` (position in the node list, from .1)."""
        return f"192.168.10.{self.nodes.index(name) + 1}"

    def ha_cf(self) -> str:
        """ha.cf in the HOWTO's order (ucast lines before udpport, as the HOWTO has them)."""
        lines = [
            "logfile /var/log/ha-log",
            "debugfile /var/log/ha-debug",
            "logfacility local0",
            f"autojoin {self.autojoin}",
            *(self.media or (f"ucast eth0 {self.node_ip(name)}" for name in self.nodes)),
            f"udpport {self.udpport}",
            f"keepalive {self.keepalive}",
            f"warntime {self.warntime}",
            f"deadtime {self.deadtime}",
            f"initdead {self.initdead}",
            f"node {' '.join(self.nodes)}",
            f"auto_failback {self.auto_failback}",
            "crm off",
            *self.extra_ha_cf,
        ]
        return "\n".join(lines) + "\n"

    def haresources(self) -> str:
        """One group: the owner, the VIP through IPaddr, then the other resources."""
        return " ".join([self.owner, f"IPaddr::{self.vip}", *self.resources]) + "\n"

    def authkeys(self) -> str:
        """authkeys selecting `auth_index`; crc takes no key."""
        key = "" if self.auth_method == "crc" else f" {self.auth_key}"
        return f"auth {self.auth_index}\n{self.auth_index} {self.auth_method}{key}\n"

    def write(self, etc_dir: Path, authkeys_mode: int = 0o600) -> None:
        """Write the four files into `etc_dir` (a node's /etc/ha.d as seen from the host)."""
        (etc_dir / "resource.d").mkdir(parents=True, exist_ok=True)
        (etc_dir / "ha.cf").write_text(self.ha_cf())
        (etc_dir / "haresources").write_text(self.haresources())
        authkeys = etc_dir / "authkeys"
        authkeys.write_text(self.authkeys())
        authkeys.chmod(authkeys_mode)
        (etc_dir / "hbtui.conf").write_text("".join(f"{line}\n" for line in self.hbtui_settings))
        script = etc_dir / "resource.d" / "failback.sh"
        script.write_text(FAILBACK_SH)
        script.chmod(0o755)


@dataclass(frozen=True)
class FailbackCall:
    """One line of failback.log."""

    at: float
    node: str
    action: str


def parse_failback_log(text: str) -> list[FailbackCall]:
    """The calls recorded by the lab's failback.sh, in order."""
    calls: list[FailbackCall] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            calls.append(FailbackCall(float(parts[0]), parts[1], parts[2]))
    return calls
