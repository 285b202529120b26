"""Run history: `ops.run_history` in the build database, one row per `synapscale run` or `synapscale publish`.

The pipeline creates and writes it (never dbt, so `dbt build --full-refresh` keeps it), in one short
transaction per step, so a run killed at any point leaves a row saying how far it got. Publishing copies the
build file, so the serve file carries the history too; the copy's row of the publishing run already says
'published' (written into the copy before the rename), and the build file's row is updated right after.

Statuses: running -> published | failed; a row left 'running' by a run that died is turned 'abandoned' by the
next run that takes the lock (or 'published', when the serve file shows it got as far as the rename).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = "ops"
TABLE = f"{SCHEMA}.run_history"

# column -> (type, comment). The one definition: DDL, migrations and comments come from here.
COLUMNS: dict[str, tuple[str, str]] = {
    "run_id": ("VARCHAR NOT NULL", "Unique run id: UTC start time and pid, e.g. 20250301T101500Z-4242."),
    "command": ("VARCHAR NOT NULL", "run (ingest, dbt build, publish) or publish (publish an existing build)."),
    "status": ("VARCHAR NOT NULL", "running, published, built (--engine spark), failed or abandoned (died mid-run)."),
    "started_at": ("TIMESTAMPTZ NOT NULL", "When the run took the lock."),
    "ended_at": ("TIMESTAMPTZ", "When it published or failed; null while running and for abandoned runs."),
    "pid": ("INTEGER", "Process id of the run."),
    "host": ("VARCHAR", "Host name the run ran on."),
    "step": ("VARCHAR", "The step in progress, or the last one reached."),
    "failing_step": ("VARCHAR", "The step that failed (ingest, dbt build, publish, ...); null when none."),
    "error": ("VARCHAR", "Why it failed or was abandoned, and what to do next."),
    "warnings": ("VARCHAR", "Problems that did not fail the run (stale sources, a freshness check that failed)."),
    "full_refresh": ("BOOLEAN", "Whether incremental models were rebuilt (--full-refresh)."),
    "files_seen": ("INTEGER", "Landing files ingest looked at."),
    "files_loaded": ("INTEGER", "Landing files loaded by this run."),
    "files_skipped": ("INTEGER", "Landing files skipped because the same content was loaded before."),
    "files_failed": ("INTEGER", "Landing files that could not be read at all."),
    "events_loaded": ("BIGINT", "Usage events loaded into raw.usage_events."),
    "records_loaded": ("BIGINT", "Records of every type loaded."),
    "records_quarantined": ("BIGINT", "Records rejected into raw.quarantine (with their reason code)."),
    "duplicates": ("BIGINT", "Records skipped as duplicates of loaded ones."),
    "freshness_status": ("VARCHAR", "Worst source freshness status: pass, warn, error, or failed to run."),
    "freshness": ("JSON", "Source freshness per raw table: status, newest ingested_at, age, thresholds."),
    "models_built": ("INTEGER", "dbt models (and seeds) built successfully."),
    "models_failed": ("INTEGER", "dbt models or seeds that errored."),
    "tests_passed": ("INTEGER", "dbt data and unit tests that passed."),
    "tests_failed": ("INTEGER", "dbt data and unit tests that failed or errored."),
    "tests_warned": ("INTEGER", "dbt tests that warned."),
    "nodes_skipped": ("INTEGER", "dbt nodes skipped because something upstream failed."),
    "dbt_invocation_id": ("VARCHAR", "invocation_id of the dbt build (run_results.json); skipped: the build reused."),
    "build_mode": ("VARCHAR", "incremental, full refresh, or skipped (nothing new since the last clean build)."),
    "published_version": ("INTEGER", "Publication counter: 1 for the first serve file, +1 for each one after."),
    "published_at": ("TIMESTAMPTZ", "When the serve file was renamed into place (meta.publication)."),
    "serve_file_bytes": ("BIGINT", "Size of the published serve file."),
    "ingest_seconds": ("DOUBLE", "Time spent ingesting landing files."),
    "dbt_seconds": ("DOUBLE", "Time spent in dbt build."),
    "freshness_seconds": ("DOUBLE", "Time spent measuring source freshness."),
    "publish_seconds": ("DOUBLE", "Time spent copying and renaming the serve file."),
    "total_seconds": ("DOUBLE", "Wall time from taking the lock to the end of the run."),
    "taken_over_from": ("VARCHAR", "run_id of an unfinished earlier run this one found and closed."),
    "alerts_new": ("INTEGER", "Alerts that entered ops.alert_outbox after this run published."),
    "alerts_suppressed": ("INTEGER", "New alerts already older than the lookback window: recorded, never sent."),
    "alerts_sent": ("INTEGER", "Alert deliveries made after this run published (one per alert and sink)."),
    "alerts_failed": ("INTEGER", "Alert deliveries that failed (retried on the next run)."),
    "alerts_pending": ("INTEGER", "Alerts still to deliver to some sink after this run."),
}
FINISHED = ("published", "failed", "abandoned")


def connect(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db_path), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    return con


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ops.run_history (and any column a newer version added), with comments for analysts."""
    con.execute(f"create schema if not exists {SCHEMA}")
    body = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in COLUMNS.items())
    con.execute(f"create table if not exists {TABLE} ({body})")
    for name, (sql_type, _) in COLUMNS.items():
        plain_type = sql_type.replace(" NOT NULL", "")
        con.execute(f"alter table {TABLE} add column if not exists {name} {plain_type}")
    con.execute(f"comment on table {TABLE} is 'One row per synapscale run or publish: steps, counts, outcome.'")
    for name, (_, comment) in COLUMNS.items():
        con.execute(f"comment on column {TABLE}.{name} is '{comment.replace(chr(39), chr(39) * 2)}'")


def begin(db_path: Path, row: Mapping[str, Any]) -> None:
    """Insert the row of a starting run (status 'running')."""
    with connect(db_path) as con:
        ensure_table(con)
        _insert(con, {"status": "running", **row})


def update(db_path: Path, run_id: str, values: Mapping[str, Any]) -> None:
    """Set some columns of a run's row, in one short transaction."""
    with connect(db_path) as con:
        update_with(con, run_id, values)


def update_with(con: duckdb.DuckDBPyConnection, run_id: str, values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise KeyError(f"not a run_history column: {', '.join(sorted(unknown))}")
    if not values:
        return
    assignments = ", ".join(f"{name} = ?" for name in values)
    con.execute(f"update {TABLE} set {assignments} where run_id = ?", [*values.values(), run_id])


def _insert(con: duckdb.DuckDBPyConnection, row: Mapping[str, Any]) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"insert into {TABLE} ({names}) values ({marks})", list(row.values()))


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'run_history'", [SCHEMA]
        ).fetchall()[0][0]
    )


def next_version(db_path: Path) -> int:
    """The publication counter the next serve file gets."""
    with connect(db_path) as con:
        ensure_table(con)
        return int(con.execute(f"select coalesce(max(published_version), 0) + 1 from {TABLE}").fetchall()[0][0])


def unfinished(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows still 'running' (with the run lock held, none of them is really running)."""
    if not has_table(con):
        return []
    return _dicts(con.execute(f"select * from {TABLE} where status = 'running' order by started_at"))


def recent(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    """The last runs, newest first."""
    if not has_table(con):
        return []
    return _dicts(con.execute(f"select * from {TABLE} order by started_at desc, run_id desc limit ?", [limit]))


def row(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any] | None:
    if not has_table(con):
        return None
    rows = _dicts(con.execute(f"select * from {TABLE} where run_id = ?", [run_id]))
    return rows[0] if rows else None


def _dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def close_unfinished(db_path: Path, serve_db: Path, finder: str, pid_hint: int | None) -> list[tuple[str, str]]:
    """Close the rows left 'running' by runs that died: 'published' when the serve file's copy of the row
    says so (the run died between the rename and updating the build file), else 'abandoned'. Returns
    (run_id, message) for each row closed."""
    with connect(db_path) as con:
        ensure_table(con)
        rows = unfinished(con)
    messages = []
    for left in rows:
        published = published_copy(serve_db, left["run_id"])
        if published is not None:
            update(db_path, left["run_id"], {k: v for k, v in published.items() if k != "run_id"})
            note = f"previous run {left['run_id']} published but ended before recording it; recorded now"
            messages.append((left["run_id"], note))
            continue
        pid = left["pid"] if left["pid"] is not None else pid_hint
        error = (
            f"process pid {pid} ended without finishing (killed or crashed) during step {left['step'] or 'start'}; "
            f"found by run {finder}, which took over. Nothing of it was published"
        )
        update(db_path, left["run_id"], {"status": "abandoned", "failing_step": left["step"], "error": error})
        messages.append((left["run_id"], f"previous run pid {pid} ended without finishing; taking over"))
    return messages


def published_copy(serve_db: Path, run_id: str) -> dict[str, Any] | None:
    """The run's row in the serve file, when that file was published by it."""
    if not serve_db.exists():
        return None
    try:
        with connect(serve_db, read_only=True) as con:
            found = row(con, run_id)
    except duckdb.Error:
        return None
    return found if found is not None and found["status"] == "published" else None


def last_freshness(db_path: Path, before_run: str) -> str | None:
    """The freshness JSON the latest run before `before_run` recorded (None when none did)."""
    with connect(db_path, read_only=True) as con:
        found = con.execute(
            f"select freshness from {TABLE} where freshness is not null and run_id <> ? "
            "order by started_at desc limit 1",
            [before_run],
        ).fetchall()
    return str(found[0][0]) if found else None


def now() -> datetime:
    return datetime.now(UTC)


def mark_published(copy: Path, run_id: str, values: Mapping[str, Any]) -> int:
    """In a serve file about to be renamed into place: the run's row says 'published' with `values` and the
    file's own size. Returns that size. (Writing the size can move the size: repeat until it stands.)"""
    size = copy.stat().st_size
    for _ in range(5):
        with connect(copy) as con:
            update_with(con, run_id, {**values, "status": "published", "serve_file_bytes": size})
            con.execute("checkpoint")
        if copy.stat().st_size == size:
            return size
        size = copy.stat().st_size
    return size
