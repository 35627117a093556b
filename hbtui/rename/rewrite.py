"""Text rewrites for a node rename: ha.cf ``node``/``ucast`` lines, haresources, /etc/hosts.

Only whole tokens equal to the old name (case-insensitive, as Heartbeat compares names)
are replaced; comments, spacing and every other line are kept byte for byte.
"""

from __future__ import annotations

import re

_HOSTNAME = re.compile(r"^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_TOKEN = re.compile(r"\S+")


def hostname_problem(name: str) -> str | None:
    """Why ``name`` cannot be a node name (one DNS label, lower case), or None."""
    if not _HOSTNAME.match(name):
        return (
            f"{name!r} is not a valid node name: use 1-63 lower-case letters, digits and "
            "hyphens, not starting or ending with a hyphen"
        )
    return None


def _replace_tokens(line: str, old: str, new: str, start_token: int) -> str:
    """Replace whole tokens equal to ``old`` from token ``start_token`` on, before a comment."""
    body, hash_, comment = line.partition("#")
    pieces: list[str] = []
    last = 0
    for index, match in enumerate(_TOKEN.finditer(body)):
        if index >= start_token and match.group().lower() == old.lower():
            pieces.append(body[last : match.start()])
            pieces.append(new)
            last = match.end()
    pieces.append(body[last:])
    return "".join(pieces) + hash_ + comment


def _first_word(line: str) -> str:
    words = line.split("#", 1)[0].split()
    return words[0].lower() if words else ""


def rename_in_ha_cf(text: str, old: str, new: str) -> str:
    """``node`` lines (and ``ucast DEV host`` lines that name the host) use ``new``."""
    out = []
    for line in text.splitlines(keepends=True):
        word = _first_word(line)
        if word == "node":
            line = _replace_tokens(line, old, new, 1)
        elif word == "ucast":
            line = _replace_tokens(line, old, new, 2)
        out.append(line)
    return "".join(out)


def rename_in_haresources(text: str, old: str, new: str) -> str:
    """Groups whose preferred node is ``old`` now name ``new`` (continuations untouched)."""
    out = []
    continued = False
    for line in text.splitlines(keepends=True):
        if not continued and _first_word(line) == old.lower():
            line = _replace_first(line, old, new)
        continued = line.rstrip("\r\n").endswith("\\")
        out.append(line)
    return "".join(out)


def _replace_first(line: str, old: str, new: str) -> str:
    """Replace only the first token (the group's node) if it is still ``old``."""
    match = _TOKEN.search(line)
    if match and match.group().lower() == old.lower():
        return line[: match.start()] + new + line[match.end() :]
    return line


def rename_in_hosts(text: str, old: str, new: str) -> str:
    """/etc/hosts: the old name (and ``old.domain`` forms) as host names become ``new``."""
    out = []
    for line in text.splitlines(keepends=True):
        body, hash_, comment = line.partition("#")
        pieces: list[str] = []
        last = 0
        for index, match in enumerate(_TOKEN.finditer(body)):
            token = match.group()
            head, dot, tail = token.partition(".")
            if index >= 1 and head.lower() == old.lower():
                pieces.append(body[last : match.start()])
                pieces.append(new + dot + tail)
                last = match.end()
        pieces.append(body[last:])
        out.append("".join(pieces) + hash_ + comment)
    return "".join(out)
