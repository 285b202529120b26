"""raw.load_manifest: one row per landing file loaded; its content hash makes re-delivered files no-ops."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.contract import RAW_SCHEMA


def content_hash_and_newlines(path: Path) -> tuple[str, int]:
    """sha256 of the file's bytes (as stored, so a .gz and its plain twin are different files) and the number
    of
    newline bytes in them, in one read (the JSONL reader needs the line count)."""
    digest = hashlib.sha256()
    newlines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
            newlines += block.count(b"\n")
    return "sha256:" + digest.hexdigest(), newlines


def content_hash(path: Path) -> str:
    """sha256 of the file's bytes, as recorded in raw.load_manifest."""
    return content_hash_and_newlines(path)[0]


def already_loaded(con: duckdb.DuckDBPyConnection, digest: str) -> str | None:
    """The load_id that already brought a file with this content, if any."""
    rows = con.execute(
        f"select load_id from {RAW_SCHEMA}.load_manifest where content_hash = ? order by finished_at limit 1",
        [digest],
    ).fetchall()
    return rows[0][0] if rows else None


@dataclass(frozen=True)
class ManifestRow:
    load_id: str
    source_file: str
    content_hash: str
    record_type: str
    adapter: str
    records_read: int
    records_loaded: int
    duplicates_skipped: int
    records_quarantined: int
    started_at: datetime
    finished_at: datetime


def record(con: duckdb.DuckDBPyConnection, row: ManifestRow) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            row.load_id,
            row.source_file,
            row.content_hash,
            row.record_type,
            row.adapter,
            row.records_read,
            row.records_loaded,
            row.duplicates_skipped,
            row.records_quarantined,
            row.started_at,
            row.finished_at,
        ],
    ).fetchall()
