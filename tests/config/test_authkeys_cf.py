"""authkeys: methods, indexes, keys and the mode Heartbeat insists on."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.authkeys import parse_authkeys
from hbtui.config.lines import ConfigFile
from hbtui.config.model import AuthKeys, AuthMethod
from hbtui.config.problems import Problem, Severity

PATH = Path("/etc/ha.d/authkeys")


def parse(text: str, mode: int = 0o600) -> tuple[AuthKeys | None, list[Problem]]:
    return parse_authkeys(ConfigFile(PATH, text, mode))


def where(problems: list[Problem]) -> list[tuple[Severity, int | None]]:
    return [(p.severity, p.line) for p in problems]


def test_howto_keys() -> None:
    keys, problems = parse("auth 1\n1 sha1 PutYourSuperSecretKeyHere\n")
    assert problems == []
    assert keys is not None
    assert keys.active == 1
    assert keys.active_key.method is AuthMethod.SHA1
    assert keys.active_key.key == b"PutYourSuperSecretKeyHere"


def test_several_keys_comments_and_methods() -> None:
    text = "# keys\nauth 3\n1 sha1 one\n2 md5 two # comment\n3 crc\n"
    keys, problems = parse(text)
    assert problems == []
    assert keys is not None
    assert {i: (k.method, k.key) for i, k in keys.keys.items()} == {
        1: (AuthMethod.SHA1, b"one"),
        2: (AuthMethod.MD5, b"two"),
        3: (AuthMethod.CRC, b""),
    }
    assert keys.active_key.method is AuthMethod.CRC


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606, 0o744])
def test_mode_readable_by_others_is_refused(mode: int) -> None:
    keys, problems = parse("auth 1\n1 sha1 k\n", mode)
    assert keys is not None  # still read, so every other problem is reported too
    (problem,) = problems
    assert problem.severity is Severity.ERROR
    assert problem.path == PATH
    assert problem.message.startswith(f"Bad permissions on keyfile [{PATH}], 600 recommended.")
    assert f"{mode:04o}" in problem.message


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_private_modes_are_accepted(mode: int) -> None:
    assert parse("auth 1\n1 sha1 k\n", mode)[1] == []


@pytest.mark.parametrize("mode", [0o610, 0o601, 0o620, 0o602])
def test_write_or_execute_bits_only_warn(mode: int) -> None:
    # the real 3.0.6 daemon starts with these modes (it checks the read bits only)
    (problem,) = parse("auth 1\n1 sha1 k\n", mode)[1]
    assert problem.severity is Severity.WARNING
    assert f"{mode:04o}" in problem.message


def test_missing_auth_directive() -> None:
    keys, problems = parse("1 sha1 k\n")
    assert keys is None
    assert where(problems) == [(Severity.ERROR, None)]
    assert problems[0].message == f"Missing auth directive in keyfile [{PATH}]"


def test_auth_key_not_found_names_the_auth_line() -> None:
    keys, problems = parse("\nauth 2\n1 sha1 k\n")
    assert keys is None
    assert where(problems) == [(Severity.ERROR, 2)]
    assert problems[0].message == f"Auth Key [2] not found in keyfile [{PATH}]"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("1 sha1", "Auth method [sha1] requires a key"),
        ("1 md5", "Auth method [md5] requires a key"),
        ("1 crc secret", "Auth method [crc] doesn't use a key"),
        ("1 sha256 k", "Invalid authtype [sha256]"),
        ("16 sha1 k", "Invalid authnum [16]"),
        ("x sha1 k", "Invalid authnum [x]"),
        ("1", "Auth line [1] is invalid"),
    ],
)
def test_bad_key_lines(line: str, words: str) -> None:
    _, problems = parse(f"auth 0\n0 crc\n{line}\n")
    assert where(problems) == [(Severity.ERROR, 3)]
    assert problems[0].message.startswith(words)


@pytest.mark.parametrize("line", ["auth", "auth 16", "auth one", "auth #1"])
def test_bad_auth_lines(line: str) -> None:
    _, problems = parse(f"0 crc\n{line}\n")
    assert (Severity.ERROR, 2) in where(problems)


def test_key_indexes_0_and_15() -> None:
    keys, problems = parse("auth 15\n0 crc\n15 md5 k\n")
    assert problems == []
    assert keys is not None
    assert sorted(keys.keys) == [0, 15]


def test_duplicates_warn() -> None:
    keys, problems = parse("auth 1\nauth 1\n1 sha1 a\n1 sha1 b\n")
    assert where(problems) == [(Severity.WARNING, 2), (Severity.WARNING, 4)]
    assert keys is not None
    assert keys.active_key.key == b"b"


def test_key_is_the_first_word_and_hash_is_part_of_it() -> None:
    # recorded by hand with the real 3.0.6 daemon: its packets verify with HMAC key b"two" for
    # "1 sha1 two words", and with b"abc#def" for "1 sha1 abc#def"
    keys, problems = parse("auth 1 # outbound\n1 sha1 two words\n2 sha1 abc#def\n")
    assert keys is not None
    assert (keys.keys[1].key, keys.keys[2].key) == (b"two", b"abc#def")
    assert where(problems) == [(Severity.WARNING, 2)]
    keys, problems = parse("  # indented comment\nauth 1 two\n1 sha1 k # comment\n")
    assert keys is not None
    assert keys.active_key.key == b"k"
    assert where(problems) == [(Severity.WARNING, 2)]


def test_key_bytes_are_kept_exactly() -> None:
    keys, problems = parse("auth 1\n1 sha1 k\xe9y\udcff\n")
    assert problems == []
    assert keys is not None
    assert keys.active_key.key == "k\xe9y".encode() + b"\xff"
