"""What the bundle holds from one node, gathered through a ``CommandRunner`` (this machine
with ``LocalRunner``, a peer with its SSH ``PeerLink``): plain commands, no agent needed on
the peer beyond a shell's usual tools.

Each item is (name in the bundle, text). A command that fails leaves a ``.error`` item saying
why instead of stopping the collection: an incident is when things are broken.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from hbtui.remote.runner import CommandRunner
from hbtui.remote.ssh import LinkError
from hbtui.report.redact import key_texts, redact_authkeys

ETC_HA_D = PurePosixPath("/etc/ha.d")
STATE_DIR = PurePosixPath("/var/lib/heartbeat")
LOG_LINES = 20_000  # per log file: the window's lines are picked from these
CONFIG_FILES = ("ha.cf", "haresources", "hbtui.conf")


@dataclass(frozen=True, slots=True)
class Where:
    """A node's paths (``hbtui`` may run from a venv on the peer)."""

    config_dir: PurePosixPath = ETC_HA_D
    state_dir: PurePosixPath = STATE_DIR
    logs: tuple[PurePosixPath, ...] = (
        PurePosixPath("/var/log/ha-log"),
        PurePosixPath("/var/log/ha-debug"),
    )
    hbtui: tuple[str, ...] = ("hbtui",)
    control_socket: str | None = None


async def collect(runner: CommandRunner, where: Where) -> tuple[list[tuple[str, str]], set[str]]:
    """Every item of one node (see the module docstring), and the node's keys: never
    written, only used to scrub every item before the bundle is made."""
    items: list[tuple[str, str]] = []
    secrets: set[str] = set()

    async def take(name: str, argv: Sequence[str], timeout: float = 30.0) -> str | None:
        try:
            done = await runner.run(argv, timeout=timeout)
        except LinkError as exc:
            items.append((f"{name}.error", f"{shlex.join(argv)}: {exc}\n"))
            return None
        if not done.ok:
            why = done.stderr.strip() or f"exit {done.exit_status}"
            items.append((f"{name}.error", f"{shlex.join(argv)}: {why}\n"))
            return None
        return done.stdout

    for name in CONFIG_FILES:
        text = await take(f"etc/{name}", ["cat", str(where.config_dir / name)])
        if text is not None:
            items.append((f"etc/{name}", text))
    keys = await take("etc/authkeys", ["cat", str(where.config_dir / "authkeys")])
    if keys is not None:
        secrets |= key_texts(keys)
        redacted, dropped = redact_authkeys(keys)
        items.append(("etc/authkeys.redacted", redacted))
        if dropped:
            items.append(("etc/authkeys.note", f"{dropped} unparsable line(s) left out\n"))
    uuid = await take("state/hb_uuid", ["od", "-An", "-tx1", str(where.state_dir / "hb_uuid")])
    if uuid is not None:
        items.append(("state/hb_uuid.hex", "".join(uuid.split()) + "\n"))
    generation = await take("state/hb_generation", ["cat", str(where.state_dir / "hb_generation")])
    if generation is not None:
        items.append(("state/hb_generation", generation))
    for log in where.logs:
        for path in (log, log.with_name(log.name + ".1")):
            text = await take(f"log/{path.name}", ["tail", "-n", str(LOG_LINES), str(path)])
            if text is not None:
                items.append((f"log/{path.name}", text))
    status = [*where.hbtui, "status", "--json"]
    if where.control_socket:
        status += ["--control-socket", where.control_socket]
    for name, argv in (
        ("status.json", status),
        ("cl_status.txt", ["cl_status", "hbstatus"]),
        ("versions/hbtui.txt", [*where.hbtui, "--version"]),
        ("versions/heartbeat.txt", ["dpkg-query", "-W", "heartbeat"]),
        ("versions/uname.txt", ["uname", "-a"]),
        ("net/ip-addr.txt", ["ip", "addr"]),
        ("net/ip-route.txt", ["ip", "route"]),
    ):
        text = await take(name, argv)
        if text is not None:
            items.append((name, text))
    return items, secrets
