"""One ``.tar.gz`` with a README inside: every node's items, scrubbed of every key.

Layout: ``hbtui-report-<stamp>/README.txt`` and ``hbtui-report-<stamp>/<node>/<item>``. Each
item is scrubbed of every node's key strings before it is written (authkeys itself is only
ever stored redacted), and the README lists what is there and what could not be collected.
"""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from hbtui.report.redact import scrub


def readme(
    stamp: str,
    window: str,
    nodes: Mapping[str, Sequence[tuple[str, str]]],
    missing: Sequence[str],
    captures: Sequence[str] = (),
) -> str:
    """The bundle's README.txt."""
    lines = [
        f"hbtui support bundle made {stamp} (UTC)",
        f"log window: {window}",
        "",
        "No key is in this bundle: authkeys.redacted shows each key as the first 12 hex",
        "digits of its sha256 (equal digests: the nodes share that key), and every file",
        "was scrubbed of the key strings.",
        "",
    ]
    for node, items in nodes.items():
        lines.append(f"{node}/:")
        lines += [f"  {name}" for name, _ in items]
    if captures:
        lines += ["", "captures (pcap, udp only):", *(f"  {name}" for name in captures)]
    if missing:
        lines += ["", "not collected:", *(f"  {why}" for why in missing)]
    return "\n".join(lines) + "\n"


def write_bundle(
    out: Path,
    nodes: Mapping[str, Sequence[tuple[str, str]]],
    secrets: set[str],
    window: str,
    missing: Sequence[str] = (),
    binaries: Mapping[str, bytes] | None = None,
) -> Path:
    """Write the tar.gz at ``out`` (mode 0600) and return it."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    top = f"hbtui-report-{stamp}"
    members = [("README.txt", readme(stamp, window, nodes, missing, list(binaries or {})))]
    members += [(f"{node}/{name}", text) for node, items in nodes.items() for name, text in items]
    files = [(name, scrub(text, secrets).encode("utf-8", "replace")) for name, text in members]
    files += list((binaries or {}).items())  # captures: signatures, never a key
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in files:
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    out.chmod(0o600)
    return out
