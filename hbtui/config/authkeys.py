"""authkeys: the shared secret that signs every Heartbeat message."""

from __future__ import annotations

import stat
from pathlib import Path

from hbtui.config.lines import ConfigFile, ConfigLine, has_nul, shown, split_lines
from hbtui.config.model import AuthKey, AuthKeys, AuthMethod
from hbtui.config.problems import Problem, Severity

MAX_INDEX = 15
_KEYED = frozenset({AuthMethod.SHA1, AuthMethod.MD5})


def _index(text: str) -> int | None:
    """An auth index 0..15, or None."""
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return None
    value = int(text)
    return value if value <= MAX_INDEX else None


def mode_problem(path: Path, mode: int) -> Problem | None:
    """Heartbeat 3.0.6 refuses a key file group or others can read; other such bits are warned."""
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return Problem(
            Severity.ERROR,
            f"Bad permissions on keyfile [{path}], 600 recommended. "
            f"(mode is {mode:04o}; run: chmod 600 {path})",
            path,
        )
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return Problem(
            Severity.WARNING,
            f"keyfile [{path}] has mode {mode:04o}: Heartbeat accepts it, but group or others "
            f"may change the key; 600 recommended (chmod 600 {path})",
            path,
        )
    return None


def _key_line(
    line: ConfigLine, path: Path, keys: dict[int, AuthKey], lines: dict[int, int]
) -> list[Problem]:
    def error(message: str) -> list[Problem]:
        return [Problem(Severity.ERROR, message, path, line.number)]

    index = _index(line.tokens[0])
    if index is None:
        return error(f"Invalid authnum [{shown(line.tokens[0])}]: use 0 to {MAX_INDEX}")
    if len(line.tokens) < 2:
        return error(f"Auth line [{shown(line.text)}] is invalid: expected N METHOD [KEY]")
    method_text = line.tokens[1].lower()
    try:
        method = AuthMethod(method_text)
    except ValueError:
        return error(f"Invalid authtype [{shown(line.tokens[1])}]: use sha1, md5 or crc")
    # Heartbeat 3.0.6 takes the third word as the key ("#" included) and ignores the rest
    key_text = line.tokens[2] if len(line.tokens) > 2 else ""
    if method in _KEYED and not key_text:
        return error(f"Auth method [{method}] requires a key")
    if method is AuthMethod.CRC and key_text:
        return error(f"Auth method [{method}] doesn't use a key")
    found: list[Problem] = []
    if index in keys:
        found.append(
            Problem(
                Severity.WARNING,
                f"key {index} defined again (first at line {lines[index]}); this one wins",
                path,
                line.number,
            )
        )
    if len(line.tokens) > 3 and not line.tokens[3].startswith("#"):
        found.append(
            Problem(
                Severity.WARNING,
                f"key {index}: Heartbeat uses only the first word as the key; "
                "the words after it are ignored",
                path,
                line.number,
            )
        )
    keys[index] = AuthKey(index, method, key_text.encode("utf-8", "surrogateescape"))
    lines[index] = line.number
    return found


def parse_authkeys(source: ConfigFile) -> tuple[AuthKeys | None, list[Problem]]:
    """The keys and the outbound index, or None when no usable key is selected."""
    path = source.path
    problems: list[Problem] = []
    bad_mode = mode_problem(path, source.mode)
    if bad_mode is not None:
        problems.append(bad_mode)
    keys: dict[int, AuthKey] = {}
    key_lines: dict[int, int] = {}
    active: int | None = None
    active_line = 0
    for line in split_lines(source.text, continuation=False, inline_comments=False):
        if has_nul(line):
            problems.append(Problem(Severity.ERROR, "line contains a NUL byte", path, line.number))
        elif line.tokens[0].lower() == "auth":
            index = _index(line.tokens[1]) if len(line.tokens) > 1 else None
            if index is None:
                problems.append(
                    Problem(
                        Severity.ERROR,
                        f"Auth line [{shown(line.text)}] is invalid: expected auth N, "
                        f"N from 0 to {MAX_INDEX}",
                        path,
                        line.number,
                    )
                )
                continue
            if len(line.tokens) > 2 and not line.tokens[2].startswith("#"):
                problems.append(
                    Problem(
                        Severity.WARNING,
                        "words after 'auth N' are ignored",
                        path,
                        line.number,
                    )
                )
            if active is not None:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        f"auth set again (first at line {active_line}); this one wins",
                        path,
                        line.number,
                    )
                )
            active, active_line = index, line.number
        else:
            problems.extend(_key_line(line, path, keys, key_lines))
    if active is None:
        problems.append(
            Problem(Severity.ERROR, f"Missing auth directive in keyfile [{path}]", path)
        )
        return None, problems
    if active not in keys:
        problems.append(
            Problem(
                Severity.ERROR,
                f"Auth Key [{active}] not found in keyfile [{path}]",
                path,
                active_line,
            )
        )
        return None, problems
    return AuthKeys(path, active, keys), problems
