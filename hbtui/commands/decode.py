"""``hbtui decode``: what is on the wire, one line per Heartbeat message.

INPUT is a pcap/pcapng capture (read by ``hbtui.wire.pcap``) or a raw datagram file
(``.bin``: one UDP payload). Each message is printed with its time, addresses, type,
main fields, and the verdict on its signatures with the keys of ``--authkeys``: ``ok``,
``bad signature``, ``no key`` (index not configured, or no key file given) or
``missing``. A netstring datagram shows both, the trailer receivers check and the legacy
``auth`` field (absent under ``msgfmt netstring``); a classic text datagram is marked
``classic`` and has only its ``auth`` field, which receivers check (docs/protocol.md §2).
A compressed datagram (§2.4) is shown expanded and marked ``compressed=<algorithm>``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hbtui.cli_common import add_common_options
from hbtui.config.authkeys import parse_authkeys
from hbtui.config.lines import read_config_file
from hbtui.config.model import AuthKeys
from hbtui.config.problems import Severity
from hbtui.wire import classic, compress, packet
from hbtui.wire.errors import WireError
from hbtui.wire.message import Message
from hbtui.wire.packet import SignatureCheck
from hbtui.wire.pcap import PcapError, read_datagrams

DEFAULT_PORT = 694
# Fields worth a glance, in display order; the rest is in --json.
MAIN_FIELDS = (
    "src", "dest", "st", "dt", "seq", "hg", "ackseq", "firstseq", "lastseq", "rsc_hold",
    "rtype", "isstable", "info", "node", "result", "ipaddr", "weown", "ok", "nodelist",
    "delnodelist",
)  # fmt: skip
_HEARTBEAT_HEADS = (b"###\n", b">>>\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui decode``."""
    add_common_options(parser)
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="pcap/pcapng or raw .bin")
    parser.add_argument("--authkeys", type=Path, help="authkeys file to check signatures with")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"UDP port of heartbeat traffic in captures (default {DEFAULT_PORT}); "
        "datagrams that start like a Heartbeat message are shown on any port",
    )


def load_keys(path: Path) -> AuthKeys:
    """Keys for checking only: a lax file mode is fine here, other errors are not."""
    source, problem = read_config_file(path)
    if source is None:
        raise SystemExit(f"hbtui decode: {path}: {problem.message if problem else 'unreadable'}")
    keys, problems = parse_authkeys(source)
    fatal = [p for p in problems if p.severity is Severity.ERROR and "permissions" not in p.message]
    if keys is None or fatal:
        text = "; ".join(p.message for p in fatal or problems)
        raise SystemExit(f"hbtui decode: {path}: {text}")
    return keys


def _records(path: Path, port: int) -> Iterator[dict[str, Any]]:
    """Datagrams of one input as dicts with time/src/dst/file and the payload."""
    data = path.read_bytes()
    try:
        datagrams = list(read_datagrams(data))
    except PcapError:
        yield {"time": None, "src": None, "dst": None, "file": str(path), "payload": data}
        return
    for d in datagrams:
        if port in (d.src[1], d.dst[1]) or d.payload.startswith(_HEARTBEAT_HEADS):
            yield {
                "time": d.time,
                "src": f"{d.src[0]}:{d.src[1]}",
                "dst": f"{d.dst[0]}:{d.dst[1]}",
                "file": str(path),
                "payload": d.payload,
            }


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


def _value(msg: Message, name: str) -> str:
    raw = msg.get_bytes(name) or b""
    shown = _text(raw)
    if raw and shown.isprintable() and " " not in shown:
        return shown
    return repr(shown)


def describe(payload: bytes, keys: AuthKeys | None) -> dict[str, Any]:
    """Decode one payload: type, fields, both signature verdicts, or the error."""
    out: dict[str, Any] = {"length": len(payload)}
    try:
        msg = packet.split(payload)[0]
    except WireError as exc:
        out["error"] = exc.reason
        return out
    if payload.startswith(classic.HEAD):
        out["format"] = "classic"
        out["trailer"] = SignatureCheck.MISSING.value  # the form has none: auth is checked
    else:
        out["format"] = "netstring"
        out["trailer"] = packet.trailer_check(payload, keys).value
    if compress.is_compressed(msg):
        out["compressed"] = msg.get(compress.ALGORITHM_FIELD)
        try:
            msg = packet.expanded(msg)
        except packet.PacketRejected as exc:
            out["error"] = exc.detail
            return out
    out["auth"] = packet.auth_field_check(msg, keys).value
    out["type"] = msg.type
    out["message"] = msg
    return out


def _json_fields(msg: Message) -> list[dict[str, Any]]:
    fields = []
    for f in msg:
        if isinstance(f.value, Message):
            value: Any = _json_fields(f.value)
        elif f.type == 0:
            value = _text(f.value)
        else:
            value = f.value.hex()
        fields.append({"name": f.name, "type": int(f.type), "value": value})
    return fields


def _line(record: dict[str, Any], info: dict[str, Any]) -> str:
    if record["time"] is None:
        where = f"- {record['file']}"
    else:
        when = datetime.fromtimestamp(record["time"], UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        where = f"{when} {record['src']} -> {record['dst']}"
    if "error" in info:
        return f"{where} undecodable ({info['length']} bytes): {info['error']}"
    msg: Message = info["message"]
    parts = [where, msg.type or "?"]
    parts += [f"{name}={_value(msg, name)}" for name in MAIN_FIELDS if name in msg]
    if "compressed" in info:
        parts.append(f"compressed={_text((info['compressed'] or '?').encode())}")
    if info["format"] == "classic":
        parts.append("classic")
    else:
        parts.append(_verdict("trailer", info["trailer"]))
    parts.append(_verdict("auth", info["auth"]))
    return " ".join(parts)


def _verdict(label: str, value: str) -> str:
    return f"{label}: {value}" if " " in value else f"{label}={value}"


def run(args: argparse.Namespace) -> int:
    """Print every Heartbeat datagram of every input."""
    if not args.inputs:
        print("hbtui decode: give at least one INPUT (pcap, pcapng or .bin)", file=sys.stderr)
        return 2
    try:
        return _print_all(args)
    except BrokenPipeError:  # `hbtui decode ... | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        return 0


def _print_all(args: argparse.Namespace) -> int:
    keys = load_keys(args.authkeys) if args.authkeys else None
    status = 0
    for name in args.inputs:
        path = Path(name)
        try:
            records = list(_records(path, args.port))
        except OSError as exc:
            print(f"hbtui decode: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        for record in records:
            info = describe(record.pop("payload"), keys)
            if args.json:
                msg = info.pop("message", None)
                if msg is not None:
                    info["fields"] = _json_fields(msg)
                print(json.dumps({**record, **info}))
            else:
                print(_line(record, info))
    return status
