"""Publish: copy the tested build database to the serve file atomically.

Readers (dashboard, analysts) only ever open the serve file; the pipeline only ever writes the build file.
Publishing copies the checkpointed build file to a temporary name beside the serve file and renames it into
place, so a reader sees either the previous complete database or the new one, never a half-written file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from synapscale.errors import StepFailed

Progress = Callable[[str], None]


def publish(build_db: Path, serve_db: Path, *, progress: Progress = print) -> Path:
    """Copy the tested build database to serve_db atomically (write a new file, then rename it into place)."""
    if not build_db.exists():
        raise StepFailed("publish", f"no build database at {build_db}; run `synapscale run` first")
    # Fold any write-ahead log into the main file so a plain copy of it is complete.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    temporary = serve_db.with_name(f".{serve_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, temporary)
        with duckdb.connect(str(temporary)) as con:
            con.execute("create schema if not exists meta")
            con.execute(
                "create or replace table meta.publication as select ?::timestamptz as published_at, "
                "(select count(*) from core.usage_logs) as usage_log_rows",
                [datetime.now(UTC)],
            )
            con.execute("comment on table meta.publication is 'When this serve file was published, and its size.'")
            con.execute("checkpoint")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, serve_db)
    except Exception as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, StepFailed):
            raise
        raise StepFailed("publish", f"{error}; the previous serve file is unchanged") from error
    progress(f"published {serve_db} ({serve_db.stat().st_size / 1e6:.1f} MB)")
    return serve_db
