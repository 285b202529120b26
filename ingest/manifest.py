"""raw.load_manifest: one row per landing file loaded; its content hash makes re-delivered files no-ops, and its
path, size and modification time let a file already loaded be skipped without being read (`KnownFiles`)."""

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


# A file modified this close to (or after) its load may still be changing within one tick of the file system's
# clock, so its (size, mtime) would not prove its content: its mtime is not recorded and the next run hashes it
# (the "racy" case git's index knows too).
QUIESCENT_SECONDS = 2.0


@dataclass(frozen=True)
class Stat:
    """A landing file's path as given, size and modification time, from one stat()."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stat:
        info = path.stat()
        return cls(str(path), info.st_size, info.st_mtime_ns)

    def quiescent_mtime(self, loaded_at_ns: int) -> int | None:
        """The mtime to record for a load at `loaded_at_ns`: None when the file was modified too recently."""
        return self.mtime_ns if self.mtime_ns < loaded_at_ns - QUIESCENT_SECONDS * 1e9 else None


class KnownFiles:
    """(path, size, mtime) of every loaded file whose mtime was recorded, read once per ingest: a landing file
    with the same three was loaded from that path with that content (files are not rewritten in place keeping
    size and mtime), so it is skipped without being read or hashed."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute(
            f"select source_file, file_size, file_mtime_ns, load_id from {RAW_SCHEMA}.load_manifest "
            "where file_mtime_ns is not null and file_size is not null order by finished_at desc"
        ).fetchall()
        self._loads = {(path, size, mtime): load_id for path, size, mtime, load_id in rows}

    def load_id(self, stat: Stat) -> str | None:
        return self._loads.get((stat.path, stat.size, stat.mtime_ns))

    def add(self, stat: Stat, mtime_ns: int | None, load_id: str) -> None:
        if mtime_ns is not None:
            self._loads[(stat.path, stat.size, mtime_ns)] = load_id


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
    file_mtime_ns: int | None = None


def record(con: duckdb.DuckDBPyConnection, row: ManifestRow) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_manifest (load_id, source_file, content_hash, record_type, adapter, "
        "records_read, records_loaded, duplicates_skipped, records_quarantined, started_at, finished_at, file_size, "
        "storage, file_mtime_ns) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            row.file_mtime_ns,
        ],
    ).fetchall()
