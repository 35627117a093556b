"""The repository stands alone: nothing reaches outside the clone, every cited doc exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKED = ("hbtui", "tests", "bench", "scripts", ".ci")
# written in pieces so this file does not match itself
OUTSIDE = re.compile(
    "|".join(
        [r"\.\./" + "shared", "/" + "work/", r"shared/(vectors|spec|notes)", "STYLE" + r"\.md"]
    )
)
CITE = re.compile(r"docs/([\w-]+\.md) §(\d+(?:\.\d+)?)")


def texts() -> list[tuple[Path, str]]:
    found = []
    for top in CHECKED:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".md", ""}:
                try:
                    found.append((path, path.read_text(encoding="utf-8")))
                except UnicodeDecodeError:
                    continue
    return found


def test_nothing_refers_outside_the_repository() -> None:
    bad = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path, text in texts()
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not bad, "\n".join(bad)


def test_every_cited_doc_section_exists() -> None:
    cited = {(m.group(1), m.group(2)) for _, text in texts() for m in CITE.finditer(text)}
    assert cited, "the code cites docs/"
    for name, section in sorted(cited):
        doc = REPO / "docs" / name
        assert doc.is_file(), f"docs/{name} is cited but missing"
        heading = re.compile(rf"^#+ {re.escape(section)}[. ]", re.M)
        assert heading.search(doc.read_text()), f"docs/{name} has no section {section}"
