"""The docs and the code point only at what exists: no link to a missing file, no tracker
number (an issue number means nothing to someone reading the code outside the tracker)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".git", ".venv", "node_modules", "var", "build", "dist", "__pycache__"}
LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)#\s]+)")
TRACKER = re.compile(r"\b(?:[Ii]ssues?|[Tt]ickets?|[Tt]racker)\s*#?\d+\b")


def sources(*suffixes: str) -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*")
        if p.suffix in suffixes
        and p.is_file()
        and not any(part in SKIP or part.startswith(".") for part in p.relative_to(ROOT).parts)
    ]


def broken_links(md: Path) -> list[str]:
    text = md.read_text(encoding="utf-8")
    return [t for t in LINK.findall(text) if not (md.parent / t).exists()]


def tracker_numbers(path: Path) -> list[str]:
    return TRACKER.findall(path.read_text(encoding="utf-8", errors="replace"))


def test_every_relative_link_in_the_docs_exists() -> None:
    docs = sources(".md")
    assert any(p.name == "architecture.md" for p in docs)
    broken = {str(p.relative_to(ROOT)): b for p in docs if (b := broken_links(p))}
    assert not broken


def test_no_tracker_number_in_code_or_docs() -> None:
    files = sources(".md", ".py", ".toml", ".html", ".po")
    found = {str(p.relative_to(ROOT)): t for p in files if (t := tracker_numbers(p))}
    assert not found


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("x")
    md = tmp_path / "doc.md"
    md.write_text("See [it](there.md), [gone](missing.md), [web](https://x.nl/a.md).\n")
    assert broken_links(md) == ["missing.md"]
    code = tmp_path / "m.py"
    # Spelled in pieces, so that this file does not hold what it looks for.
    first, second = "iss" + "ue 12", "Iss" + "ue #7"
    code.write_text(f"# fixes {first}, see {second}; an issued token (3 days) is fine\n")
    assert tracker_numbers(code) == [first, second]
