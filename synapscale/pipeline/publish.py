"""Publish: copy the tested build database to the serve file atomically.

Readers (dashboard, analysts) only ever open the serve file; the pipeline only ever writes the build file.
Publishing copies the checkpointed build file to a temporary name beside the serve file, stamps the copy
(meta.publication, and the caller's `finalize`, e.g. run history saying 'published'), fsyncs it and renames it
into place, so a reader sees either the previous complete database or the new one, never a half-written file.
A run killed mid-publish leaves at most a temporary file, which the next publish removes.

The copy is compact: a build file keeps the blocks its rebuilt and sliced tables freed (DuckDB reuses them but
never shrinks the file), so once more than COMPACT_ABOVE of it is free the copy is written table by table
(COPY FROM DATABASE: schemas, tables, views, comments, constraints) instead of byte for byte, and the serve
file does not grow from one incremental run to the next. A file with little free space is copied as it is,
which is faster.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from synapscale.errors import StepFailed
from synapscale.pipeline.diagnose import with_advice

Progress = Callable[[str], None]
COMPACT_ABOVE = 0.2  # share of free blocks in the build file above which the copy is written compacted


@dataclass(frozen=True)
class Publication:
    version: int
    published_at: datetime
    run_id: str | None


def temporary_files(serve_db: Path) -> list[Path]:
    """Copies a publish left behind (it died before its rename); only ever removed under the run lock."""
    return sorted(serve_db.parent.glob(f".{serve_db.name}.*.tmp"))


def publish(
    build_db: Path,
    serve_db: Path,
    *,
    progress: Progress = print,
    publication: Publication | None = None,
    finalize: Callable[[Path], None] | None = None,
    before_rename: Callable[[Path], None] | None = None,
) -> Path:
    """Copy the tested build database to serve_db atomically (write a new file, then rename it into place).

    `finalize` gets the stamped, checkpointed copy's path to change it further (and checkpoint it);
    `before_rename` gets the finished copy's path just before the rename (the fault tests stop there)."""
    if not build_db.exists():
        raise StepFailed("publish", f"no build database at {build_db}; run `synapscale run` first")
    for stale in temporary_files(serve_db):
        stale.unlink(missing_ok=True)
    publication = publication or Publication(version=0, published_at=datetime.now(UTC), run_id=None)
    temporary = serve_db.with_name(f".{serve_db.name}.{os.getpid()}.tmp")
    try:
        # Fold any write-ahead log into the main file so a plain copy of it is complete.
        with duckdb.connect(str(build_db)) as con:
            con.execute("checkpoint")
            free, total = con.execute("select free_blocks, total_blocks from pragma_database_size()").fetchall()[0]
        if total and free / total > COMPACT_ABOVE:
            progress(f"  build file {free / total:.0%} free space: writing a compacted copy")
            _compact_copy(build_db, temporary)
        else:
            shutil.copyfile(build_db, temporary)
        with duckdb.connect(str(temporary)) as con:
            _stamp(con, publication)
            con.execute("checkpoint")
        if finalize is not None:
            finalize(temporary)
        fsync(temporary)
        if before_rename is not None:
            before_rename(temporary)
        os.replace(temporary, serve_db)
        fsync(serve_db.parent)  # the rename itself survives a power cut
    except Exception as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, StepFailed):
            raise
        detail = with_advice(f"{error}", serve_db.parent)
        raise StepFailed("publish", f"{detail}; the previous serve file is unchanged") from error
    progress(f"published {serve_db} ({serve_db.stat().st_size / 1e6:.1f} MB, version {publication.version})")
    return serve_db


def _compact_copy(build_db: Path, temporary: Path) -> None:
    with duckdb.connect() as con:
        con.execute("attach ? as build_file (read_only)", [str(build_db)])
        con.execute("attach ? as compacted", [str(temporary)])
        con.execute("copy from database build_file to compacted")


def _stamp(con: duckdb.DuckDBPyConnection, publication: Publication) -> None:
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.publication as select ?::timestamptz as published_at, "
        "(select count(*) from core.usage_logs) as usage_log_rows, ?::integer as published_version, "
        "?::varchar as run_id",
        [publication.published_at, publication.version, publication.run_id],
    )
    con.execute(
        "comment on table meta.publication is 'When this serve file was published, by which run, its "
        "publication counter (ops.run_history.published_version) and its core.usage_logs row count.'"
    )


def fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
