"""The witness directory: every signed checkpoint, one file each, out of the database's reach.

Files are only ever created (`O_EXCL`), never rewritten, so the directory can sit on WORM
storage or on another host's mount. Whoever can write the database cannot change what is
here; `wijkhub log verify` holds the tree against every file.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".checkpoint"


@dataclass(frozen=True)
class Witnessed:
    name: str  # file name, shown in findings
    note: str


def file_name(size: int, note: str) -> str:
    # Sorted by size; the note's hash keeps two different notes of one size apart.
    return f"{size:012d}-{hashlib.sha256(note.encode()).hexdigest()[:16]}{SUFFIX}"


def write(directory: Path, size: int, note: str) -> Path:
    """Add `note`; a file that is already there (the same note) is left alone."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(size, note)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(note)
        fh.flush()
        os.fsync(fh.fileno())
    return path


def has(directory: Path, size: int, note: str) -> bool:
    return (directory / file_name(size, note)).exists()


def read_all(directory: Path) -> list[Witnessed]:
    if not directory.is_dir():
        return []
    return [
        Witnessed(p.name, p.read_text(encoding="utf-8"))
        for p in sorted(directory.glob(f"*{SUFFIX}"))
    ]
