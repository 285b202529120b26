"""Clean canonical Parquet usage files kept as files instead of being copied row by row.

A Parquet usage file read by the canonical adapter, whose columns have exactly the contract's types and whose
validation finds no rejected record, no duplicate and no value that conversion (trimming, defaults) would change,
is stored as a plain copy, `<warehouse>/raw_files/usage_events/<load_id>.parquet`, with its manifest row
(storage = 'parquet_file'). `raw.usage_events` is a view: `raw.usage_event_rows` UNION ALL one branch per
registered file, listing only files whose manifest row is committed. The view is rewritten inside the same
transaction as the manifest row, so it never shows a file that is not committed, nor misses one that is. A
copy left by a crash before its commit is an orphan: no committed view names it; the next ingest deletes it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from ingest.contract import ADDED_USAGE_COLUMNS, LINEAGE_COLUMNS, RAW_SCHEMA, USAGE, RecordType
from ingest.errors import UserError
from ingest.readers import SourceInfo, sql_string

STORAGE = "parquet_file"
ADAPTER = "canonical"
# Only files of at least one DuckDB row group are registered: below that, copying rows is cheap, and a landing
# stream of many small files (hourly exports) would otherwise grow the view by one branch per file.
MIN_ROWS = 122_880


def directory(db_path: Path) -> Path:
    """Where the build database at `db_path` keeps its registered usage files (absolute: the view names them)."""
    return db_path.resolve().parent / "raw_files" / USAGE.table


def stored_path(files_dir: Path, load_id: str) -> Path:
    return files_dir / f"{load_id}.parquet"


def candidate(con: duckdb.DuckDBPyConnection, source: SourceInfo, adapter: str, record_type: RecordType) -> bool:
    """True when the file may be registered if its values turn out clean: Parquet usage via the canonical
    adapter, at least MIN_ROWS rows, every contract column present with exactly its contract type (so the
    view's casts are identities, independent of the session time zone); metadata may be any type without dates
    or times in it (it is cast to JSON, which validation also does)."""
    if source.file_format != "parquet" or adapter != ADAPTER or record_type.name != USAGE.name:
        return False
    rows = con.execute(f"select count(*) from read_parquet({sql_string(source.path)})").fetchall()[0][0]
    if rows < MIN_ROWS:
        return False
    names = list(USAGE.columns)
    expected = con.execute(
        "select " + ", ".join(f"typeof(null::{sql_type})" for sql_type in USAGE.columns.values())
    ).fetchall()[0]
    for name, want in zip(names, expected, strict=True):
        have = source.columns.get(name)
        if have is None and name in ADDED_USAGE_COLUMNS:
            continue  # a column added to the contract after the file was written: its default (see _branch)
        if have is None:
            return False
        if name == "metadata":
            if "TIME" in have or "DATE" in have:
                return False
        elif have != want:
            return False
    return True


def stage(path: Path, files_dir: Path, load_id: str) -> Path:
    """Copy the landing file to its stored name (fsynced, so a committed manifest row never outlives it)."""
    files_dir.mkdir(parents=True, exist_ok=True)
    target = stored_path(files_dir, load_id)
    shutil.copyfile(path, target)
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    return target


def registered(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(load_id, source_file, finished_at as text) of every registered file, in load order."""
    return con.execute(
        f"select load_id, source_file, finished_at::varchar from {RAW_SCHEMA}.load_manifest "
        "where storage = ? order by finished_at, load_id",
        [STORAGE],
    ).fetchall()


def refresh_view(con: duckdb.DuckDBPyConnection, files_dir: Path) -> None:
    """(Re)create `raw.usage_events` over the rows table and every registered file (call inside the
    transaction that commits a registration)."""
    loads = registered(con)
    missing = [str(stored_path(files_dir, load_id)) for load_id, _, _ in loads]
    missing = [name for name in missing if not Path(name).is_file()]
    if missing:
        raise UserError(
            f"{missing[0]} (and {len(missing) - 1} more): a registered usage file is missing; restore the "
            f"warehouse's raw_files folder beside the build database, or rebuild it from the landing files"
        )
    branches = tuple(_branch(con, stored_path(files_dir, load_id), load_id, src, at) for load_id, src, at in loads)
    con.execute(USAGE.view_ddl(branches, replace=True)).fetchall()


def remove_orphans(con: duckdb.DuckDBPyConnection, files_dir: Path) -> None:
    """Delete stored files with no committed manifest row (left by a crash before their commit)."""
    if not files_dir.is_dir():
        return
    keep = {load_id for load_id, _, _ in registered(con)}
    for stored in files_dir.glob("*.parquet"):
        if stored.stem not in keep:
            stored.unlink(missing_ok=True)


def _branch(con: duckdb.DuckDBPyConnection, path: Path, load_id: str, source_file: str, ingested_at: str) -> str:
    present = {row[0] for row in con.execute("select name from parquet_schema(?)", [str(path)]).fetchall()}
    casts = ", ".join(_cast(name, sql_type, present) for name, sql_type in USAGE.columns.items())
    lineage = {
        "load_id": _literal(load_id),
        "source_file": _literal(source_file),
        "source_line": "file_row_number + 1",
        "ingested_at": _literal(ingested_at),
    }
    typed = ", ".join(
        f"cast({lineage[name]} as {sql_type.removesuffix(' NOT NULL')}) as {name}"
        for name, sql_type in LINEAGE_COLUMNS.items()
    )
    return f"select {casts}, {typed} from read_parquet({sql_string(path)}, file_row_number = true)"


def _cast(name: str, sql_type: str, present: set[str]) -> str:
    """The file's column cast to its contract type; a column added to the contract later is its default when the
    file lacks it or holds NULL in it, exactly as validation converts it (validate._changed_sql)."""
    if name not in ADDED_USAGE_COLUMNS:
        return f'cast("{name}" as {sql_type}) as {name}'
    default = ADDED_USAGE_COLUMNS[name]
    if name not in present:
        return f"cast({default} as {sql_type}) as {name}"
    return f'coalesce(cast("{name}" as {sql_type}), {default}) as {name}'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
