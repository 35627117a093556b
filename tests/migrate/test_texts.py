"""corosync.conf, the pcs script, the crm commands and the README, as text."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from hbtui.config.model import ClusterConfig
from hbtui.migrate.crm import crm_value
from hbtui.migrate.plan import MigrateOptions, plan_migration

Resolver = Callable[[str], str | None]


def nothing(name: str) -> str | None:
    return None


def directives(text: str) -> dict[str, list[str]]:
    """``key: value`` lines of corosync.conf (comments dropped)."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            found.setdefault(key, []).append(value)
    return found


def test_corosync_conf_for_the_howto(howto: ClusterConfig) -> None:
    text = plan_migration(howto, nothing).corosync_conf
    conf = directives(text)
    assert conf["transport"] == ["knet"]
    assert conf["crypto_cipher"] == ["aes256"] and conf["crypto_hash"] == ["sha256"]
    assert conf["name"] == ["server1", "server2"]
    assert conf["nodeid"] == ["1", "2"]
    assert conf["ring0_addr"] == ["192.168.10.1", "192.168.10.2"]
    assert conf["two_node"] == ["1"]
    assert conf["token"] == ["2270"] and conf["consensus"] == ["2720"]
    assert "knet_ping_interval" not in conf
    assert "# Heartbeat: keepalive 1 s, deadtime 5 s" in text
    assert text.count("{") == text.count("}")
    assert all(len(line) <= 100 for line in text.splitlines())


def test_corosync_conf_short_token_and_three_nodes(howto: ClusterConfig) -> None:
    conf = directives(plan_migration(howto, nothing, MigrateOptions(token_ms=300)).corosync_conf)
    assert conf["token"] == ["300"] and conf["consensus"] == ["360"]
    assert conf["knet_ping_interval"] == ["200"] and conf["knet_ping_timeout"] == ["1000"]


def test_no_secret_in_any_text(howto: ClusterConfig) -> None:
    migration = plan_migration(howto, nothing)
    texts = [migration.corosync_conf, migration.cib_xml, migration.pcs_sh, migration.crm_txt]
    texts += [migration.readme, *migration.wrappers.values()]
    assert not any("PutYourSuperSecretKeyHere" in text for text in texts)


def test_pcs_script(rich: ClusterConfig, hosts: Resolver) -> None:
    script = plan_migration(rich, hosts).pcs_sh
    lines = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "set -e"
    assert lines[1].startswith("pcs cluster cib ")
    assert lines[-2].startswith("pcs cluster cib-push ")
    creates = [shlex.split(line) for line in lines if " resource create " in line]
    assert len(creates) == 8
    first = creates[0]
    assert first[first.index("create") + 2] == "ocf:heartbeat:IPaddr2"
    assert "nic=eth1" in first and "broadcast=10.0.0.255" in first
    assert first[first.index("--group") + 1].startswith("grp-")
    assert "monitor" in first and "interval=10s" in first
    mail = creates[-1]
    assert "email=root@example.com" in mail and "subject=failover" in mail
    assert "property set stonith-enabled=false" in script
    assert "resource defaults update resource-stickiness=200" in script
    assert re.search(r"constraint location grp-\S+ prefers alpha=100", script)
    assert re.search(r"constraint location grp-\S+ prefers beta=100", script)


def test_crm_text(rich: ClusterConfig, hosts: Resolver) -> None:
    text = plan_migration(rich, hosts).crm_txt
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body[0] == (
        "property cib-bootstrap-options: stonith-enabled=false no-quorum-policy=ignore "
        "dc-deadtime=20s"
    )
    assert body[1] == "rsc_defaults rsc-options: resource-stickiness=200"
    joined = "\n".join(body)
    assert "primitive IPaddr-10.0.0.100-24-eth1-10.0.0.255 ocf:heartbeat:IPaddr2 \\" in joined
    assert "primitive mysvc lsb:mysvc \\" in joined
    groups = [line.split() for line in body if line.startswith("group ")]
    assert [len(g) - 2 for g in groups] == [6, 2]
    locations = [line for line in body if line.startswith("location ")]
    assert [line.split()[-1] for line in locations] == ["alpha", "beta"]
    assert all(line.split()[-2] == "100:" for line in locations)


def test_crm_values_are_quoted_when_needed() -> None:
    assert crm_value("192.168.10.10") == "192.168.10.10"
    assert crm_value("a b") == '"a b"'
    assert crm_value('say "hi"') == '"say \\"hi\\""'


def test_readme_says_how_and_why(howto: ClusterConfig) -> None:
    readme = plan_migration(howto, nothing).readme
    for needle in (
        "cibadmin --replace --xml-file cib.xml",
        "install -m 0400 authkey /etc/corosync/authkey",
        "IPaddr::192.168.10.10/24 -> IPaddr-192.168.10.10-24 ocf:heartbeat:IPaddr2",
        "failback.sh -> failback.sh lsb:hb-failback.sh",
        "FENCING (STONITH) IS OFF",
        "Way back:",
        "auto_failback on",
    ):
        assert needle in readme


def test_init_d_script_warning_asks_for_lsb_status(rich: ClusterConfig, hosts: Resolver) -> None:
    warnings = plan_migration(rich, hosts).warnings
    assert any("mysvc" in w and "exit 3" in w for w in warnings)
