"""Reading configuration files into numbered, tokenised lines, without ever raising."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from hbtui.config.problems import Problem, Severity

MAX_FILE_BYTES = 1 << 20  # a Heartbeat config file is a few hundred bytes; refuse megabytes


@dataclass(frozen=True, slots=True)
class ConfigLine:
    """One logical line: where it starts and its whitespace-separated tokens."""

    number: int
    tokens: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A configuration file's text plus the mode bits it had when read."""

    path: Path
    text: str
    mode: int


def shown(text: str) -> str:
    """Text safe to print in a message: control bytes and undecodable bytes escaped."""
    raw = text.encode("utf-8", "surrogateescape")
    out = raw.decode("utf-8", "backslashreplace")
    if out.isprintable():
        return out
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in out)


def read_config_file(path: Path) -> tuple[ConfigFile | None, Problem | None]:
    """The file's text (undecodable bytes kept as surrogates) or one problem naming it."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(Severity.ERROR, "not a regular file", path)
        if info.st_size > MAX_FILE_BYTES:
            return None, Problem(Severity.ERROR, f"file too large ({info.st_size} bytes)", path)
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, Problem(Severity.ERROR, "file not found", path)
    except PermissionError:
        return None, Problem(Severity.ERROR, "cannot read file: permission denied", path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, Problem(Severity.ERROR, f"cannot read file: {reason}", path)
    text = data.decode("utf-8", "surrogateescape")
    return ConfigFile(path, text, stat.S_IMODE(info.st_mode)), None


def split_lines(text: str, *, continuation: bool, inline_comments: bool = True) -> list[ConfigLine]:
    """Non-blank lines with ``#`` comments removed; ``\\`` at the end joins the next line.

    With ``inline_comments=False`` only a line whose first non-blank character is ``#`` is a
    comment (authkeys: Heartbeat keeps a ``#`` inside a key).
    """
    result: list[ConfigLine] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        body = raw.rstrip("\r")
        if inline_comments:
            body = body.split("#", 1)[0]
        elif body.lstrip().startswith("#"):
            body = ""
        if not pending:
            start = number
        stripped = body.rstrip()
        if continuation and stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(body)
        joined = " ".join(pending)
        pending = []
        tokens = tuple(joined.split())
        if tokens:
            result.append(ConfigLine(start, tokens, joined.strip()))
    if pending:
        tokens = tuple(" ".join(pending).split())
        if tokens:
            result.append(ConfigLine(start, tokens, " ".join(pending).strip()))
    return result


def has_nul(line: ConfigLine) -> bool:
    """Whether the line holds a NUL byte, which Heartbeat's C parser would cut at."""
    return "\x00" in line.text
