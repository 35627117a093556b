"""Config fuzz (issue 13.6): mutated /etc/ha.d files through `hbtui check` and through what
`hbtui node` does before it starts anything. Never a traceback; check and node agree (what
check accepts, the node takes, and its engine and transport set up from it; what check
refuses, the node refuses too, with an error that names the file); a refusal starts nothing.

Mutations: a line replaced by another directive's line or by junk (non-UTF-8 bytes, NUL,
huge numbers, odd units), deleted, duplicated, or a new line added, in ha.cf, haresources
or authkeys (mode 600 kept). Bounded and derandomized for CI; no root, no network (host
names are never resolved here: only addresses and the node's own transport plan).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hbtui.adapters.runtime import transport_media
from hbtui.commands.check import check_config
from hbtui.config.hbtui_conf import load_settings
from hbtui.config.loader import load_config
from hbtui.config.problems import ConfigError, Severity
from hbtui.engine.node import Identity, Node

HOWTO = Path(__file__).resolve().parents[2] / "hbtui" / "data" / "howto"
FILES = ("ha.cf", "haresources", "authkeys")
PIECES = [
    b"keepalive 2", b"deadtime 0", b"deadtime 99999999999999999999", b"warntime 1ms",
    b"initdead -5", b"udpport 70000", b"udpport 694", b"ucast eth0 192.168.10.9",
    b"ucast eth9", b"bcast eth0", b"mcast eth0 239.0.0.1 694 1 0", b"mcast eth0 1.2.3.4 694 9 2",
    b"node server1 server2", b"node", b"node server3", b"auto_failback maybe",
    b"auto_failback off", b"crm yes", b"logfacility local9", b"logfile /dev/null/x",
    b"ping 192.168.10.254", b"respawn hacluster /bin/true", b"unknown_directive 1",
    b"server1 IPaddr::192.168.10.10/24 failback.sh", b"server9 IPaddr::1.2.3.4",
    b"server1 IPaddr::not-an-ip", b"server1 nosuchscript", b"server1 IPaddr::192.168.10.10/99",
    b"auth 1", b"auth 7", b"1 sha1 key", b"1 md5", b"2 crc", b"3 sha1", b"auth x",
    b"serv\xe8r2", b"\x00\x00", b"\xff\xfe", b"# comment", b"", b" \t ", b"a" * 3000,
    b"keepalive 1e3", b"deadtime 5h", b"initdead 10s",
]  # fmt: skip

Mutation = tuple[str, str, int, bytes]  # (file, op, line index, new line)
mutations = st.lists(
    st.tuples(
        st.sampled_from(FILES),
        st.sampled_from(("replace", "delete", "duplicate", "insert")),
        st.integers(0, 30),
        st.sampled_from(PIECES) | st.binary(max_size=40),
    ),
    min_size=1,
    max_size=4,
)


def mutate(config_dir: Path, changes: list[Mutation]) -> None:
    for name, op, index, piece in changes:
        path = config_dir / name
        lines = path.read_bytes().split(b"\n")
        i = index % max(1, len(lines))
        if op == "replace":
            lines[i] = piece
        elif op == "delete" and lines:
            del lines[i]
        elif op == "duplicate" and lines:
            lines.insert(i, lines[i])
        else:
            lines.insert(i, piece)
        path.write_bytes(b"\n".join(lines))
        path.chmod(0o600 if name == "authkeys" else 0o644)


def node_takes(config_dir: Path) -> tuple[bool, list[str]]:
    """What `hbtui node` does before anything starts: (starts?, its error lines)."""
    config, problems = load_config(config_dir, "server1")
    errors = [str(p) for p in problems if p.severity is Severity.ERROR]
    if config is None:
        return False, errors
    try:
        load_settings(config_dir)
    except ConfigError as exc:
        return False, [str(p) for p in exc.problems]
    transport_media(config.ha_cf)  # the transport's plan of the media
    node = Node(config, Identity(bytes(16), 1), 0)
    node.start(0)
    node.tick(config.ha_cf.initdead_ms + 1)  # the first decisions, with nobody heard
    return True, errors


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=mutations)
def test_check_and_node_agree_on_every_mutated_config(
    tmp_path: Path, changes: list[Mutation]
) -> None:
    config_dir = tmp_path / "ha.d"
    shutil.rmtree(config_dir, ignore_errors=True)
    shutil.copytree(HOWTO, config_dir)
    (config_dir / "authkeys").chmod(0o600)
    mutate(config_dir, changes)
    out = io.StringIO()
    checked = check_config(config_dir, "server1", as_json=False, out=out)
    starts, errors = node_takes(config_dir)
    assert (checked == 0) == starts, (changes, out.getvalue(), errors)
    if not starts:
        assert errors, (changes, "refused without an error")
        assert any(str(config_dir) in line for line in errors), (changes, errors)
