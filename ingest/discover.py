"""Which files of the landing paths are ingested."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest import readers


def landing_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every supported file under named folders (recursive, hidden ones
    skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and readers.file_format(p) is not None
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found
