"""The build database as ingest opens it: created if needed, every raw table present, the session in UTC."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.contract import RAW_SCHEMA, RECORD_TYPES, all_ddl
from ingest.errors import UserError


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the build database with every raw table present and the session in UTC."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.IOException as error:
        raise UserError(
            f"{db_path}: cannot open the build database ({error}); is another synapscale run or a client holding it?"
        ) from None
    con.execute("set TimeZone = 'UTC'").fetchall()
    # Every record carries its line number as a column, so inserts need not keep row order; without it DuckDB
    # writes a bulk insert straight to the database file instead of the WAL (which would cost a second, equal
    # write at the next checkpoint). The readers that number rows by position turn it on for that statement.
    con.execute("set preserve_insertion_order = false").fetchall()
    # Small files' rows go through the WAL: checkpoint once when the batch closes the connection, not at every
    # commit that crosses the default 16 MB (each file still commits, and a committed file survives a crash).
    con.execute("set checkpoint_threshold = '1GB'").fetchall()
    _rows_tables_from_older_layout(con)
    for statement in all_ddl():
        con.execute(statement).fetchall()
    return con


def _rows_tables_from_older_layout(con: duckdb.DuckDBPyConnection) -> None:
    """A build database from before `raw.usage_events` became a view has the rows in a table of that name:
    rename it to the rows table (the view is created over it next)."""
    for record_type in RECORD_TYPES.values():
        if not record_type.rows_table:
            continue
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables where table_schema = ?", [RAW_SCHEMA]
            ).fetchall()
        )
        if kinds.get(record_type.table) == "BASE TABLE" and record_type.rows_table not in kinds:
            con.execute(f"alter table {RAW_SCHEMA}.{record_type.table} rename to {record_type.rows_table}").fetchall()
