"""raw.load_manifest: one row per landing file loaded; its content hash makes re-delivered files no-ops."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.contract import RAW_SCHEMA


@dataclass(frozen=True)
class Digest:
    """A file's content hash, its newline count and its size, all from one read of its bytes."""

    content_hash: str
    newlines: int
    size: int


def digest(path: Path) -> Digest:
    """sha256 of the file's bytes (as stored, so a .gz and its plain twin are different files), the number of
    newline bytes in them (the JSONL reader needs the line count) and how many bytes were read, in one read.
    hashlib and bytes.count release the GIL on these 4 MB blocks, so it can run in a thread beside DuckDB."""
    hasher = hashlib.sha256()
    newlines = size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            hasher.update(block)
            newlines += block.count(b"\n")
            size += len(block)
    return Digest("sha256:" + hasher.hexdigest(), newlines, size)


def size_may_match(con: duckdb.DuckDBPyConnection, size: int) -> bool:
    """False only when no loaded file can have the same content as a file of `size` bytes: no manifest row has
    that size and none lacks a size (rows written before file_size was recorded). Then the hash cannot find a
    match, so it need not come before the file is read."""
    return con.execute(
        f"select exists (select 1 from {RAW_SCHEMA}.load_manifest where file_size = ? or file_size is null)",
        [size],
    ).fetchall()[0][0]


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
    file_size: int
    storage: str = "table"


def record(con: duckdb.DuckDBPyConnection, row: ManifestRow) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_manifest (load_id, source_file, content_hash, record_type, adapter, "
        "records_read, records_loaded, duplicates_skipped, records_quarantined, started_at, finished_at, file_size, "
        "storage) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            row.file_size,
            row.storage,
        ],
    ).fetchall()
