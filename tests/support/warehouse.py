"""Build real warehouses for tests: raw tables from ingest.contract, rows inserted with a given ingested_at,
dbt run as a subprocess with private target/log paths (other people run dbt at the same time).

    db = tmp_path / "build.duckdb"
    create_raw(db)
    insert_raw(db, "usage_events", [{"event_id": "e1", ...}], ingested_at="2025-03-01T00:00:00Z")
    run_dbt(db, "build", vars={"closed_billing_period": "2025-02-01"})
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest import contract
from synapscale.pipeline.dbt import dbt_invocation
from tests.support.paths import PROJECT_DIR

CORE_TABLES = (
    "llms",
    "usage_logs",
    "billing_events",
    "conversation_llms",
    "message_feedbacks",
    "tags",
    "users",
    "workspaces",
    "conversations",
    "messages",
)

_RECORD_TYPES_BY_TABLE = {rt.table: rt for rt in contract.RECORD_TYPES.values()}


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the tail of its output."""


def create_raw(db: Path) -> Path:
    """Create schema raw and every raw table of the contract in `db` (idempotent)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as con:
        for statement in contract.all_ddl():
            con.execute(statement)
    return db


def insert_raw(
    db: Path,
    table: str,
    rows: pl.DataFrame | Sequence[Mapping[str, Any]],
    ingested_at: str | datetime,
    load_id: str | None = None,
) -> int:
    """Append rows to raw.<table> as one load and return how many were added.

    rows: a polars frame or row dicts; contract columns not given become NULL; timestamps may be RFC 3339
    strings and metadata a JSON string. Each row is stamped with load_id, source_file, source_line (1-based)
    and the given ingested_at, as the ingest loader would.
    """
    record_type = _RECORD_TYPES_BY_TABLE[table]
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(list(rows), infer_schema_length=None)
    if frame.is_empty():
        return 0
    stamp = ingested_at if isinstance(ingested_at, datetime) else _parse_ts(ingested_at)
    load = load_id or f"test-{table}-{stamp.isoformat()}"
    columns = list(record_type.columns)
    select_list = ", ".join(
        (f"cast(staged.{name} as {sql_type})" if name in frame.columns else f"cast(null as {sql_type})") + f" as {name}"
        for name, sql_type in record_type.columns.items()
    )
    with duckdb.connect(str(db)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.register("staged", frame.with_row_index("source_line", offset=1))
        con.execute(
            f"insert into {contract.RAW_SCHEMA}.{record_type.insert_table} ({', '.join(columns)}, load_id, "
            f"source_file, source_line, ingested_at) "
            f"select {select_list}, ?, ?, staged.source_line, ?::timestamptz from staged",
            [load, f"tests/{table}.jsonl", stamp],
        )
    return frame.height


def run_dbt(
    db: Path,
    command: str = "build",
    *,
    vars: Mapping[str, Any] | None = None,
    select: Iterable[str] | None = None,
    full_refresh: bool = False,
    extra: Sequence[str] = (),
    project_dir: Path = PROJECT_DIR,
    work_dir: Path | None = None,
) -> Path:
    """Run dbt against `db` as a subprocess (the pipeline's own command line, synapscale.pipeline.dbt.dbt_invocation)
    with target/log paths beside the database; returns `db`."""
    args = [command, *(["--select", *select] if select else []), *(["--full-refresh"] if full_refresh else []), *extra]
    argv, env = dbt_invocation(project_dir, db, work_dir or db.parent / f"dbt_{db.stem}", args, vars)
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=project_dir, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        raise DbtError(f"dbt {command} failed (exit {result.returncode}) on {db}:\n{tail}")
    return db


def read_table(db: Path, relation: str, order_by: str | None = None) -> pl.DataFrame:
    """A whole relation as a polars frame (read-only connection), optionally ordered."""
    query = f"select * from {relation}" + (f" order by {order_by}" if order_by else "")
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(query).pl()


def query(db: Path, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a query on a read-only connection."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


def _parse_ts(text: str) -> datetime:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


# --- one-call warehouse build (cost engine tests; reusable) ---------------------------------------------------
# The parts of the project dbt needs; copy_project() copies them so a test may change seeds without touching
# the repository.
DBT_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def copy_project(destination: Path, project_dir: Path = PROJECT_DIR) -> Path:
    """A private copy of the dbt project (config, models, macros, seeds, singular tests) under destination."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in DBT_PROJECT_PARTS:
        source, target = project_dir / part, destination / part
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def build_warehouse(
    tmp_dir: Path,
    raw_rows_by_table: Mapping[str, pl.DataFrame | Sequence[Mapping[str, Any]]],
    extra_dbt_args: Sequence[str] = (),
    *,
    project_dir: Path = PROJECT_DIR,
    ingested_at: str | datetime = "2030-01-01T00:00:00Z",
) -> Path:
    """Create tmp_dir/build.duckdb (raw contract + the given rows, one load per table), run `dbt build` as a
    subprocess with --target-path/--log-path inside tmp_dir, and return the database path.

    raw_rows_by_table maps a raw table (usage_events, feedback_events, workspaces, users) to its rows;
    project_dir lets a test build a modified copy of the project (see copy_project). Raises DbtError.
    """
    tmp_dir = Path(tmp_dir)
    db = create_raw(tmp_dir / "build.duckdb")
    for table, rows in raw_rows_by_table.items():
        insert_raw(db, table, rows, ingested_at=ingested_at)
    return run_dbt(db, "build", extra=extra_dbt_args, project_dir=project_dir, work_dir=tmp_dir)
